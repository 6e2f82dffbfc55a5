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

from seqrnn.config import from_dict, merge, resolve, to_dict
from seqrnn.data.streams import StreamBatches
from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import ConfigError
from seqrnn.models.neural import default_device
from seqrnn.nn.encoder import EncoderConfig
from seqrnn.nn.next_symbol import Head, NextSymbolConfig, NextSymbolNet
from seqrnn.textgen.corpus import Level, read_texts, split_tail, tokenize
from seqrnn.textgen.evaluate import TextScores, score_text
from seqrnn.textgen.model import TextModel, load_text_model, text_model_meta
from seqrnn.textgen.task import StreamLMTask
from seqrnn.train import distributed, lifecycle
from seqrnn.train.callbacks import Callback
from seqrnn.train.config import TrainConfig
from seqrnn.train.schedule import Decay, ScheduleConfig, TrainingClock

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
    schedule = ScheduleConfig(decay=Decay.COSINE, warmup_steps=50, final_fraction=0.05)
    return TrainConfig(
        epochs=20, batch_size=32, learning_rate=6e-3, grad_clip=1.0, schedule=schedule
    )


@dataclass(frozen=True)
class TextRunConfig:
    """Everything a text-model run needs; saved as the run's ``config.json``.

    ``train.minutes`` is a training-time budget: training stops when it is spent (or after
    ``train.epochs``, whichever comes first) and the learning-rate schedule follows it.
    """

    data: TextDataConfig = field(default_factory=TextDataConfig)
    model: NextSymbolConfig = field(default_factory=_default_model)
    train: TrainConfig = field(default_factory=_default_train)
    runs_dir: str | None = "runs"
    name: str | None = None


def text_config_from_dict(data: dict[str, Any]) -> TextRunConfig:
    """Build and check a :class:`TextRunConfig`: ``data`` over the text defaults (unknown
    keys get a suggestion). With ``train.minutes`` and no ``train.epochs`` the time budget
    alone ends training."""
    for table in ("data", "train"):  # read below before the types are checked
        if not isinstance(data.get(table, {}), dict):
            raise ConfigError(f"config.{table}: expected a table of settings, got {data[table]!r}")
    data = merge({}, data)
    if isinstance(data.get("data", {}).get("train"), str):
        data["data"]["train"] = [data["data"]["train"]]
    train = data.get("train", {})
    if isinstance(train, dict) and train.get("minutes") is not None and "epochs" not in train:
        data["train"] = {**train, "epochs": 1_000_000}  # the time budget decides when to stop
    return resolve(TextRunConfig, data)


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

    run_dir: Path | None
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
    net = NextSymbolNet(model_cfg)  # the life cycle seeds the RNG around build()
    logger.info(
        "training on %s symbols (%s held out), vocabulary %d, %s parameters",
        f"{len(corpus.train_ids):,}",
        f"{len(corpus.val_ids):,}",
        len(corpus.vocab),
        f"{sum(p.numel() for p in net.parameters()):,}",
    )
    meta = text_model_meta(model_cfg, corpus.vocab, config.data.seq_len, config.data.level)
    return net, meta


class TextRecipe:
    """``seqrnn text train``'s part of the life cycle: a per-step network on the stream."""

    def __init__(self, config: TextRunConfig):
        self.config = config
        self.corpus: TextCorpus | None = None
        self.scores: TextScores | None = None

    def build(self, ctx: distributed.DistContext) -> lifecycle.Parts:
        self.corpus = load_corpus(self.config.data)
        net, meta = _build_net(self.config, self.corpus)
        train_src, val_src = _sources(self.config, self.corpus)
        return lifecycle.Parts(net, StreamLMTask(), train_src, val_src, meta)

    def wrap(self, net: Any) -> TextModel:
        """The trained network as a text model."""
        assert self.corpus is not None
        d = self.config.data
        return TextModel(net, self.corpus.vocab, d.seq_len, d.level, default_device())

    def report(self, run: lifecycle.FinishedRun) -> dict[str, Any]:
        assert self.corpus is not None
        if len(self.corpus.val_ids) < 2:
            return {}
        self.scores = score_text(run.net, self.corpus.val_ids, self.config.data.eval_window)
        return self.scores.to_dict()


def train_text(
    config: TextRunConfig,
    callbacks: Sequence[Callback] = (),
    clock: TrainingClock | None = None,
    resume: str | Path | None = None,
) -> TextTrainResult:
    """Train a text model as ``config`` says and score it on the held-out end of the text.

    ``clock`` (optional) lets a caller share the training clock, e.g. to evaluate mid-run
    inside :meth:`TrainingClock.excluded`; ``resume`` continues a run folder.
    """
    recipe = TextRecipe(config)
    result = lifecycle.run(config, recipe, callbacks, resume, clock)
    model = recipe.wrap(result.net)
    seconds = result.train_seconds
    return TextTrainResult(result.run_dir, model, result.history, recipe.scores, seconds)


def text_resume_config(run_dir: str | Path) -> TextRunConfig:
    """The config a text run folder was trained with (to resume it)."""
    return lifecycle.resume_config(TextRunConfig, run_dir)


def evaluate_text(model_path: str | Path, files: Sequence[str], window: int = 64) -> TextScores:
    """Score a saved text model on whole text files (read and tokenised at its level)."""
    model = load_text_model(model_path)
    ids = model.encode(read_texts(list(files)))
    return score_text(model.net, ids, window)
