"""Forecast errors in original units: RMSE, MAE, MAPE, sMAPE and MASE.

RMSE, MAE and MAPE are scikit-learn's; sMAPE and MASE (Hyndman & Koehler 2006) are written
here because scikit-learn has none. MAPE and sMAPE are percentages. MASE divides the MAE by the
in-sample MAE of the seasonal naive forecast on the *training* data (lag ``season``; 1 = plain
naive), so MASE < 1 means better than that naive forecast was in-sample.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import mean_absolute_error, mean_absolute_percentage_error, mean_squared_error

from seqrnn.errors import InputError

METRICS = ("rmse", "mae", "mape", "smape", "mase")


def rmse(y: np.ndarray, f: np.ndarray) -> float:
    """Root mean squared error."""
    return float(np.sqrt(mean_squared_error(y, f)))


def mae(y: np.ndarray, f: np.ndarray) -> float:
    """Mean absolute error."""
    return float(mean_absolute_error(y, f))


def mape(y: np.ndarray, f: np.ndarray) -> float:
    """Mean absolute percentage error, in percent (undefined where ``y`` is 0)."""
    return 100.0 * float(mean_absolute_percentage_error(y, f))


def smape(y: np.ndarray, f: np.ndarray) -> float:
    """Symmetric MAPE in percent: ``100 * mean(2|y - f| / (|y| + |f|))`` (0 where both are 0)."""
    den = np.abs(y) + np.abs(f)
    ratio = np.divide(2 * np.abs(y - f), den, out=np.zeros_like(den, dtype=float), where=den > 0)
    return 100.0 * float(np.mean(ratio))


def smape_m3(y: np.ndarray, f: np.ndarray) -> float:
    """sMAPE as the M3 competition defined it: ``100 * mean(2|y - f| / (y + f))``, no absolute
    values in the denominator. Equal to :func:`smape` when ``y`` and ``f`` are positive; with
    non-positive values it can mislead, so panel tables flag such series."""
    return 100.0 * float(np.mean(2 * np.abs(y - f) / (y + f)))


def mase_scale(y_train: np.ndarray, season: int = 1) -> float:
    """In-sample MAE of the (seasonal) naive forecast on the training values."""
    if len(y_train) <= season:
        raise InputError(f"MASE needs more than {season} training values, got {len(y_train)}")
    return float(np.mean(np.abs(y_train[season:] - y_train[:-season])))


def forecast_metrics(
    y: np.ndarray, f: np.ndarray, y_train: np.ndarray, season: int = 1
) -> dict[str, float]:
    """All five metrics of forecasts ``f`` against truth ``y`` (same shape, flattened)."""
    y, f = np.ravel(y), np.ravel(f)
    scale = mase_scale(np.asarray(y_train, dtype=float), season)
    return {
        "rmse": rmse(y, f),
        "mae": mae(y, f),
        "mape": mape(y, f),
        "smape": smape(y, f),
        "mase": mae(y, f) / scale if scale > 0 else float("nan"),
    }
