"""Markov chain baseline: counts as the formula says, back-off, one checkpoint format."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import ConfigError
from seqrnn.models.markov import MarkovModel
from seqrnn.models.registry import load_next_symbol_model

SESSIONS = [["1", "2", "3", "1", "2"], ["1", "2", "2", "3"], ["3", "1"]]


def _fit(order: int, alpha: float = 0.5) -> tuple[MarkovModel, Vocabulary, list[np.ndarray]]:
    vocab = Vocabulary.build(SESSIONS)
    enc = [vocab.encode(s) for s in SESSIONS]
    return MarkovModel.fit(enc, vocab, order, alpha), vocab, enc


def _ctx(vocab: Vocabulary, symbols: list[str], length: int) -> torch.Tensor:
    ids = vocab.encode(symbols)
    row = np.zeros(length, dtype=np.int64)
    row[length - len(ids) :] = ids
    return torch.from_numpy(row)[None]


def test_first_order_probabilities_are_smoothed_transition_counts():
    model, vocab, _ = _fit(1, alpha=0.5)
    V = len(vocab)  # pad, unk, 1, 2, 3
    # after "2": 2 -> 3 twice, 2 -> 2 once (3 transitions)
    p = model.next_log_probs(_ctx(vocab, ["2"], 1)).exp()[0].double()
    expected = np.full(V, 0.5 / (3 + 0.5 * V))
    expected[vocab.index["3"]] = 2.5 / (3 + 0.5 * V)
    expected[vocab.index["2"]] = 1.5 / (3 + 0.5 * V)
    np.testing.assert_allclose(p.numpy(), expected, rtol=1e-6)
    # the start of a session is the context "PAD": 1 twice, 3 once
    p0 = model.next_log_probs(torch.zeros(1, 1, dtype=torch.int64)).exp()[0]
    assert p0[vocab.index["1"]] == pytest.approx(2.5 / (3 + 0.5 * V), rel=1e-6)


def test_unseen_context_backs_off_to_its_longest_seen_suffix():
    model, vocab, _ = _fit(2)
    backed = model.next_log_probs(_ctx(vocab, ["3", "2"], 2))  # "3 2" never occurred
    first = _fit(1)[0].next_log_probs(_ctx(vocab, ["2"], 1))
    torch.testing.assert_close(backed, first)


def test_rows_are_distributions_and_the_model_file_round_trips(tmp_path):
    model, vocab, _ = _fit(3)
    ctx = torch.randint(0, len(vocab), (50, 3))
    lp = model.next_log_probs(ctx)
    torch.testing.assert_close(lp.exp().sum(1), torch.ones(50))
    model.save(tmp_path / "m.safetensors")
    loaded = load_next_symbol_model(tmp_path / "m.safetensors")
    assert isinstance(loaded, MarkovModel) and loaded.vocab == vocab
    torch.testing.assert_close(loaded.next_log_probs(ctx), lp)


def test_bad_settings_are_refused_with_a_message():
    vocab = Vocabulary.build(SESSIONS)
    enc = [vocab.encode(s) for s in SESSIONS]
    with pytest.raises(ConfigError, match="the Markov order must be a positive integer, got 0"):
        MarkovModel.fit(enc, vocab, 0)
    with pytest.raises(ConfigError, match="the smoothing alpha must be positive, got 0"):
        MarkovModel.fit(enc, vocab, 1, 0.0)
