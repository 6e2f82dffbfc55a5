"""Every metric against a value worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from seqrnn.forecast.metrics import forecast_metrics

Y = np.array([100.0, 200.0, 400.0])
F = np.array([110.0, 180.0, 400.0])
TRAIN = np.array([10.0, 12.0, 11.0, 15.0])  # naive in-sample errors 2, 1, 4 -> MAE 7/3


def test_metrics_match_hand_computed_values():
    m = forecast_metrics(Y, F, TRAIN, season=1)
    assert m["rmse"] == pytest.approx(np.sqrt((100 + 400 + 0) / 3))  # 12.9099
    assert m["mae"] == pytest.approx(10.0)  # (10 + 20 + 0) / 3
    assert m["mape"] == pytest.approx(100 * (0.1 + 0.1 + 0) / 3)  # 6.6667 %
    smape = 100 * (2 * 10 / 210 + 2 * 20 / 380 + 0) / 3  # 6.6834 %
    assert m["smape"] == pytest.approx(smape)
    assert m["mase"] == pytest.approx(10.0 / (7 / 3))  # 4.2857


def test_seasonal_mase_scale():
    train = np.array([1.0, 2.0, 3.0, 5.0, 4.0, 6.0])  # lag-2 errors 2, 3, 1, 1 -> 7/4
    m = forecast_metrics(np.array([10.0]), np.array([13.5]), train, season=2)
    assert m["mase"] == pytest.approx(3.5 / 1.75)
