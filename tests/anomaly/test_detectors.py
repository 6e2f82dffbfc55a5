"""Detectors, the session aggregator and automatic thresholds."""

from __future__ import annotations

import numpy as np
import pytest

from seqrnn.anomaly.detectors import (
    NllThreshold,
    SessionAggregator,
    TopG,
    fit_best_f1,
    fit_quantile,
    flag_windows,
)
from seqrnn.data.vocab import UNK
from seqrnn.errors import ConfigError
from seqrnn.evaluation.scoring import PositionScores


def _scores(seq, rank, nll, target=None) -> PositionScores:
    n = len(seq)
    return PositionScores(
        sequence=np.array(seq),
        position=np.arange(n),
        target=np.array(target if target is not None else [5] * n),
        prob=np.exp(-np.array(nll, dtype=float)),
        rank=np.array(rank),
        nll=np.array(nll, dtype=float),
        top_ids=np.zeros((n, 1), dtype=np.int64),
        top_probs=np.zeros((n, 1)),
    )


def test_top_g_flags_keys_outside_the_g_likeliest_and_every_unknown_key():
    s = _scores([0, 0, 0, 1], rank=[1, 9, 10, 1], nll=[0.1, 3, 4, 0.1], target=[5, 5, 5, UNK])
    np.testing.assert_array_equal(TopG(9).flags(s), [False, False, True, True])
    np.testing.assert_array_equal(NllThreshold(3.5).flags(s), [False, False, True, True])


def test_session_is_anomalous_when_any_position_is_or_it_is_too_short():
    s = _scores([0, 0, 1, 1, 2], rank=[1, 12, 1, 2, 1], nll=[0] * 5)
    det, agg = TopG(9), SessionAggregator(min_length=3)
    lengths = np.array([5, 5, 2, 0])
    scores = agg.session_scores(det.position_scores(s), s, lengths)
    np.testing.assert_array_equal(scores, [12, 2, np.inf, np.inf])
    np.testing.assert_array_equal(scores > det.threshold, [True, False, True, True])


def test_quantile_threshold_leaves_that_share_of_normal_sessions_below_it():
    normal = np.concatenate([np.linspace(0, 10, 1001), [np.inf]])
    det = fit_quantile(NllThreshold(0.0), normal, 0.99)
    assert det.threshold == pytest.approx(9.9)


def test_best_f1_threshold_is_the_best_cut_between_the_classes():
    scores = np.array([0.1, 0.2, 0.3, 2.0, 0.25, 3.0, 4.0, np.inf])
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    det = fit_best_f1(NllThreshold(0.0), scores, labels)
    assert det.threshold == 2.0  # flags 3.0, 4.0, inf: P 1, R 0.75, the best F1 here


def test_flag_windows_counts_flags_per_window_of_a_stream():
    flags = np.array([0, 1, 1, 0, 0, 0, 1, 0], dtype=bool)
    np.testing.assert_array_equal(flag_windows(flags, 4), [2, 1])
    np.testing.assert_array_equal(flag_windows(flags, 4, 2), [2, 1, 1])


def test_bad_detector_settings_are_refused():
    with pytest.raises(ConfigError, match="g must be a positive integer, got 0"):
        TopG(0)
    with pytest.raises(ConfigError, match="the quantile must be in"):
        fit_quantile(NllThreshold(0.0), np.ones(3), 1.5)
    with pytest.raises(ConfigError, match="need both normal and abnormal"):
        fit_best_f1(NllThreshold(0.0), np.ones(3), np.zeros(3))


def test_the_last_partial_window_of_a_stream_is_counted():
    flags = np.zeros(9, dtype=bool)
    flags[8] = True
    np.testing.assert_array_equal(flag_windows(flags, 4), [0, 0, 1])
