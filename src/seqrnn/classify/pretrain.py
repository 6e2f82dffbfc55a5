"""Pretraining the classifier's recurrent encoder as a word-level language model (ULMFiT,
Howard & Ruder 2018; Dai & Le 2015).

Labelled sentences are few; unlabelled text is plentiful. An LSTM language model trained on
the unlabelled text learns word vectors and how context changes them; the classifier then
starts from those weights instead of from noise. A bi-directional classifier needs two
models: a *forward* one (predicts the next word) for its forward direction and a *backward*
one (trained on the reversed stream, predicts the previous word) for its reverse direction.

Both are trained on one stream of the classifier's own tokens (same tokenizer, same
vocabulary), cut into columns for truncated back-propagation through time
(:class:`~seqrnn.data.streams.StreamBatches`, the text-generation task's batching), through
the shared life cycle. The output layer is an adaptive softmax (Grave et al. 2017): frequent
words get the full width, rare ones a narrower projection, which makes a 30k-word output
several times cheaper than a full softmax on a CPU. The result, a :class:`PretrainedEncoder`
(vocabulary, embedding, one recurrent stack per direction, and which corpus it saw), is saved
in the one checkpoint format and copied into a classifier by
:func:`seqrnn.classify.transfer.install`.
"""

from __future__ import annotations

import enum
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from seqrnn.classify.text import Tokenizer
from seqrnn.data.streams import Batch, StreamBatches
from seqrnn.data.vocab import PAD, Vocabulary
from seqrnn.errors import ConfigError, InputError
from seqrnn.nn.encoder import (
    EncoderConfig,
    RecurrentEncoder,
    State,
    detach_state,
    reset_columns,
)
from seqrnn.train import lifecycle
from seqrnn.train.config import TrainConfig
from seqrnn.train.precision import Precision
from seqrnn.train.schedule import Decay, ScheduleConfig
from seqrnn.train.trainer import StepOutput

logger = logging.getLogger(__name__)

DIRECTIONS = ("forward", "backward")


class PretrainMethod(enum.StrEnum):
    """What is learned from the unlabelled text."""

    VECTORS = "vectors"  # PPMI-SVD word vectors: the embedding only, seconds (classify.vectors)
    LM = "lm"  # forward/backward language models: embedding and recurrent stacks (ULMFiT)


@dataclass(frozen=True)
class PretrainConfig:
    """Pretraining on unlabelled text, and how the classifier is then fine-tuned.

    ``unlabelled``: files of unlabelled text (a table's ``data.text_column``, or one text per
    line); the training texts are added to them unless ``with_training_texts`` is off.
    ``method``: ``vectors`` (the default) learns word vectors from co-occurrences in seconds
    (:mod:`seqrnn.classify.vectors`, words within ``window`` of each other) and only starts the
    embedding from them; ``lm`` pretrains a language model per direction (minutes to hours).
    ``encoder``: start from a saved encoder (``encoder.safetensors`` of an earlier run, or
    :func:`save_encoder`) or from a ``seqrnn text train`` run, instead of pretraining here.
    ``epochs``/``minutes`` bound each direction's pretraining; ``layer_lr_decay`` divides
    the learning rate once per layer group below the output (discriminative learning
    rates), and ``gradual_unfreezing`` trains the output first, then one more group each
    epoch (see :mod:`seqrnn.classify.finetune`).
    """

    unlabelled: list[str] = field(default_factory=list)
    encoder: str | None = None
    with_training_texts: bool = True
    method: PretrainMethod = PretrainMethod.VECTORS
    window: int = 10  # co-occurrence window of the word vectors (chosen by inner CV, see docs)
    epochs: int = 2
    minutes: float | None = None
    seq_len: int = 70
    batch_size: int = 64
    learning_rate: float = 3e-3
    dropout: float = 0.1  # on the language model's input embeddings
    val_fraction: float = 0.05  # texts held out (from the end) for the perplexity
    cutoffs: tuple[int, ...] = (1000, 5000)  # adaptive-softmax frequency bands
    layer_lr_decay: float = 2.6
    gradual_unfreezing: bool = True

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.seq_len < 2 or self.batch_size < 1 or self.window < 1:
            raise ConfigError("pretrain.epochs, seq_len, batch_size and window must be positive")
        if not 0.0 <= self.val_fraction < 0.5:
            raise ConfigError(f"pretrain.val_fraction must be in [0, 0.5), got {self.val_fraction}")
        if self.layer_lr_decay < 1.0:
            raise ConfigError(f"pretrain.layer_lr_decay must be >= 1, got {self.layer_lr_decay}")
        if list(self.cutoffs) != sorted(set(self.cutoffs)) or any(c < 1 for c in self.cutoffs):
            raise ConfigError("pretrain.cutoffs must be increasing positive integers")

    @property
    def active(self) -> bool:
        """Whether the classifier starts from a pretrained encoder at all."""
        return bool(self.unlabelled) or self.encoder is not None


