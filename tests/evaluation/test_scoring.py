"""Scoring equals the slow per-position loop of the original, for any model."""

import math

import numpy as np
import pytest
import torch

from seqrnn.data.vocab import Vocabulary
from seqrnn.data.windows import Targets
from seqrnn.evaluation.metrics import summarize
from seqrnn.evaluation.scoring import score_sequences
from seqrnn.models.base import NextSymbolModel


class TableModel(NextSymbolModel):
    """A fixed random function of the context: enough to check bookkeeping exactly."""

    def __init__(self, V=7, L=3):
        self.vocab = Vocabulary([str(i) for i in range(V - 2)])
        self.context_length = L
        g = torch.Generator().manual_seed(0)
        self.w = torch.randn(L, V, V, generator=g, dtype=torch.float64)
        self.calls = 0

    def next_log_probs(self, contexts):
        self.calls += 1
        logits = sum(self.w[i][contexts[:, i]] for i in range(self.context_length))
        return torch.log_softmax(logits, dim=1).float()


def slow_scores(model, sessions):
    out = []
    for s in sessions:
        padded = [0] * model.context_length + list(s)
        for t in range(len(s)):
            ctx = torch.tensor([padded[t : t + model.context_length]])
            lp = model.next_log_probs(ctx)[0]
            tgt = s[t]
            out.append((float(lp[tgt].exp()), int((lp > lp[tgt]).sum()) + 1, -float(lp[tgt])))
    return out


@pytest.mark.parametrize("dedupe", [True, False])
def test_equals_per_position_loop(dedupe):
    model = TableModel()
    rng = np.random.default_rng(0)
    sessions = [rng.integers(2, 7, size=n) for n in (5, 1, 9, 5)]
    sessions.append(sessions[0].copy())  # a repeated session
    s = score_sequences(model, sessions, batch_size=4, dedupe=dedupe)
    slow = slow_scores(model, sessions)
    assert len(s) == len(slow) == sum(len(x) for x in sessions)
    np.testing.assert_allclose(s.prob, [p for p, _, _ in slow], rtol=1e-5)
    assert s.rank.tolist() == [r for _, r, _ in slow]
    np.testing.assert_allclose(s.nll, [n for _, _, n in slow], rtol=1e-5)
    assert s.sequence.tolist() == [i for i, x in enumerate(sessions) for _ in x]
    assert s.position.tolist() == [t for x in sessions for t in range(len(x))]


def test_dedupe_scores_each_distinct_window_once():
    model = TableModel()
    sessions = [np.array([2, 3, 4, 2, 3, 4])] * 50
    score_sequences(model, sessions, batch_size=10_000)
    assert model.calls == 1


def test_full_window_targets_skip_first_positions():
    model = TableModel(L=3)
    s = score_sequences(model, [np.arange(2, 7)], targets=Targets.FULL_WINDOW)
    assert s.position.tolist() == [3, 4]


def test_metrics_by_hand():
    model = TableModel()
    s = score_sequences(model, [np.array([2, 3, 4, 5, 6, 2])])
    m = summarize(s, max_k=3)
    assert m.cross_entropy == pytest.approx(np.mean(s.nll))
    assert m.perplexity == pytest.approx(math.exp(np.mean(s.nll)))
    assert m.bits_per_symbol == pytest.approx(np.mean(s.nll) / math.log(2))
    assert m.top_k_accuracy[1] == pytest.approx(np.mean(s.rank == 1))
    assert m.top_k_accuracy[3] == pytest.approx(np.mean(s.rank <= 3))
    assert list(m.top_k_accuracy.values()) == sorted(m.top_k_accuracy.values())


def test_per_sequence_reductions():
    model = TableModel()
    sessions = [np.array([2, 3]), np.array([4, 5, 6])]
    s = score_sequences(model, sessions)
    top = s.per_sequence(s.nll, 3, "max")
    assert top[0] == pytest.approx(s.nll[:2].max()) and top[2] == 0.0


def test_nothing_to_score_gives_no_rows():
    model = TableModel(L=3)
    s = score_sequences(
        model, [np.array([2, 3]), np.array([], dtype=np.int64)], targets=Targets.FULL_WINDOW
    )
    assert len(s) == 0 and s.top_ids.shape == (0, 3)
