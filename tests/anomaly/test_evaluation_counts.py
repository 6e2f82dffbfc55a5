"""Labelled evaluation: every session counted, figures equal scikit-learn's, projection."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score, precision_score, recall_score

from seqrnn.anomaly.evaluation import evaluate, pr_curve
from seqrnn.errors import InputError


def test_counts_and_rates_match_scikit_learn():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 500)
    flags = np.where(rng.random(500) < 0.8, labels, 1 - labels).astype(bool)
    m = evaluate(flags, labels)
    assert m.tp + m.fp + m.tn + m.fn == 500
    assert m.precision == pytest.approx(precision_score(labels, flags))
    assert m.recall == pytest.approx(recall_score(labels, flags))
    assert m.f1 == pytest.approx(f1_score(labels, flags))
    assert m.fpr == pytest.approx(m.fp / (labels == 0).sum())


def test_projection_scales_false_positives_by_the_normal_count():
    labels = np.array([0] * 1000 + [1] * 100)
    flags = np.array([True] * 2 + [False] * 998 + [True] * 90 + [False] * 10)
    p = evaluate(flags, labels).projected(100_000)
    assert p.fp == 200 and p.tp == 90 and p.fn == 10
    assert p.precision == pytest.approx(90 / 290)
    assert p.f1 == pytest.approx(2 * (90 / 290) * 0.9 / (90 / 290 + 0.9))


def test_pr_curve_flags_infinite_scores_at_every_threshold():
    scores = np.array([0.0, 1.0, 2.0, np.inf])
    curve = pr_curve(scores, np.array([0, 0, 1, 1]))
    assert curve["recall"].min() == pytest.approx(0.5)  # the inf session is always caught
    assert curve["precision"].max() == 1.0


def test_labels_that_do_not_match_the_sessions_are_refused():
    with pytest.raises(InputError, match="3 labels for 2 sessions"):
        evaluate(np.array([True, False]), np.array([0, 1, 1]))