@dataclass
class PretrainedEncoder:
    """A pretrained embedding and one recurrent stack per direction, with their vocabulary.

    ``stacks[d]`` is the ``state_dict`` of a uni-directional :class:`RecurrentEncoder` of
    ``encoder`` shape over ``embedding [V, E]`` inputs; ``corpus`` records what it saw (file
    names, texts, tokens) and ``perplexity`` each direction's held-out perplexity.
    """

    vocab: Vocabulary
    embedding: torch.Tensor  # [V, E]
    encoder: EncoderConfig
    stacks: dict[str, dict[str, torch.Tensor]]
    corpus: dict[str, Any] = field(default_factory=dict)
    perplexity: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    curves: dict[str, list[float]] = field(default_factory=dict)  # held-out, per epoch

    def describe(self) -> dict[str, Any]:
        """What the run records about the encoder it started from."""
        e = self.encoder
        return {
            "corpus": self.corpus,
            "directions": sorted(self.stacks),
            "shape": f"{e.cell} {e.num_layers}x{e.hidden_size}, embedding {self.embedding.size(1)}",
            "vocab_size": len(self.vocab),
            "held_out_perplexity": self.perplexity,
            "perplexity_per_epoch": self.curves,
            "pretrain_seconds": round(self.seconds, 1),
        }


