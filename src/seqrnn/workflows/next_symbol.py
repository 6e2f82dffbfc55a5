"""Next-symbol models on event sequences: train, load, evaluate, predict, generate, score.

Each function here is what one ``seqrnn`` verb calls; none prints. A trained model lives in a
run folder (``config.json``, ``history.csv``, ``best.safetensors``, ``last.safetensors``,
``metrics.json``, plots).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seqrnn.config import ConfigError, from_dict, replace, to_dict
from seqrnn.data.readers import read_id_stream, read_sessions, read_tokens
from seqrnn.data.vocab import Vocabulary
from seqrnn.data.windows import Mapping, Targets, Windows
from seqrnn.errors import InputError
from seqrnn.io.runs import new_run_dir, save_config, save_metrics
from seqrnn.models.neural import NeuralNextSymbolModel, default_device, load_net
from seqrnn.nn.next_symbol import Head, NextSymbolConfig, NextSymbolNet
from seqrnn.tasks.next_symbol import NextSymbolTask, WindowBatches
from seqrnn.train import distributed
from seqrnn.train.callbacks import Callback
from seqrnn.train.config import TrainConfig
from seqrnn.train.trainer import Trainer

logger = logging.getLogger(__name__)

KIND = "next_symbol"


class InputFormat(enum.StrEnum):
    """The three sequence formats (see :mod:`seqrnn.data.readers`)."""

    IDS = "ids"  # one integer id per line, files through a glob, one stream
    SESSIONS = "sessions"  # one session per line, integer keys
    TOKENS = "tokens"  # whitespace-separated tokens of any text, one stream


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
    runs_dir: str = "runs"
    name: str | None = None


def run_config_from_dict(data: dict[str, Any]) -> RunConfig:
    """Build and check a :class:`RunConfig` (unknown keys get a suggestion)."""
    return from_dict(RunConfig, data, "config")


def read_sequences(path: str, fmt: InputFormat) -> list[np.ndarray] | list[list[str]]:
    """Raw sequences of a file/glob in the given format (one per session, or one stream)."""
    fmt = InputFormat(fmt)
    if fmt is InputFormat.IDS:
        return [read_id_stream(path)]
    if fmt is InputFormat.SESSIONS:
        return read_sessions(path, integer=True)
    return [read_tokens(path)]


def split_validation(sequences: list, fraction: float, seed: int) -> tuple[list, list]:
    """Hold out ``fraction`` for validation: random sessions, or the tail of a single stream."""
    if fraction == 0:
        return sequences, []
    if len(sequences) == 1:
        seq = sequences[0]
        cut = round(len(seq) * (1 - fraction))
        return [seq[:cut]], [seq[cut:]]
    order = np.random.default_rng(seed).permutation(len(sequences))
    n_val = max(1, round(len(sequences) * fraction))
    return [sequences[i] for i in order[n_val:]], [sequences[i] for i in order[:n_val]]


def mapping_for(head: Head) -> Mapping:
    """The window mapping each head trains on, chosen once here."""
    return Mapping.NEXT if Head(head) is Head.LAST else Mapping.SHIFTED


@dataclass
class TrainResult:
    """What a finished training run left behind."""

    run_dir: Path
    model: NeuralNextSymbolModel
    history: list[dict[str, Any]]


def targets_for(fmt: InputFormat) -> Targets:
    """Sessions are padded so that every event is predicted (as DeepLog pads short sessions);
    a stream is cut into full windows only, as the original program did."""
    return Targets.ALL if InputFormat(fmt) is InputFormat.SESSIONS else Targets.FULL_WINDOW


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


def train(
    config: RunConfig,
    callbacks: Sequence[Callback] = (),
    resume: str | Path | None = None,
) -> TrainResult:
    """Train a next-symbol model as ``config`` says; ``resume`` is a run folder to continue.

    Leaves in the run folder: ``config.json``, ``history.csv``, ``best``/``last``
    checkpoints, ``metrics.json`` (validation metrics of the best weights) and
    ``history.png``. Under ``torchrun`` every process calls this: each trains on its shard
    of every global batch (``train.batch_size``) and only rank 0 writes (see
    :mod:`seqrnn.train.distributed`).
    """
    with distributed.session(config.train.device) as ctx:
        return _train(config, callbacks, resume, ctx)


def _train(
    config: RunConfig,
    callbacks: Sequence[Callback],
    resume: str | Path | None,
    ctx: distributed.DistContext,
) -> TrainResult:
    """:func:`train` as process ``ctx.rank`` of ``ctx.world_size``."""
    if config.data.window_weights is WindowWeights.DISTINCT:
        raise ConfigError(
            "data.window_weights = distinct needs distinct-window training: "
            "use seqrnn train-detector (seqrnn.anomaly.training.train_distinct)"
        )
    config = replace(config, data=replace(config.data, window_weights=WindowWeights.COUNT))
    mapping = mapping_for(config.model.head)
    data = prepare_data(config, mapping)
    model_cfg = from_dict(
        NextSymbolConfig, {**to_dict(config.model), "vocab_size": len(data.vocab)}
    )
    torch.manual_seed(config.train.seed)
    net = distributed.wrap(NextSymbolNet(model_cfg), ctx)
    if resume is not None:
        run_dir = Path(resume)
    else:
        run_dir = new_run_dir(config.runs_dir, config.name) if ctx.is_main else None
        run_dir = Path(distributed.broadcast_object(str(run_dir), ctx))
        if ctx.is_main:
            save_config(run_dir, config)
    meta = model_meta(model_cfg, data.vocab, config.data.window, config.data.format)
    trainer = Trainer(config.train, callbacks, run_dir, meta)
    logger.info(
        "training on %d windows (%d validation), vocabulary %d",
        len(data.train),
        0 if data.val is None else len(data.val),
        len(data.vocab),
    )
    val_src, batch = None, ctx.per_rank_batch(config.train.batch_size)
    if data.val is not None:
        val_src = WindowBatches(data.val, batch * 4, False, 0, ctx.rank, ctx.world_size)
    history = trainer.fit(
        net,
        NextSymbolTask(),
        WindowBatches(data.train, batch, True, config.train.seed, ctx.rank, ctx.world_size),
        val_src,
        resume=resume is not None,
    )
    distributed.barrier(ctx)
    if not ctx.is_main:  # rank 0's files may live on another machine: keep the net in memory
        bare = NeuralNextSymbolModel(getattr(net, "module", net), data.vocab, config.data.window)
        return TrainResult(run_dir=run_dir, model=bare, history=history)
    model = load_model(run_dir)
    _write_report(run_dir, model, data, history)
    return TrainResult(run_dir=run_dir, model=model, history=history)


def _write_report(
    run_dir: Path, model: NeuralNextSymbolModel, data: PreparedData, history: list[dict[str, Any]]
) -> None:
    """metrics.json (validation metrics of the kept weights) and history.png."""
    from seqrnn.evaluation.metrics import summarize
    from seqrnn.evaluation.scoring import score_sequences
    from seqrnn.plots.history import plot_history

    report: dict[str, Any] = {"model": model.describe(), "epochs": len(history)}
    if data.val is not None:
        targets = targets_for(model.input_format)
        scores = score_sequences(model, data.val_sequences, targets=targets)
        report["validation"] = summarize(scores, max_k=3).to_dict()
    save_metrics(run_dir, report)
    if history:
        plot_history(history, run_dir / "history.png")


def model_meta(
    model_cfg: NextSymbolConfig, vocab: Vocabulary, window: int, fmt: InputFormat
) -> dict[str, Any]:
    """The part of a checkpoint that rebuilds the model: kind, config, vocabulary, window."""
    return {
        "kind": KIND,
        "model_config": to_dict(model_cfg),
        "vocab": vocab.to_list(),
        "window": window,
        "input_format": InputFormat(fmt).value,
    }


def load_model(path: str | Path, device: str | None = None) -> NeuralNextSymbolModel:
    """Load a next-symbol model from a checkpoint file, or from a run folder (its best one)."""
    ckpt, net, vocab = load_net(path, KIND)
    model = NeuralNextSymbolModel(net, vocab, int(ckpt.meta["window"]), device or default_device())
    model.input_format = InputFormat(ckpt.meta.get("input_format", "sessions"))
    return model


def encode_file(
    model: NeuralNextSymbolModel | Any, path: str, fmt: InputFormat | None = None
) -> list[np.ndarray]:
    """Read ``path`` in the model's input format and encode it with the model's vocabulary."""
    fmt = InputFormat(fmt or getattr(model, "input_format", InputFormat.SESSIONS))
    return [model.vocab.encode(s) for s in read_sequences(path, fmt)]
