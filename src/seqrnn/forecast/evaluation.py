"""Which times are forecast (the train/test split and its windows), evaluation of any
forecaster on both parts, and the rolling-origin backtest."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from seqrnn.errors import ConfigError, InputError
from seqrnn.forecast.baselines import Forecaster
from seqrnn.forecast.metrics import forecast_metrics
from seqrnn.forecast.readers import Series
from seqrnn.forecast.windows import gather_targets


class WindowMode(enum.StrEnum):
    """Which targets are forecast in each part.

    ``tutorial`` reproduces the tutorial's ``create_dataset``: windows of the test part start
    inside it (its first ``look_back`` values are inputs only) and the last value of each part
    is never a target. ``full`` forecasts every value whose history exists, the test part from
    its first value on (history from the training part is known at that time).
    """

    TUTORIAL = "tutorial"
    FULL = "full"


@dataclass(frozen=True)
class Split:
    """The first ``n_train`` of ``n`` values train; the rest test."""

    n: int
    n_train: int
    mode: WindowMode = WindowMode.FULL

    @classmethod
    def by_fraction(cls, n: int, fraction: float, mode: WindowMode) -> Split:
        """``int(n * fraction)`` training values, as the tutorial computes it."""
        n_train = int(n * fraction)
        if not 0 < n_train < n:
            raise InputError(f"a train fraction of {fraction} leaves no train or no test data")
        return cls(n, n_train, WindowMode(mode))

    def origins(self, part: str, min_history: int, horizon: int, look_back: int = 1) -> np.ndarray:
        """Forecast origins of ``part`` ("train" or "test") for a model that needs
        ``min_history`` past values (``look_back`` places the tutorial's first target)."""
        if self.mode is WindowMode.TUTORIAL:
            if part == "train":
                start, stop = max(look_back, min_history), self.n_train - horizon
            else:
                start, stop = self.n_train + look_back, self.n - horizon
        elif part == "train":
            start, stop = min_history, self.n_train - horizon + 1
        else:
            start, stop = max(self.n_train, min_history), self.n - horizon + 1
        return np.arange(max(start, min_history), max(stop, start), dtype=np.int64)


@dataclass
class Evaluation:
    """A forecaster's forecasts and metrics on both parts (original units)."""

    name: str
    origins: dict[str, np.ndarray] = field(default_factory=dict)
    forecasts: dict[str, np.ndarray] = field(default_factory=dict)  # part -> [S, H]
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)


def evaluate(
    forecaster: Forecaster,
    series: Series,
    split: Split,
    horizon: int = 1,
    season: int = 1,
    look_back: int = 1,
    test_origins: np.ndarray | None = None,
) -> Evaluation:
    """Forecast every origin of both parts in one call (a stateful network thus carries its
    state from train into test when they touch) and score them against the truth."""
    y = series.values
    parts = {
        "train": split.origins("train", forecaster.min_history, horizon, look_back),
        "test": split.origins("test", forecaster.min_history, horizon, look_back)
        if test_origins is None
        else np.asarray(test_origins, dtype=np.int64),
    }
    every = np.concatenate([parts["train"], parts["test"]])
    pred = forecaster.predict_at(y, every, horizon, series.covariates)  # [S, H]
    out = Evaluation(name=forecaster.name)
    at = 0
    for part, origins in parts.items():
        if len(origins) == 0:
            raise InputError(f"no {part} windows: the series is too short for this model")
        out.origins[part] = origins
        out.forecasts[part] = pred[at : at + len(origins)]
        at += len(origins)
        truth = gather_targets(y, origins, horizon)
        out.metrics[part] = forecast_metrics(truth, out.forecasts[part], y[: split.n_train], season)
    return out


def forecasts_at(
    forecaster: Forecaster, series: Series, origins: np.ndarray, horizon: int
) -> np.ndarray:
    """Forecasts ``[S, horizon]`` made at each of the increasing ``origins``. A stateful network
    first reads every origin from its shortest history on, carrying its state, as it does in
    :func:`evaluate`."""
    origins = np.asarray(origins, dtype=np.int64)
    if not getattr(forecaster, "stateful", False):
        return forecaster.predict_at(series.values, origins, horizon, series.covariates)
    every = np.arange(forecaster.min_history, origins[-1] + 1)
    pred = forecaster.predict_at(series.values, every, horizon, series.covariates)
    return pred[origins - forecaster.min_history]


def forecast_from(forecaster: Forecaster, series: Series, origin: int, horizon: int) -> np.ndarray:
    """The forecast ``[horizon]`` made at ``origin`` (``len(series)`` = the future). A stateful
    network first reads the whole history up to there, carrying its state."""
    if horizon < 1:
        raise ConfigError(f"horizon must be a positive integer, got {horizon}")
    return forecasts_at(forecaster, series, np.array([origin]), horizon)[0]


def rolling_origin(
    series: Series,
    fit: Callable[[int], Forecaster],
    initial: int,
    horizon: int,
    step: int,
    folds: int,
    season: int = 1,
) -> list[dict[str, float]]:
    """Rolling-origin backtest: for fold ``k`` fit on the first ``initial + k*step`` values
    (``fit(n_train)`` returns a fitted forecaster) and forecast the next ``horizon``."""
    y, rows = series.values, []
    for k in range(folds):
        end = initial + k * step
        if end + horizon > len(y):
            break
        forecaster = fit(end)
        pred = forecast_from(forecaster, series, end, horizon)
        row = {"fold": k + 1, "train_end": end}
        row.update(forecast_metrics(y[end : end + horizon], pred, y[:end], season))
        rows.append(row)
    if not rows:
        raise InputError(f"no backtest fold fits: initial {initial} + horizon {horizon} > {len(y)}")
    return rows
