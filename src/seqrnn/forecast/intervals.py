"""Prediction intervals for one series, from the errors the forecaster made in the training
part's backtest (the one that chose it, :mod:`~seqrnn.forecast.choice`).

Each backtest fit (trained on the values before its block) forecasts ``K`` steps from every
origin of its block; the absolute errors ``|truth - forecast|`` of step ``k`` over all those
origins are the sample whose quantiles, on either side of a new point forecast, make the
interval of step ``k``::

    training part:  ...........................................|
    fit 1 (block 1):  trained on [0, a)   origins a .. b-1     |   (forecasts K steps each,
    fit 2 (block 2):  trained on [0, b)        origins b .. n-K|    truth all inside [0, n))

    width[k, c] = quantile_c( |truth[o + k] - forecast_o[k]| ),  interval_c = point +- width

This is split conformal prediction (Lei et al. 2018) with the absolute error as the score: it
assumes the future errors are like the backtest's, nothing about their distribution. Nothing
after the training part is read. The levels are those of the global model
(:data:`~seqrnn.forecast.quantiles.LEVELS`: the 95 % and 80 % intervals and the median, which is
the point forecast); each coverage ``c`` is raised by ``(n + 1) / n``, the finite-sample
correction for ``n`` errors. Signed errors were tried first: on the airline series the backtest
fits (trained on 1949-1953) under-forecast the growth by a median of 36 passengers 7 steps
ahead, the final network did not, and the shifted intervals covered 68 % of the test part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from seqrnn.forecast.baselines import Forecaster
from seqrnn.forecast.choice import head
from seqrnn.forecast.evaluation import Split, forecasts_at
from seqrnn.forecast.nets import ModelConfig, Strategy
from seqrnn.forecast.quantiles import HIGH95, LEVELS, LOW95, coverage
from seqrnn.forecast.readers import Series
from seqrnn.forecast.windows import gather_targets

LOW80, HIGH80 = LEVELS.index(0.1), LEVELS.index(0.9)
INTERVALS = {"80": (LOW80, HIGH80), "95": (LOW95, HIGH95)}  # name -> (low, high) level index


def level_names(levels: tuple[float, ...] = LEVELS) -> list[str]:
    """``q0.025`` ... ``q0.975``: the column names of the global model's forecasts.csv."""
    return [f"q{q}" for q in levels]


