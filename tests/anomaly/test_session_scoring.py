"""Session scoring: deduplication is a shortcut only; the batched scorer equals a batch-1
loop; the end marker; the same code for the LSTM and the baselines."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqrnn.anomaly.detectors import SessionAggregator, TopG
from seqrnn.anomaly.evaluation import evaluate
from seqrnn.anomaly.inputs import SessionSet
from seqrnn.anomaly.sessions import END_SYMBOL, judge, score_sessions
from seqrnn.anomaly.workflow import DetectConfig, detect
from seqrnn.data.vocab import Vocabulary
from seqrnn.models.markov import MarkovModel
from seqrnn.models.naive_bayes import NaiveBayesModel
from seqrnn.models.neural import NeuralNextSymbolModel
from seqrnn.nn.encoder import EncoderConfig
from seqrnn.nn.next_symbol import NextSymbolConfig, NextSymbolNet

NORMAL = [[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 6, 5], [2, 1, 3, 4, 5, 6]] * 10


def _models(with_end: bool = False):
    raw = [[str(k) for k in s] + ([END_SYMBOL] if with_end else []) for s in NORMAL]
    vocab = Vocabulary.build(raw)
    enc = [vocab.encode(s) for s in raw]
    net = NextSymbolNet(NextSymbolConfig(len(vocab), 8, EncoderConfig(hidden_size=8, num_layers=2)))
    lstm = NeuralNextSymbolModel(net, vocab, 3, "cpu")
    return [MarkovModel.fit(enc, vocab, 2, 0.1), NaiveBayesModel.fit(enc, vocab, 3), lstm]


@pytest.mark.parametrize("model", _models(), ids=["markov", "naive_bayes", "lstm"])
def test_deduplicated_scores_equal_hand_built_windows_for_every_model(model):
    sessions = [np.array(s) for s in [[1, 2, 3, 9, 5], [2, 1], [1, 2, 3, 9, 5], [4, 4, 4, 4]]]
    scores = score_sessions(model, sessions, top_k=3)
    ps = scores.positions
    L = model.context_length
    contexts, targets = [], []  # the reference: every window written out, no deduplication
    for u, t in zip(ps.sequence, ps.position, strict=True):
        ids = scores.distinct[int(u)]
        past = list(ids[max(0, int(t) - L) : int(t)])
        contexts.append([0] * (L - len(past)) + past)
        targets.append(int(ids[int(t)]))
    logp = model.next_log_probs(torch.tensor(contexts))  # [N, V], one batch
    lp_t = logp.gather(1, torch.tensor(targets)[:, None])  # [N, 1]
    np.testing.assert_allclose(ps.nll, -lp_t[:, 0].double().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(ps.rank, (logp > lp_t).sum(1).numpy() + 1)


def test_duplicates_are_scored_once_but_every_session_is_counted():
    model = _models()[0]
    sessions = SessionSet(
        sessions=[np.array(s) for s in [[1, 2, 3, 4, 5, 6]] * 50 + [[1, 2, 3, 9, 5, 6]] * 3],
        source=["f"] * 53,
        line=list(range(1, 54)),
        labels=np.array([0] * 50 + [1] * 3),
    )
    result = detect(model, sessions, DetectConfig(g=2, min_length=0))
    assert len(result.scores.distinct) == 2
    assert result.metrics.tn == 50 and result.metrics.tp == 3
    assert len(result.verdicts.anomalous) == 53


def test_unknown_keys_and_short_sessions_are_anomalous_and_explained():
    model = _models()[0]
    sessions = SessionSet(
        [np.array([1, 2, 3, 42, 5, 6]), np.array([1, 2]), np.array([])], ["f"] * 3, [1, 2, 3]
    )
    result = detect(model, sessions, DetectConfig(g=9))
    assert result.verdicts.anomalous.all()
    first = result.explanations[0]["positions"][0]
    assert first["key"] == "42" and first["unknown_key"] and first["position"] == 3
    assert "fewer than 3" in result.explanations[1]["reasons"][0]
    assert "has 0 keys" in result.explanations[2]["reasons"][0]


def test_end_marker_flags_a_session_that_stops_early():
    model = _models(with_end=True)[0]
    cut = [np.array([1, 2, 3, 4])]  # normal so far, but normal sessions do not end here
    scores = score_sessions(model, cut, top_k=3)
    verdict = judge(scores, TopG(1), SessionAggregator(0))
    assert verdict.anomalous[0]
    last = scores.positions.target[-1]
    assert model.vocab.symbols[int(last)] == END_SYMBOL


def test_every_session_counted_when_labels_come_with_duplicates():
    flags = np.array([True, True, False])
    assert evaluate(flags, np.array([1, 1, 0])).tp == 2


def test_automatic_thresholds_come_from_validation_sessions():
    from seqrnn.anomaly.detectors import Method, NllThreshold
    from seqrnn.anomaly.workflow import build_detector

    model = _models()[0]
    normal = [np.array(s) for s in NORMAL[:3]]
    val = SessionSet(normal, ["v"] * 3, [1, 2, 3], np.zeros(3, dtype=np.int64))
    quant = build_detector(model, DetectConfig(method=Method.QUANTILE, quantile=1.0), val)
    scores = score_sessions(model, normal)
    worst = judge(scores, NllThreshold(0.0), SessionAggregator(0)).scores.max()
    assert quant.threshold == pytest.approx(worst)  # no normal validation session is flagged
    odd = np.array([6, 5, 4, 3, 2, 1])
    labelled = SessionSet([*normal, odd], ["v"] * 4, [1, 2, 3, 4], np.array([0, 0, 0, 1]))
    best = build_detector(model, DetectConfig(method=Method.BEST_F1, min_length=0), labelled)
    flags = judge(score_sessions(model, labelled.sessions), best, SessionAggregator(0)).anomalous
    np.testing.assert_array_equal(flags, [False, False, False, True])
