"""Train and evaluate a character- or word-level language model on text files.

The library functions behind ``seqrnn text train|evaluate|demo``; none prints. A run folder
holds ``config.json``, ``history.csv``, ``best.safetensors`` / ``last.safetensors`` (kind
``"text"``) and ``metrics.json`` (held-out scores, full context and in windows).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seqrnn.config import from_dict, to_dict
from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import ConfigError
from seqrnn.io.runs import new_run_dir, save_config, save_metrics
from seqrnn.nn.encoder import EncoderConfig
from seqrnn.nn.next_symbol import Head, NextSymbolConfig, NextSymbolNet
from seqrnn.textgen.batches import StreamBatches
from seqrnn.textgen.corpus import Level, read_texts, split_tail, tokenize
from seqrnn.textgen.evaluate import TextScores, score_text
from seqrnn.textgen.model import TextModel, load_text_model, text_model_meta
from seqrnn.textgen.schedule import LRSchedule, ScheduleConfig, TimeBudget, TrainingClock
from seqrnn.textgen.task import StreamLMTask, fast_bf16
from seqrnn.train.callbacks import Callback
from seqrnn.train.config import TrainConfig, resolve_device
from seqrnn.train.trainer import Trainer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextDataConfig:
    """Which text, at which level, and how it is cut for truncated BPTT."""

    train: tuple[str, ...] = ()  # files or globs, read in order and joined by newlines
    level: Level = Level.CHAR
    val_fraction: float = 0.1  # held out from the END of the text
    seq_len: int = 64  # truncated-BPTT length: how far back gradients reach
    fresh_fraction: float = 0.1  # share of columns restarted from a zero state each batch
    min_count: int = 1
    max_vocab: int | None = None
    eval_window: int = 64  # the "windows" score reads windows of this many symbols

    def __post_init__(self) -> None:
        if self.seq_len <= 0 or self.eval_window <= 0:
            raise ConfigError("data.seq_len and data.eval_window must be positive integers")


def _default_model() -> NextSymbolConfig:
    return NextSymbolConfig(
        embedding_dim=64,
        head=Head.PER_STEP,
        encoder=EncoderConfig(hidden_size=256, num_layers=2),
    )


def _default_train() -> TrainConfig:
    return TrainConfig(epochs=20, batch_size=32, learning_rate=6e-3, grad_clip=1.0)


@dataclass(frozen=True)
class TextRunConfig:
    """Everything a text-model run needs; saved as the run's ``config.json``.

    ``minutes`` is a training-time budget: training stops when it is spent (or after
    ``train.epochs``, whichever comes first) and the learning-rate schedule follows it.
    """

    data: TextDataConfig = field(default_factory=TextDataConfig)
    model: NextSymbolConfig = field(default_factory=_default_model)
    train: TrainConfig = field(default_factory=_default_train)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    minutes: float | None = None
    runs_dir: str = "runs"
    name: str | None = None


def text_config_from_dict(data: dict[str, Any]) -> TextRunConfig:
    """Build and check a :class:`TextRunConfig`: ``data`` over the text defaults (unknown
    keys get a suggestion). ``train.precision = "auto"`` (the default) means bf16 where the
    device has bfloat16 matrix units, else fp32; with ``minutes`` and no ``train.epochs``
    the time budget alone ends training."""
    for table in ("data", "train"):  # read below before from_dict checks the types
        if not isinstance(data.get(table, {}), dict):
            raise ConfigError(f"config.{table}: expected a table of settings, got {data[table]!r}")
    merged = _deep_merge(to_dict(TextRunConfig()), data)
    if isinstance(merged["data"]["train"], str):
        merged["data"]["train"] = [merged["data"]["train"]]
    if merged.get("minutes") is not None and "epochs" not in data.get("train", {}):
        merged["train"]["epochs"] = 1_000_000  # the time budget decides when to stop
    if data.get("train", {}).get("precision", "auto") == "auto":
        fast = fast_bf16(resolve_device(merged["train"]["device"]))
        merged["train"]["precision"] = "bf16" if fast else "fp32"
    return from_dict(TextRunConfig, merged, "config")


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


@dataclass
class TextCorpus:
    """A tokenised text split into training and validation ids, with its vocabulary."""

    vocab: Vocabulary
    train_ids: np.ndarray  # [N_train] int64
    val_ids: np.ndarray  # [N_val] int64 (the end of the text)


def load_corpus(data: TextDataConfig) -> TextCorpus:
    """Read, tokenise and split the text; the vocabulary comes from the training part only."""
    if not data.train:
        raise ConfigError("no training text: give one or more files (data.train / --train)")
    symbols = np.array(tokenize(read_texts(list(data.train)), data.level), dtype=object)
    train_syms, val_syms = split_tail(symbols, data.val_fraction)
    vocab = Vocabulary.build([train_syms.tolist()], data.min_count, data.max_vocab)
    return TextCorpus(vocab, vocab.encode(train_syms.tolist()), vocab.encode(val_syms.tolist()))


@dataclass
class TextTrainResult:
    """What a finished run left behind."""

    run_dir: Path
    model: TextModel
    history: list[dict[str, Any]]
    scores: TextScores | None  # held-out scores of the kept model (None without validation)
    train_seconds: float  # time spent in training steps (validation excluded)


def _sources(config: TextRunConfig, corpus: TextCorpus) -> tuple[StreamBatches, Any]:
    d, t = config.data, config.train
    train_src = StreamBatches(
        corpus.train_ids, t.batch_size, d.seq_len, True, d.fresh_fraction, t.seed
    )
    val_src = None
    val_cols = min(t.batch_size, len(corpus.val_ids) // (4 * d.seq_len))
    if val_cols >= 1:
        val_src = StreamBatches(corpus.val_ids, val_cols, d.seq_len, shuffle_offset=False)
    return train_src, val_src


def _build_net(config: TextRunConfig, corpus: TextCorpus) -> tuple[NextSymbolNet, dict[str, Any]]:
    """The per-step network sized to the vocabulary, and the checkpoint meta that rebuilds it."""
    model_cfg = from_dict(
        NextSymbolConfig,
        {**to_dict(config.model), "vocab_size": len(corpus.vocab), "head": Head.PER_STEP.value},
    )
    torch.manual_seed(config.train.seed)
    net = NextSymbolNet(model_cfg)
    logger.info(
        "training on %s symbols (%s held out), vocabulary %d, %s parameters",
        f"{len(corpus.train_ids):,}",
        f"{len(corpus.val_ids):,}",
        len(corpus.vocab),
        f"{sum(p.numel() for p in net.parameters()):,}",
    )
    meta = text_model_meta(model_cfg, corpus.vocab, config.data.seq_len, config.data.level)
    return net, meta


def train_text(
    config: TextRunConfig,
    callbacks: Sequence[Callback] = (),
    clock: TrainingClock | None = None,
) -> TextTrainResult:
    """Train a text model as ``config`` says and score it on the held-out end of the text.

    ``clock`` (optional) lets a caller share the training clock, e.g. to evaluate mid-run
    inside :meth:`TrainingClock.excluded`.
    """
    corpus = load_corpus(config.data)
    net, meta = _build_net(config, corpus)
    train_src, val_src = _sources(config, corpus)
    run_dir = new_run_dir(config.runs_dir, config.name)
    save_config(run_dir, config)
    clock = clock or TrainingClock()
    own = _own_callbacks(config, clock, len(train_src))
    trainer = Trainer(config.train, [*own, *callbacks], run_dir, meta)
    train_src.stop_when = lambda: trainer.should_stop
    history = trainer.fit(net, StreamLMTask(), train_src, val_src)
    best = run_dir / "best.safetensors"
    model = load_text_model(best if best.exists() else run_dir / "last.safetensors")
    scores = None
    if len(corpus.val_ids) >= 2:
        scores = score_text(model.net, corpus.val_ids, config.data.eval_window)
        save_metrics(run_dir, {**scores.to_dict(), "train_seconds": clock.seconds})
    return TextTrainResult(run_dir, model, history, scores, clock.seconds)


def _own_callbacks(
    config: TextRunConfig, clock: TrainingClock, steps_per_epoch: int
) -> list[Callback]:
    """The clock, the time budget (if any) and the learning-rate schedule, in that order."""
    out: list[Callback] = [clock]
    if config.minutes is not None:
        budget = TimeBudget(clock, config.minutes * 60)
        out.append(budget)
        progress = lambda trainer: budget.progress()  # noqa: E731
    else:
        total = max(1, config.train.epochs * steps_per_epoch)
        progress = lambda trainer: trainer.global_step / total  # noqa: E731
    out.append(LRSchedule(config.schedule, config.train.learning_rate, progress))
    return out


def evaluate_text(model_path: str | Path, files: Sequence[str], window: int = 64) -> TextScores:
    """Score a saved text model on whole text files (read and tokenised at its level)."""
    model = load_text_model(model_path)
    ids = model.encode(read_texts(list(files)))
    return score_text(model.net, ids, window)