@dataclass(frozen=True)
class Intervals:
    """Offsets per step and level: ``offsets`` ``[K, Q]`` added to a point forecast of up to
    ``K`` steps; ``count`` errors per step behind them; ``source`` says where they came from."""

    offsets: np.ndarray
    count: int
    source: str
    levels: tuple[float, ...] = LEVELS

    @property
    def steps(self) -> int:
        """How many steps ahead the intervals reach."""
        return len(self.offsets)

    def around(self, point: np.ndarray) -> np.ndarray:
        """Quantiles ``[..., H, Q]`` around point forecasts ``[..., H]``; NaN at steps past
        :attr:`steps` (no errors were seen that far ahead)."""
        point = np.asarray(point, dtype=np.float64)
        H = point.shape[-1]
        offsets = np.full((H, len(self.levels)), np.nan)
        k = min(H, self.steps)
        offsets[:k] = self.offsets[:k]
        return point[..., None] + offsets

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (for ``metrics.json``): the offsets by level name, step by step."""
        return {
            "levels": list(self.levels),
            "offsets": {
                name: [float(v) for v in self.offsets[:, i]]
                for i, name in enumerate(level_names(self.levels))
            },
            "count": self.count,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Intervals:
        """The inverse of :meth:`to_dict` (levels other than :data:`LEVELS` are refused)."""
        levels = tuple(float(q) for q in data["levels"])
        if levels != LEVELS:
            raise ValueError(f"interval levels {levels}, expected {LEVELS}")
        columns = [data["offsets"][name] for name in level_names(levels)]
        offsets = np.array(columns, dtype=np.float64).T.reshape(-1, len(levels))  # [K, Q]
        return cls(offsets, int(data["count"]), str(data["source"]), levels)


def errors_at(
    forecaster: Forecaster, series: Series, origins: np.ndarray, steps: int
) -> np.ndarray:
    """``truth - forecast`` ``[S, steps]`` from each origin (every ``origin + steps`` must lie
    inside ``series``)."""
    origins = np.asarray(origins, dtype=np.int64)
    truth = gather_targets(series.values, origins, steps)  # [S, K]
    return truth - forecasts_at(forecaster, series, origins, steps)


def backtest_errors(
    seen: Series,
    fits: list[tuple[int, int, Forecaster]],
    steps: int,
) -> np.ndarray:
    """The errors ``[N, steps]`` of the backtest fits ``(start, stop, forecaster)`` on the
    training part ``seen``: each fit forecasts from the origins of its block ``[start, stop)``
    (the last block's origins stop ``steps`` before the end of ``seen``)."""
    rows = []
    for start, stop, forecaster in fits:
        first = max(start, forecaster.min_history)
        origins = np.arange(first, min(stop, len(seen) - steps + 1))
        if len(origins):
            rows.append(errors_at(forecaster, seen, origins, steps))
    return np.concatenate(rows) if rows else np.empty((0, steps))


def from_errors(errors: np.ndarray, source: str, levels: tuple[float, ...] = LEVELS) -> Intervals:
    """Symmetric intervals from ``errors`` ``[N, K]``: the offset of level ``q`` at step ``k`` is
    ``sign(q - 0.5)`` times the ``|2q - 1|`` quantile of the step's absolute errors, that level
    raised by ``(N + 1) / N`` (split conformal prediction with the absolute error as the score;
    capped at the largest error). The median is the point forecast itself."""
    n = len(errors)
    if n == 0:
        raise ValueError("no backtest errors to make intervals from")
    signed = np.asarray(levels) - 0.5
    cover = np.minimum(1.0, 2 * np.abs(signed) * (n + 1) / n)  # [Q]
    width = np.quantile(np.abs(errors), cover, axis=0).T  # [K, Q]
    return Intervals(np.sign(signed) * width, n, source, tuple(levels))


def interval_coverage(intervals: Intervals, errors: np.ndarray) -> dict[str, float]:
    """Percent of ``errors`` ``[S, H]`` (truth - point forecast, held out) inside the 80 % and
    95 % intervals, over the steps the intervals reach; ``values``: how many were counted."""
    k = min(intervals.steps, errors.shape[1])
    e = errors[:, :k]
    if e.size == 0:
        return {"values": 0.0}
    out = {
        name: coverage(e, intervals.offsets[:k, lo], intervals.offsets[:k, hi])
        for name, (lo, hi) in INTERVALS.items()
    }
    out["values"] = float(e.size)
    return out


def describe(q: np.ndarray, levels: tuple[float, ...] = LEVELS) -> dict[str, Any]:
    """Quantiles ``[H, Q]`` as JSON: ``quantiles`` by level name and the 80 % / 95 % intervals
    as ``low`` / ``high`` lists (None where a value is NaN: past the intervals' reach)."""

    def values(column: np.ndarray) -> list[float | None]:
        return [float(v) if np.isfinite(v) else None for v in column]

    return {
        "quantiles": {name: values(q[:, i]) for i, name in enumerate(level_names(levels))},
        "intervals": {
            name: {"low": values(q[:, lo]), "high": values(q[:, hi])}
            for name, (lo, hi) in INTERVALS.items()
        },
    }


def interval_steps(cfg: ModelConfig, season: int, covariates: bool) -> int:
    """How far ahead the intervals of a run reach: the model's horizon, and at least one season
    for a recursive model (which forecasts any number of steps) without covariates."""
    recursive = cfg.strategy is Strategy.RECURSIVE and not cfg.stateful and not covariates
    return max(cfg.horizon, season) if recursive else cfg.horizon


def backtest_intervals(
    series: Series,
    split: Split,
    fits: list[tuple[int, int, Forecaster]],
    final: Forecaster,
    steps: int,
) -> tuple[Intervals, dict[str, float]] | None:
    """Intervals from the errors of the backtest fits on the training part, and their coverage
    of the test part by ``final`` (the forecaster trained on the whole training part); None when
    the backtest left no origin ``steps`` before the end of the training part."""
    seen = head(series, split.n_train)
    errors = backtest_errors(seen, fits, steps)
    if len(errors) == 0:
        return None
    blocks = ", ".join(f"[{a}, {b})" for a, b, _ in fits)
    source = (
        f"errors of {final.name} in the training part's backtest: {len(errors)} origins in "
        f"blocks {blocks}, {steps} steps ahead each"
    )
    intervals = from_errors(errors, source)
    k = min(steps, split.n - split.n_train)
    origins = split.origins("test", final.min_history, k)
    held_out = errors_at(final, series, origins, k) if len(origins) else np.empty((0, k))
    return intervals, interval_coverage(intervals, held_out)
