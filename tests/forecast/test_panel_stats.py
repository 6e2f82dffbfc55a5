"""Statistical references: the seasonality test, Naive2, classical Theta (the fallback) against
statsforecast's Theta, and scoring that leaves missing truth values out."""

from __future__ import annotations

import numpy as np
import pytest

from seqrnn.forecast.scoring import score_series
from seqrnn.forecast.stats import (
    is_seasonal,
    naive2,
    references,
    seasonal_indices,
    theta_classic,
)

M = 12


def _seasonal(n: int = 72, trend: float = 0.0) -> np.ndarray:
    t = np.arange(n)
    return (100 + trend * t) * (1 + 0.3 * np.sin(2 * np.pi * t / M))


def test_seasonality_test():
    rng = np.random.default_rng(1)  # (seed 0 happens to pass the 90 % test: 1 in 10 do)
    assert is_seasonal(_seasonal(), M)
    assert not is_seasonal(100 + rng.standard_normal(72), M)
    assert not is_seasonal(_seasonal(24), M)  # under three seasons: never


def test_naive2_repeats_the_seasonal_pattern_of_a_flat_series():
    y = _seasonal()
    f = naive2([y], 24, M)[0]
    np.testing.assert_allclose(f, _seasonal(96)[72:], rtol=0.02)
    np.testing.assert_allclose(seasonal_indices(y, M).mean(), 1.0)


def test_theta_fallback_close_to_statsforecast():
    pytest.importorskip("statsforecast")
    from seqrnn.forecast.stats import _statsforecast

    rng = np.random.default_rng(1)
    y = _seasonal(96, trend=0.5) * np.exp(0.03 * rng.standard_normal(96))
    ours = theta_classic([y], 18, M)[0]
    theirs = _statsforecast("theta", [y], 18, M)[0]
    assert np.mean(np.abs(ours - theirs) / theirs) < 0.03


def test_extra_references_follow_a_seasonal_trend():
    pytest.importorskip("statsforecast")
    y = _seasonal(96, trend=0.5)
    refs = references(ets=True, extra=("ces", "arima"))
    assert list(refs) == ["seasonal naive", "naive2", "theta", "dotm", "ets", "ces", "arima"]
    truth = _seasonal(114, trend=0.5)[96:]
    for name in ("ets", "ces", "arima"):
        f = refs[name]([y, y[:60]], 18, M)
        assert f.shape == (2, 18)
        assert np.mean(np.abs(f[0] - truth) / truth) < 0.05, name


def test_scores_leave_missing_truth_out():
    y = np.array([1.0, np.nan, 3.0])
    row = score_series(y, np.array([1.0, 5.0, 3.0]), np.arange(1.0, 20.0), season=1)
    assert row["smape"] == 0 and row["rmse"] == 0
