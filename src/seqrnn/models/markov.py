"""Markov chain of order ``k`` with additive smoothing and back-off, vectorised with NumPy.

The original program's baseline was a first-order chain (transition counts with a uniform
prior) evaluated with Python loops. Here the counts of every context length ``0..k`` are kept
as sorted integer codes (a context ``c_1..c_j`` is the number ``sum c_i V^(j-i)``) with a count
row per code, so fitting is one ``np.unique`` per order and prediction one ``searchsorted``
per order, whatever the number of windows::

    P(y | context) = (count(context, y) + alpha) / (count(context) + alpha * V)

using the longest suffix of the context that occurred in training (back-off). Backing off
instead of answering "uniform" for an unseen context matters for detection: a uniform
distribution would rank every key first and hide the anomaly.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch

from seqrnn.data.vocab import PAD, Vocabulary
from seqrnn.data.windows import Windows
from seqrnn.errors import ConfigError
from seqrnn.io.checkpoint import Checkpoint, save_checkpoint
from seqrnn.models.base import NextSymbolModel
from seqrnn.models.kinds import load_checkpoint_of

KIND = "markov"


class MarkovModel(NextSymbolModel):
    """Order-``k`` chain; ``context_length == k`` (contexts are left-padded with ``PAD``)."""

    def __init__(
        self,
        vocab: Vocabulary,
        order: int,
        alpha: float,
        codes: list[np.ndarray],
        counts: list[np.ndarray],
    ):
        _check(order, alpha, len(vocab))
        self.vocab = vocab
        self.context_length = order
        self.alpha = alpha
        self.codes = codes  # per order j = 0..k: [C_j] sorted int64 context codes
        self.counts = counts  # per order j: [C_j, V] float64 next-symbol counts

    @classmethod
    def fit(
        cls, sequences: list[np.ndarray], vocab: Vocabulary, order: int = 1, alpha: float = 1.0
    ) -> MarkovModel:
        """Count transitions in encoded ``sequences`` (sessions never share a context)."""
        _check(order, alpha, len(vocab))
        windows = Windows(sequences, order)
        rows = windows.rows().numpy()  # [N, k + 1]
        V = len(vocab)
        codes, counts = [], []
        for j in range(order + 1):
            ctx = _encode(rows[:, order - j : order], V)  # [N] codes of the last j symbols
            uniq, inverse = np.unique(ctx, return_inverse=True)
            table = np.zeros((len(uniq), V))
            np.add.at(table, (inverse.reshape(-1), rows[:, -1]), 1.0)
            codes.append(uniq)
            counts.append(table)
        return cls(vocab, order, alpha, codes, counts)

    def next_log_probs(self, contexts: torch.Tensor) -> torch.Tensor:
        """``[B, L]`` -> ``[B, V]`` from the longest seen suffix of each context."""
        ctx = contexts.numpy()[:, -self.context_length :]  # [B, k]
        V = self.vocab_size
        table = np.zeros((len(ctx), V))
        found = np.zeros(len(ctx), dtype=bool)
        for j in range(self.context_length, -1, -1):  # longest suffix first
            code = _encode(ctx[:, self.context_length - j :], V)
            pos = np.searchsorted(self.codes[j], code).clip(max=len(self.codes[j]) - 1)
            hit = ~found & (self.codes[j][pos] == code)
            table[hit] = self.counts[j][pos[hit]]
            found |= hit
        probs = (table + self.alpha) / (table.sum(1, keepdims=True) + self.alpha * V)
        return torch.from_numpy(np.log(probs)).float()

    def describe(self) -> str:
        return f"Markov chain, order {self.context_length}, alpha {self.alpha:g}"

    def save(self, path: str | Path) -> None:
        """One checkpoint file, ``kind = "markov"``."""
        tensors = {}
        for j, (c, n) in enumerate(zip(self.codes, self.counts, strict=True)):
            tensors[f"markov.codes.{j}"] = torch.from_numpy(c)
            tensors[f"markov.counts.{j}"] = torch.from_numpy(n)
        meta = {
            "kind": KIND,
            "order": self.context_length,
            "alpha": self.alpha,
            "vocab": self.vocab.to_list(),
            "window": self.context_length,
        }
        save_checkpoint(path, Checkpoint(tensors, meta))


def load(path: str | Path) -> MarkovModel:
    """Rebuild a saved chain (the registry's loader for ``kind = "markov"``)."""
    ckpt = load_checkpoint_of(path, [KIND])
    order = int(ckpt.meta["order"])
    tensors = ckpt.section("markov")
    codes = [tensors[f"codes.{j}"].numpy() for j in range(order + 1)]
    counts = [tensors[f"counts.{j}"].numpy() for j in range(order + 1)]
    return MarkovModel(
        Vocabulary.from_list(ckpt.meta["vocab"]), order, float(ckpt.meta["alpha"]), codes, counts
    )


def _check(order: int, alpha: float, V: int) -> None:
    if order < 1:
        raise ConfigError(f"the Markov order must be a positive integer, got {order}")
    if not math.isfinite(alpha):  # NaN passes `alpha <= 0`: refuse it by name
        raise ConfigError(f"the smoothing alpha must be a finite number, got {alpha}")
    if alpha <= 0:
        raise ConfigError(f"the smoothing alpha must be positive, got {alpha:g}")
    if V**order >= 2**62:
        raise ConfigError(f"order {order} is too high for a vocabulary of {V} (codes overflow)")


def _encode(ctx: np.ndarray, V: int) -> np.ndarray:
    """Rows of ids ``[N, j]`` -> int64 codes ``[N]`` (base-``V`` digits; ``j = 0`` -> zeros)."""
    code = np.full(len(ctx), PAD, dtype=np.int64)
    for col in range(ctx.shape[1]):
        code = code * V + ctx[:, col]
    return code
