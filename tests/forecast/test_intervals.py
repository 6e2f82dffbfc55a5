"""Single-series prediction intervals from the training part's backtest errors: they match the
noise's quantiles when the noise is known, cover about what they promise on a held-out part,
and reach the run folder, ``load_default`` and ``forecast predict``."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from seqrnn import forecast
from seqrnn.forecast.default import load_default
from seqrnn.forecast.evaluation import Split
from seqrnn.forecast.intervals import (
    Intervals,
    backtest_intervals,
    errors_at,
    from_errors,
    interval_coverage,
)
from seqrnn.forecast.quantiles import LEVELS


def test_intervals_of_gaussian_errors_are_its_quantiles():
    sigma = 2.0
    errors = np.random.default_rng(0).normal(0, sigma, size=(4000, 2))  # [N, K]
    i = from_errors(errors, "test")
    expected = sigma * norm.ppf(LEVELS)  # -3.92, -2.56, 0, 2.56, 3.92
    assert np.allclose(i.offsets, np.tile(expected, (2, 1)), atol=0.12)
    assert np.all(i.offsets[:, 2] == 0)  # the median is the point forecast


def test_few_errors_give_wider_intervals_never_beyond_the_largest():
    errors = np.random.default_rng(1).normal(size=(19, 1))
    i = from_errors(errors, "test")
    plain = np.quantile(np.abs(errors), 0.95)
    assert i.offsets[0, 4] > plain  # the (n + 1) / n correction
    assert i.offsets[0, 4] <= np.abs(errors).max()
    assert i.offsets[0, 0] == -i.offsets[0, 4]


def test_intervals_round_trip_and_stop_where_the_backtest_stopped():
    i = from_errors(np.random.default_rng(2).normal(size=(50, 3)), "backtest of x")
    again = Intervals.from_dict(i.to_dict())
    assert np.array_equal(again.offsets, i.offsets) and again.source == i.source
    q = i.around(np.array([10.0, 11.0, 12.0, 13.0]))  # [H, Q]
    assert q.shape == (4, 5) and np.all(np.isnan(q[3])) and np.all(np.isfinite(q[:3]))
    assert np.array_equal(q[:3, 2], [10.0, 11.0, 12.0])


def test_persistence_on_a_random_walk_gets_intervals_that_widen_like_the_square_root():
    y = np.cumsum(np.random.default_rng(3).normal(size=2000))
    series, split = forecast.Series(y), Split(2000, 1000)
    p = forecast.Persistence()
    made = backtest_intervals(series, split, [(200, 600, p), (600, 1000, p)], p, steps=4)
    assert made is not None
    intervals, cover = made
    width = intervals.offsets[:, 4]  # [K]: 1.96 sqrt(k) for a unit-variance walk
    assert np.allclose(width, 1.96 * np.sqrt([1, 2, 3, 4]), rtol=0.15)
    assert 92 <= cover["95"] <= 98 and 76 <= cover["80"] <= 84 and cover["values"] == 4 * 997


def test_a_trained_run_covers_95_percent_of_held_out_noise(small_config, tmp_path):
    """A seasonal series with N(0, 1) noise: whichever forecaster the backtest chooses, its
    95 % interval covers about 95 % of the test part (229 origins x 12 steps). The intervals
    rest on 69 backtest errors per step, so a few points either way are sampling noise
    (seeds 4-6 gave 99.1, 98.2 and 94.7 %); the large-sample check is the random walk's."""
    t = np.arange(480)
    y = 50 + 10 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(4).normal(size=480)
    config = small_config(data={"train_fraction": 0.5}, runs_dir=str(tmp_path), name="noise")
    result = forecast.train(config, series=forecast.Series(y))
    assert result.intervals is not None and result.intervals.steps == 12
    assert 90 <= result.coverage["95"] <= 99.5 and 72 <= result.coverage["80"] <= 88
    run = load_default(result.run_dir)  # the same intervals, read back from metrics.json
    assert np.array_equal(run.intervals.offsets, result.intervals.offsets)
    split = Split(480, 240)
    origins = split.origins("test", run.forecaster.min_history, 12)
    own = interval_coverage(
        run.intervals, errors_at(run.forecaster, forecast.Series(y), origins, 12)
    )
    assert own == pytest.approx(result.coverage)
    p = run.predict(forecast.Series(y), 12)
    assert p.quantiles is not None and np.all(p.quantiles[:, 0] < p.point)
    assert set(p.to_dict()["intervals"]) == {"80", "95"}


def test_runs_without_a_backtest_say_why_they_have_no_intervals(small_config, tmp_path):
    result = forecast.train(
        small_config(choose=False, runs_dir=str(tmp_path), name="r"),
        series=forecast.Series(50 + np.sin(np.arange(96))),
    )
    assert result.intervals is None
    p = load_default(result.run_dir).predict(forecast.Series(50 + np.sin(np.arange(96))), 2)
    assert p.quantiles is None and "no intervals" in p.note
    assert p.to_dict()["intervals"] is None
