"""Naive forecasters with the same interface as the networks, so that every table reports them
beside every network.

The one interface (:class:`Forecaster`): ``predict_at(y, origins, horizon)`` returns the
forecasts ``[S, H]`` made at each origin ``t`` for times ``t .. t+H-1``, in original units,
looking only at ``y[:t]``. Evaluation, backtests and plots are written once against it.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Forecaster(Protocol):
    """Anything that forecasts from history: baselines and trained networks alike."""

    name: str
    min_history: int  # how many past values a forecast needs

    def predict_at(
        self,
        y: np.ndarray,
        origins: np.ndarray,
        horizon: int,
        covariates: np.ndarray | None = None,
    ) -> np.ndarray:
        """Forecasts ``[S, horizon]`` made at each origin, from ``y[:origin]`` only."""
        ...


def _steps(horizon: int) -> np.ndarray:
    return np.arange(horizon)[None, :]  # [1, H]


class Persistence:
    """Tomorrow equals today: ``y[t+k] = y[t-1]``."""

    name = "persistence"
    min_history = 1

    def predict_at(
        self, y: np.ndarray, origins: np.ndarray, horizon: int, covariates: np.ndarray | None = None
    ) -> np.ndarray:
        """Forecasts ``[S, horizon]``; see :class:`Forecaster`."""
        return np.repeat(y[origins - 1][:, None], horizon, axis=1)


class SeasonalNaive:
    """The value one season earlier: ``y[t+k] = y[t+k-m*(k//m+1)]``."""

    name = "seasonal naive"

    def __init__(self, season: int):
        self.season = season
        self.min_history = season

    def predict_at(
        self, y: np.ndarray, origins: np.ndarray, horizon: int, covariates: np.ndarray | None = None
    ) -> np.ndarray:
        """Forecasts ``[S, horizon]``; see :class:`Forecaster`."""
        k = _steps(horizon)
        return y[origins[:, None] + k - self.season * (k // self.season + 1)]


class Mean:
    """The mean of all history before the origin."""

    name = "mean"
    min_history = 1

    def predict_at(
        self, y: np.ndarray, origins: np.ndarray, horizon: int, covariates: np.ndarray | None = None
    ) -> np.ndarray:
        """Forecasts ``[S, horizon]``; see :class:`Forecaster`."""
        csum = np.concatenate([[0.0], np.cumsum(y)])
        return np.repeat((csum[origins] / origins)[:, None], horizon, axis=1)


class Drift:
    """The last value plus the average change so far: a line through the first and last
    observed values, extended."""

    name = "drift"
    min_history = 2

    def predict_at(
        self, y: np.ndarray, origins: np.ndarray, horizon: int, covariates: np.ndarray | None = None
    ) -> np.ndarray:
        """Forecasts ``[S, horizon]``; see :class:`Forecaster`."""
        last = y[origins - 1]
        slope = (last - y[0]) / (origins - 1)
        return last[:, None] + slope[:, None] * (_steps(horizon) + 1)


def naive_baselines(season: int) -> list[Forecaster]:
    """The untrained baselines; seasonal naive only when the series has a season."""
    out: list[Forecaster] = [Persistence(), Mean(), Drift()]
    if season > 1:
        out.insert(1, SeasonalNaive(season))
    return out
