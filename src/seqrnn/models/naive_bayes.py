"""The original program's Naive Bayes next-symbol classifier, vectorised with NumPy.

The ``L`` ids of a window are ``L`` categorical features, one per window position; the class
is the next id. Positions are assumed independent given the class::

    log P(y | x_1..x_L) = log P(y) + sum_i log P(x_i at position i | y) - log Z

with Lidstone smoothing (``alpha = 1`` is Laplace)::

    P(y) = (N_y + alpha) / (N + alpha V),   P(x_i = v | y) = (N_{i,v,y} + alpha) / (N_y + alpha V)

Fitting is one ``np.add.at`` over all windows; prediction gathers ``[B, L, V]`` rows of the
log-likelihood table and sums them (the original looped over windows in Python).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch

from seqrnn.data.vocab import Vocabulary
from seqrnn.data.windows import Windows
from seqrnn.errors import ConfigError
from seqrnn.io.checkpoint import Checkpoint, save_checkpoint
from seqrnn.models.base import NextSymbolModel
from seqrnn.models.kinds import load_checkpoint_of

KIND = "naive_bayes"


class NaiveBayesModel(NextSymbolModel):
    """Categorical Naive Bayes over window positions; ``context_length`` is the window ``L``."""

    def __init__(
        self, vocab: Vocabulary, log_prior: np.ndarray, log_like: np.ndarray, alpha: float
    ):
        self.vocab = vocab
        self.log_prior = log_prior  # [V] log P(y)
        self.log_like = log_like  # [L, V(x), V(y)] log P(x at position i | y)
        self.context_length = int(log_like.shape[0])
        self.alpha = alpha

    @classmethod
    def fit(
        cls, sequences: list[np.ndarray], vocab: Vocabulary, window: int = 10, alpha: float = 1.0
    ) -> NaiveBayesModel:
        """Count (position, feature id, class) triples over all windows of ``sequences``."""
        if not math.isfinite(alpha):  # NaN passes `alpha <= 0`: refuse it by name
            raise ConfigError(f"the smoothing alpha must be a finite number, got {alpha}")
        if alpha <= 0:
            raise ConfigError(f"the smoothing alpha must be positive, got {alpha}")
        windows = Windows(sequences, window)
        rows = windows.rows().numpy()  # [N, L + 1]
        x, y = rows[:, :-1], rows[:, -1]
        V = len(vocab)
        class_count = np.bincount(y, minlength=V).astype(np.float64)  # [V]
        joint = np.zeros((window, V, V))  # [L, V(x), V(y)]
        pos = np.broadcast_to(np.arange(window), x.shape)
        np.add.at(joint, (pos.reshape(-1), x.reshape(-1), np.repeat(y, window)), 1.0)
        log_prior = np.log((class_count + alpha) / (class_count.sum() + alpha * V))
        log_like = np.log((joint + alpha) / (class_count + alpha * V))
        return cls(vocab, log_prior, log_like, alpha)

    def next_log_probs(self, contexts: torch.Tensor) -> torch.Tensor:
        """``[B, L]`` -> ``[B, V]``."""
        x = contexts.numpy()  # [B, L]
        L = self.context_length
        scores = self.log_prior + self.log_like[np.arange(L), x].sum(1)  # [B, L, V] -> [B, V]
        logits = torch.from_numpy(scores)
        return torch.log_softmax(logits, dim=-1).float()

    def describe(self) -> str:
        return f"Naive Bayes, window {self.context_length}, alpha {self.alpha:g}"

    def save(self, path: str | Path) -> None:
        """One checkpoint file, ``kind = "naive_bayes"``."""
        tensors = {
            "nb.log_prior": torch.from_numpy(self.log_prior),
            "nb.log_like": torch.from_numpy(self.log_like),
        }
        meta = {
            "kind": KIND,
            "alpha": self.alpha,
            "vocab": self.vocab.to_list(),
            "window": self.context_length,
        }
        save_checkpoint(path, Checkpoint(tensors, meta))


def load(path: str | Path) -> NaiveBayesModel:
    """Rebuild a saved classifier (the registry's loader for ``kind = "naive_bayes"``)."""
    ckpt = load_checkpoint_of(path, [KIND])
    t = ckpt.section("nb")
    vocab = Vocabulary.from_list(ckpt.meta["vocab"])
    if t["log_like"].shape[1:] != (len(vocab), len(vocab)):
        raise ConfigError(f"{path}: the saved table does not match its vocabulary")
    return NaiveBayesModel(vocab, t["log_prior"].numpy(), t["log_like"].numpy(), ckpt.meta["alpha"])
