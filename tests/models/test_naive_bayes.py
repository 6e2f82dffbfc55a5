"""Naive Bayes baseline: the vectorised model equals the original's per-window loop."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from seqrnn.data.vocab import Vocabulary
from seqrnn.data.windows import Windows
from seqrnn.errors import ConfigError
from seqrnn.models.naive_bayes import NaiveBayesModel
from seqrnn.models.registry import load_next_symbol_model


def _data(seed: int = 0) -> tuple[Vocabulary, list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    sessions = [[str(k) for k in rng.integers(1, 6, rng.integers(3, 12))] for _ in range(30)]
    vocab = Vocabulary.build(sessions)
    return vocab, [vocab.encode(s) for s in sessions]


def _loop_reference(enc, vocab, window, alpha, context):
    """The original's way: count in Python loops, then score one context."""
    V = len(vocab)
    w = Windows(enc, window)
    rows = w.rows().tolist()
    class_n = [0] * V
    feat = {}
    for row in rows:
        y = row[-1]
        class_n[y] += 1
        for i, x in enumerate(row[:-1]):
            feat[(i, x, y)] = feat.get((i, x, y), 0) + 1
    scores = []
    for y in range(V):
        s = math.log((class_n[y] + alpha) / (len(rows) + alpha * V))
        for i, x in enumerate(context):
            s += math.log((feat.get((i, x, y), 0) + alpha) / (class_n[y] + alpha * V))
        scores.append(s)
    top = max(scores)
    z = top + math.log(sum(math.exp(s - top) for s in scores))
    return [s - z for s in scores]


def test_vectorised_model_equals_the_per_window_loop():
    vocab, enc = _data()
    model = NaiveBayesModel.fit(enc, vocab, window=4, alpha=0.3)
    contexts = torch.tensor([[0, 0, 2, 3], [4, 5, 2, 2], [1, 3, 0, 6]])
    got = model.next_log_probs(contexts).double().numpy()
    for row, ctx in zip(got, contexts.tolist(), strict=True):
        np.testing.assert_allclose(row, _loop_reference(enc, vocab, 4, 0.3, ctx), rtol=1e-5)


def test_model_file_round_trips_through_the_registry(tmp_path):
    vocab, enc = _data(1)
    model = NaiveBayesModel.fit(enc, vocab, window=5)
    model.save(tmp_path / "nb.safetensors")
    loaded = load_next_symbol_model(tmp_path / "nb.safetensors")
    ctx = torch.randint(0, len(vocab), (20, 5))
    assert loaded.context_length == 5
    torch.testing.assert_close(loaded.next_log_probs(ctx), model.next_log_probs(ctx))


def test_alpha_must_be_positive():
    vocab, enc = _data()
    with pytest.raises(ConfigError, match="the smoothing alpha must be positive, got -1"):
        NaiveBayesModel.fit(enc, vocab, 3, alpha=-1)