class EncoderLM(nn.Module):
    """``ids [B, T]`` (+ carried state) -> hidden states ``[B, T, H]``; the loss of the next
    symbols comes from :meth:`loss` (adaptive softmax over frequency ranks)."""

    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int,
        encoder: EncoderConfig,
        rank: torch.Tensor,
        cutoffs: Sequence[int],
        dropout: float,
    ):
        super().__init__()
        if encoder.bidirectional:
            raise ConfigError("a language model reads one direction; the encoder must not be bi")
        self.embed = nn.Embedding(vocab_size, embedding_dim, padding_idx=PAD)
        self.dropout = nn.Dropout(dropout)
        self.encoder = RecurrentEncoder(embedding_dim, encoder)
        self.register_buffer("rank", rank)  # [V]: vocabulary id -> frequency rank
        cuts = [c for c in cutoffs if c < vocab_size - 1] or [max(1, (vocab_size - 1) // 2)]
        self.head = nn.AdaptiveLogSoftmaxWithLoss(encoder.hidden_size, vocab_size, cuts, 4.0)

    def forward(self, x: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        out, state = self.encoder(self.dropout(self.embed(x)), state)  # [B, T, H]
        return self.dropout(out), state

    def loss(self, hidden: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood (nats) of ``targets [N]`` after ``hidden [N, H]``."""
        return self.head(hidden, self.rank[targets]).loss


class AdaptiveLMTask:
    """Truncated BPTT on :class:`StreamBatches`: the state is carried between batches,
    detached, and reset for the columns a batch marks fresh (as the text task does)."""

    def __init__(self) -> None:
        self._state: dict[bool, State | None] = {True: None, False: None}

    def step(self, net: nn.Module, batch: Batch, train: bool) -> StepOutput:
        x, y, reset = batch  # [B, T], [B, T], [B]
        state = reset_columns(detach_state(self._state[train]), reset)
        hidden, state = net(x, state)  # [B, T, H]
        self._state[train] = detach_state(state)
        loss = net.loss(hidden.reshape(-1, hidden.size(-1)).float(), y.reshape(-1))
        return StepOutput(loss=loss, count=y.numel())


@dataclass(frozen=True)
class _LMRun:
    """The life cycle's view of one in-memory pretraining run."""

    train: TrainConfig
    runs_dir: str | None = None
    name: str | None = None


class LMRecipe:
    """One direction's language model on the token stream (the life cycle's recipe)."""

    def __init__(self, net: EncoderLM, train_ids: np.ndarray, val_ids: np.ndarray, cfg: Any):
        self.net, self.train_ids, self.val_ids, self.cfg = net, train_ids, val_ids, cfg

    def build(self, ctx: Any) -> lifecycle.Parts:
        c = self.cfg
        train = StreamBatches(self.train_ids, c.batch_size, c.seq_len, True, 0.0, 0)
        val = None
        cols = min(c.batch_size, len(self.val_ids) // (4 * c.seq_len))
        if cols >= 1:
            val = StreamBatches(self.val_ids, cols, c.seq_len, shuffle_offset=False)
        return lifecycle.Parts(self.net, AdaptiveLMTask(), train, val, {"kind": "encoder_lm"})

    def report(self, run: lifecycle.FinishedRun) -> dict[str, Any]:
        return {}


def frequency_rank(stream: np.ndarray, vocab_size: int) -> torch.Tensor:
    """``[V]``: each id's rank by frequency in ``stream`` (0 = most frequent)."""
    counts = np.bincount(stream, minlength=vocab_size)
    order = np.argsort(-counts, kind="stable")
    rank = np.empty(vocab_size, dtype=np.int64)
    rank[order] = np.arange(vocab_size)
    return torch.from_numpy(rank)


def token_stream(tokenizer: Tokenizer, vocab: Vocabulary, texts: Sequence[str]) -> np.ndarray:
    """All ``texts`` as one id stream, whole (never truncated), in order."""
    parts = [vocab.encode(tokenizer.tokenize(t)) for t in texts]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def pretrain_encoder(
    cfg: PretrainConfig,
    tokenizer: Tokenizer,
    embedding_dim: int,
    encoder: EncoderConfig,
    texts: Sequence[str],
    corpus: dict[str, Any],
    seed: int = 0,
    directions: Sequence[str] = DIRECTIONS,
) -> PretrainedEncoder:
    """Train a language model per direction on ``texts`` and return the shared parts.

    The vocabulary is built from ``texts`` with the classifier's tokenizer (so fine-tuning
    reads words exactly as pretraining did); the last ``val_fraction`` of the texts is held
    out for the perplexity. The backward model reads the forward model's embedding, frozen:
    the classifier has one embedding under both directions, so each direction must have been
    trained on exactly those word vectors. ``corpus`` (file names, say) is recorded as given.
    """
    began = time.perf_counter()
    vocab = tokenizer.build_vocab(texts)
    n_val = int(len(texts) * cfg.val_fraction)
    train_ids = token_stream(tokenizer, vocab, texts[: len(texts) - n_val])
    val_ids = token_stream(tokenizer, vocab, texts[len(texts) - n_val :])
    if len(train_ids) < cfg.batch_size * 2 + cfg.seq_len:
        raise InputError(
            f"too little unlabelled text to pretrain on ({len(train_ids):,} tokens; "
            f"need at least {cfg.batch_size * 2 + cfg.seq_len:,})"
        )
    rank = frequency_rank(train_ids, len(vocab))
    uni = EncoderConfig(encoder.cell, encoder.hidden_size, encoder.num_layers, encoder.dropout)
    out = PretrainedEncoder(vocab, torch.empty(0), uni, {})
    for d in directions:
        flip = (lambda a: a[::-1].copy()) if d == "backward" else (lambda a: a)
        with lifecycle.seeded(seed):
            net = EncoderLM(len(vocab), embedding_dim, uni, rank, cfg.cutoffs, cfg.dropout)
        if out.stacks:  # one embedding serves both directions: the first's, kept fixed
            net.embed.weight.data.copy_(out.embedding)
            net.embed.weight.requires_grad_(False)
        run = lifecycle.run(_lm_run(cfg, seed), LMRecipe(net, flip(train_ids), flip(val_ids), cfg))
        out.stacks[d] = {k: v.detach().clone() for k, v in net.encoder.state_dict().items()}
        out.embedding = net.embed.weight.detach().clone()  # [V, E]
        losses = [row["val_loss"] for row in run.history if "val_loss" in row]
        if losses:
            out.perplexity[d] = round(math.exp(min(losses)), 2)
            out.curves[d] = [round(math.exp(loss), 2) for loss in losses]
        logger.info("pretrained the %s language model: %s", d, run.history[-1])
    out.corpus = {**corpus, "texts": len(texts), "tokens": int(len(train_ids) + len(val_ids))}
    out.seconds = time.perf_counter() - began
    return out


def _lm_run(cfg: PretrainConfig, seed: int) -> _LMRun:
    """Adam, a slanted-triangular-like schedule (warm-up then linear decay), clipping."""
    schedule = ScheduleConfig(decay=Decay.LINEAR, warmup_steps=100, final_fraction=0.05)
    train = TrainConfig(
        epochs=cfg.epochs,
        batch_size=cfg.batch_size,
        learning_rate=cfg.learning_rate,
        grad_clip=1.0,
        seed=seed,
        device="cpu",
        precision=Precision.FP32,
        minutes=cfg.minutes,
        schedule=schedule,
    )
    return _LMRun(train)


def describe_sources(paths: Sequence[str]) -> list[str]:
    """File names as recorded in a run (base names and sizes, no absolute paths)."""
    out = []
    for p in paths:
        path = Path(p)
        size = path.stat().st_size if path.is_file() else 0
        out.append(f"{path.name} ({size:,} bytes)")
    return out
