"""Training next-symbol networks on event sequences, through the shared life cycle.

What is this task's own: reading and windowing the sequences, the vocabulary (from the training
part only), the network sized to it and the checkpoint metadata (:class:`NextSymbolRecipe`).
The run folder, checkpoints, resuming, signals, torchrun and the report's files are
:mod:`seqrnn.train.lifecycle`'s.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from seqrnn.config import ConfigError, from_dict, replace, resolve, to_dict
from seqrnn.data.formats import InputFormat, read_sequences, split_validation, targets_for
from seqrnn.data.vocab import Vocabulary
from seqrnn.data.windows import Mapping, Targets, Windows
from seqrnn.errors import InputError
from seqrnn.models.neural import NeuralNextSymbolModel, default_device, model_meta
from seqrnn.next_symbol.task import NextSymbolTask, WindowBatches
from seqrnn.nn.next_symbol import Head, NextSymbolConfig, NextSymbolNet
from seqrnn.train import distributed, lifecycle
from seqrnn.train.callbacks import Callback
from seqrnn.train.config import TrainConfig

logger = logging.getLogger(__name__)


class WindowWeights(enum.StrEnum):
    """How much each training window counts in the loss.

    ``count``: every window once, so a continuation weighs as often as it occurs (maximum
    likelihood; what ``seqrnn train`` does). ``distinct``: every distinct ``(window, next
    symbol)`` row once, so a rare continuation of a context weighs as much as a frequent one
    and the model learns the *set* of keys that follow a context rather than their
    frequencies, which is the question a top-g detector asks (``seqrnn train-detector``'s
    default; see docs/anomaly.md for the held-out evidence).
    """

    COUNT = "count"
    DISTINCT = "distinct"


@dataclass(frozen=True)
class DataConfig:
    """Where the sequences come from and how they are cut into windows."""

    train: str = ""
    val: str | None = None  # explicit validation file(s); else ``val_fraction`` is held out
    format: InputFormat = InputFormat.SESSIONS
    window: int = 10
    step: int = 1
    random_offset: bool = False  # start windows at a random offset in [0, step)
    val_fraction: float = 0.1
    min_count: int = 1
    max_vocab: int | None = None
    # None: the trainer's own default (count for ``train``, distinct for ``train-detector``)
    window_weights: WindowWeights | None = None

    def __post_init__(self) -> None:
        if self.window <= 0:
            raise ConfigError(f"data.window must be a positive integer, got {self.window}")
        if self.step <= 0:
            raise ConfigError(f"data.step must be a positive integer, got {self.step}")
        if not 0.0 <= self.val_fraction < 1.0:
            raise ConfigError(f"data.val_fraction must be in [0, 1), got {self.val_fraction}")


@dataclass(frozen=True)
class RunConfig:
    """Everything a next-symbol training run needs; saved as the run's ``config.json``."""

    data: DataConfig = field(default_factory=DataConfig)
    model: NextSymbolConfig = field(default_factory=NextSymbolConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    runs_dir: str | None = "runs"
    name: str | None = None


def run_config_from_dict(data: dict[str, Any]) -> RunConfig:
    """Build and check a :class:`RunConfig`: ``data`` over the defaults (unknown keys get a
    suggestion)."""
    return resolve(RunConfig, data)


def mapping_for(head: Head) -> Mapping:
    """The window mapping each head trains on, chosen once here."""
    return Mapping.NEXT if Head(head) is Head.LAST else Mapping.SHIFTED


@dataclass
class TrainResult:
    """What a finished training run left behind (``metrics``: as in ``metrics.json``)."""

    run_dir: Path | None
    model: NeuralNextSymbolModel
    history: list[dict[str, Any]]
    metrics: dict[str, Any] = field(default_factory=dict)


@dataclass
class PreparedData:
    """Vocabulary and windows of one run, built from the training data only."""

    vocab: Vocabulary
    train: Windows
    val: Windows | None
    val_sequences: list[np.ndarray]  # encoded, for the final report


def prepare_data(config: RunConfig, mapping: Mapping) -> PreparedData:
    """Read, split, build the vocabulary from the training part, and cut windows."""
    d = config.data
    raw = read_sequences(d.train, d.format)
    if d.val:
        train_raw, val_raw = raw, read_sequences(d.val, d.format)
    else:
        train_raw, val_raw = split_validation(raw, d.val_fraction, config.train.seed)
    _check_long_enough(train_raw, d, d.train)
    vocab = Vocabulary.build(train_raw, d.min_count, d.max_vocab)
    offset = 0
    if d.random_offset and d.step > 1:
        offset = int(np.random.default_rng(config.train.seed).integers(d.step))
    targets = targets_for(d.format)
    train_w = Windows(
        [vocab.encode(s) for s in train_raw], d.window, mapping, d.step, offset, targets
    )
    val_seqs = [vocab.encode(s) for s in val_raw]
    val_w = None
    if any(len(s) > (d.window if targets is Targets.FULL_WINDOW else 0) for s in val_seqs):
        val_w = Windows(val_seqs, d.window, mapping, targets=targets)
    return PreparedData(vocab, train_w, val_w, val_seqs)


def _check_long_enough(sequences: list, d: DataConfig, source: str) -> None:
    """A stream must hold at least one window plus its target."""
    if targets_for(d.format) is Targets.FULL_WINDOW:
        longest = max(len(s) for s in sequences)
        if longest <= d.window:
            raise InputError(
                f"only {longest} symbols for training, shorter than one window of "
                f"{d.window} plus its target; use a shorter --window or more data",
                source,
            )


def sized_model_config(model: NextSymbolConfig, vocab: Vocabulary) -> NextSymbolConfig:
    """The model config with its vocabulary size taken from the data."""
    return from_dict(NextSymbolConfig, {**to_dict(model), "vocab_size": len(vocab)})


def validation_report(
    model: NeuralNextSymbolModel, sequences: list[np.ndarray], targets: Targets
) -> dict[str, Any]:
    """Next-symbol metrics (cross-entropy, perplexity, top-1..3) of held-out sequences."""
    from seqrnn.evaluation.metrics import summarize
    from seqrnn.evaluation.scoring import score_sequences

    if not sequences:
        return {}
    scores = score_sequences(model, sequences, targets=targets)
    return {"validation": summarize(scores, max_k=3).to_dict()}


class NextSymbolRecipe:
    """``seqrnn train``'s part of the life cycle: windows counted as they occur."""

    def __init__(self, config: RunConfig):
        self.config = config
        self.data: PreparedData | None = None

    def build(self, ctx: distributed.DistContext) -> lifecycle.Parts:
        config = self.config
        self.data = data = prepare_data(config, mapping_for(config.model.head))
        model_cfg = sized_model_config(config.model, data.vocab)
        logger.info(
            "training on %d windows (%d validation), vocabulary %d",
            len(data.train),
            0 if data.val is None else len(data.val),
            len(data.vocab),
        )
        bs, seed = config.train.batch_size, config.train.seed
        val = None if data.val is None else WindowBatches(data.val, bs * 4, False)
        meta = model_meta(model_cfg, data.vocab, config.data.window, config.data.format)
        return lifecycle.Parts(
            NextSymbolNet(model_cfg),
            NextSymbolTask(),
            WindowBatches(data.train, bs, True, seed),
            val,
            meta,
        )

    def report(self, run: lifecycle.FinishedRun) -> dict[str, Any]:
        assert self.data is not None
        model = self.wrap(run.net)
        out: dict[str, Any] = {"model": model.describe()}
        if self.data.val is not None:
            targets = targets_for(self.config.data.format)
            out.update(validation_report(model, self.data.val_sequences, targets))
        return out

    def wrap(self, net: Any) -> NeuralNextSymbolModel:
        """The trained network as a next-symbol model (vocabulary, window, format)."""
        assert self.data is not None
        d = self.config.data
        return NeuralNextSymbolModel(net, self.data.vocab, d.window, default_device(), d.format)


def train(
    config: RunConfig,
    callbacks: Sequence[Callback] = (),
    resume: str | Path | None = None,
) -> TrainResult:
    """Train a next-symbol model as ``config`` says; ``resume`` is a run folder to continue
    (its ``config.json`` must be the ``config`` given: :func:`resume_config` reads it).

    Leaves in the run folder: ``config.json``, ``history.csv`` + ``history.png``,
    ``best``/``last`` checkpoints and ``metrics.json`` (validation metrics of the best
    weights). Under ``torchrun`` every process calls this; each trains on its share of every
    global batch (``train.batch_size``) and only rank 0 writes.
    """
    if config.data.window_weights is WindowWeights.DISTINCT:
        raise ConfigError(
            "data.window_weights = distinct needs distinct-window training: "
            "use seqrnn train-detector (seqrnn.anomaly.train)"
        )
    config = replace(config, data=replace(config.data, window_weights=WindowWeights.COUNT))
    recipe = NextSymbolRecipe(config)
    result = lifecycle.run(config, recipe, callbacks, resume)
    model = recipe.wrap(result.net)
    return TrainResult(result.run_dir, model, result.history, result.metrics)


def resume_config(run_dir: str | Path) -> RunConfig:
    """The config a run folder was trained with (to resume it)."""
    return lifecycle.resume_config(RunConfig, run_dir)


def encode_file(
    model: Any, path: str | Path, fmt: InputFormat | str | None = None
) -> list[np.ndarray]:
    """Read ``path`` in the model's input format (or ``fmt``) and encode it with the model's
    vocabulary."""
    fmt = InputFormat(fmt or model.input_format)
    return [model.vocab.encode(s) for s in read_sequences(path, fmt)]
