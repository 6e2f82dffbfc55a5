"""Fit the two counting baselines (Markov chain, Naive Bayes) from a training file.

They implement :class:`~seqrnn.models.base.NextSymbolModel`, are saved in the one checkpoint
format and loaded by the registry, so ``seqrnn detect`` and every other verb take them exactly
as they take a trained LSTM.
"""

from __future__ import annotations

import enum

from seqrnn.data.formats import InputFormat, read_sequences
from seqrnn.data.vocab import Vocabulary
from seqrnn.models.base import NextSymbolModel
from seqrnn.models.markov import MarkovModel
from seqrnn.models.naive_bayes import NaiveBayesModel


class Baseline(enum.StrEnum):
    """The counting models."""

    MARKOV = "markov"
    NAIVE_BAYES = "naive-bayes"


def fit_baseline(
    kind: Baseline,
    train: str,
    fmt: InputFormat = InputFormat.SESSIONS,
    order: int = 1,
    window: int = 10,
    alpha: float = 1.0,
) -> NextSymbolModel:
    """Read ``train``, build the vocabulary from it and fit the model (``order`` is the Markov
    order, ``window`` the Naive Bayes window)."""
    raw = read_sequences(train, fmt)
    vocab = Vocabulary.build(raw)
    encoded = [vocab.encode(s) for s in raw]
    if Baseline(kind) is Baseline.MARKOV:
        return MarkovModel.fit(encoded, vocab, order, alpha)
    return NaiveBayesModel.fit(encoded, vocab, window, alpha)
