"""Naive baselines by hand, and on the airline series the issue's published figures."""

from __future__ import annotations

import numpy as np
import pytest

from seqrnn.forecast.baselines import Drift, Mean, Persistence, SeasonalNaive
from seqrnn.forecast.evaluation import Split, WindowMode, rolling_origin
from seqrnn.forecast.readers import Series, read_series
from seqrnn.forecast.workflow import compare_baselines

Y = np.array([1.0, 2.0, 4.0, 3.0, 5.0, 9.0])
AIRLINE = "src/seqrnn/sample_data/airline/airline.csv"


def test_baselines_by_hand():
    o = np.array([4])
    assert Persistence().predict_at(Y, o, 3).tolist() == [[3, 3, 3]]
    assert SeasonalNaive(2).predict_at(Y, o, 3).tolist() == [[4, 3, 4]]
    assert Mean().predict_at(Y, o, 2).tolist() == [[2.5, 2.5]]
    assert Drift().predict_at(Y, o, 2).tolist() == [[3 + 2 / 3, 3 + 4 / 3]]


def test_airline_baselines_match_the_issue_figures(pytestconfig):
    series = read_series(pytestconfig.rootpath / AIRLINE)
    assert len(series) == 144 and series.values.sum() == 40363
    split = Split.by_fraction(144, 0.67, WindowMode.TUTORIAL)
    test = {e.name: e.metrics["test"]["rmse"] for e in compare_baselines(series, split, 12, 1)}
    assert test["seasonal naive"] == pytest.approx(42.32, abs=0.005)
    assert test["persistence"] == pytest.approx(48.66, abs=0.005)


def test_bundled_airline_equals_shared_copy(shared_data, pytestconfig):
    bundled = (pytestconfig.rootpath / AIRLINE).read_bytes()
    assert bundled == (shared_data / "airline_passengers" / "Airline.csv").read_bytes()


def test_rolling_origin_backtest_of_persistence():
    rows = rolling_origin(Series(Y), lambda n: Persistence(), initial=3, horizon=2, step=1, folds=9)
    assert [r["train_end"] for r in rows] == [3, 4]  # a third fold would run past the end
    assert rows[0]["mae"] == pytest.approx((1 + 1) / 2)  # truth 3, 5; forecast 4, 4
    assert rows[1]["rmse"] == pytest.approx(np.sqrt((4 + 36) / 2))  # truth 5, 9; forecast 3
