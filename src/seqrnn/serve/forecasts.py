"""The service's forecasters: a single-series run (its default and the intervals from its
training backtest) and a global network saved by ``seqrnn forecast global --save`` (its
quantiles), both answering ``POST /v1/forecast`` with the same fields::

    {"forecast": [...], "quantiles": {"q0.025": [...], ..., "q0.975": [...]},
     "intervals": {"80": {"low": [...], "high": [...]}, "95": {...}}, "intervals_note": "..."}

Each backend checks what the schema cannot (enough history, a horizon the model reaches,
positive values for the global network) and names the field in its answer; the forecasts
themselves run on the batching worker (:mod:`seqrnn.serve.batching`), several requests at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from seqrnn.config import to_dict
from seqrnn.forecast.default import RunForecaster, load_default
from seqrnn.forecast.global_io import read_global
from seqrnn.forecast.intervals import describe
from seqrnn.forecast.nets import Strategy
from seqrnn.forecast.quantiles import MEDIAN
from seqrnn.forecast.readers import Series
from seqrnn.forecast.selection import network_eligible
from seqrnn.serve.info import Kind, ModelInfo, file_sha256

GLOBAL_NOTE = (
    "quantiles of the global network (trained with the pinball loss on its panel{median}); "
    "the panel default's backtest calibration of the interval width is not applied"
)


def global_note(losses: Sequence[str]) -> str:
    """:data:`GLOBAL_NOTE` naming the median's loss where the members used another one."""
    other = sorted(set(losses) - {"pinball"})
    return GLOBAL_NOTE.format(
        median=f", the median with the {'/'.join(other)} loss" if other else ""
    )


class ForecastBackend:
    """The default forecaster of a single-series run, with its backtest intervals."""

    kind = Kind.FORECAST
    request = "forecast"  # which request model of :mod:`seqrnn.serve.schemas` it reads

    def __init__(self, run: RunForecaster, info: ModelInfo):
        self.run = run
        self.info = info

    @property
    def max_horizon(self) -> int | None:
        """The most steps one forecast reaches (None: any number, recursively)."""
        cfg = self.run.network.config
        direct = cfg.strategy is Strategy.DIRECT or cfg.stateful
        return cfg.horizon if direct and self.run.forecaster is self.run.network else None

    def problem(self, body: Any) -> str | None:
        """What the model cannot do with a valid request, as ``field: why``; None if nothing."""
        if len(self.run.network.scaler.shift) > 1:
            return "history: this model also reads covariates, which the service does not take"
        if len(body.history) < self.run.min_history:
            return (
                f"history: this model needs at least {self.run.min_history} values, "
                f"got {len(body.history)}"
            )
        if self.max_horizon is not None and body.horizon > self.max_horizon:
            return f"horizon: this model forecasts at most {self.max_horizon} steps"
        return None

    def forecast(self, bodies: Sequence[Any]) -> list[dict[str, Any]]:
        """Point forecast, quantiles and intervals for each request."""
        return [
            self.run.predict(Series(np.asarray(b.history, dtype=np.float64)), b.horizon).to_dict()
            for b in bodies
        ]


class GlobalForecastBackend:
    """A global network: quantile forecasts of any positive series long enough for it."""

    kind = Kind.FORECAST
    request = "global_forecast"

    def __init__(self, path: str | Path):
        saved = read_global(path)
        self.net, self.season = saved.forecaster, saved.season
        cfg = self.net.config
        config = {"global": to_dict(cfg), "season": self.season, "categories": self.net.vocabulary}
        what = f"global network: {len(self.net.members)} member(s), horizon {cfg.horizon}"
        self.note = global_note([net.loss for _, net in self.net.members])
        self.info = ModelInfo(
            Kind.FORECAST, "global-forecaster", str(path), file_sha256(path), what, None, config
        )

    def problem(self, body: Any) -> str | None:
        """What the model cannot do with a valid request, as ``field: why``; None if nothing."""
        cfg = self.net.config
        if body.horizon > cfg.horizon:
            return f"horizon: this model forecasts at most {cfg.horizon} steps"
        if self.season is None and body.season is None:
            return "season: this model's file records no season; give the series' season"
        if None not in (self.season, body.season) and body.season != self.season:
            return f"season: this model was trained with season {self.season}, got {body.season}"
        if body.category is not None and body.category not in self.net.vocabulary:
            known = ", ".join(self.net.vocabulary)
            return (
                f"category: {body.category!r} is not one of the model's categories ({known})"
                if known
                else "category: this model was trained without categories"
            )
        why = network_eligible([np.asarray(body.history, dtype=np.float64)], cfg).get(0)
        return None if why is None else f"history: {why}"

    def forecast(self, bodies: Sequence[Any]) -> list[dict[str, Any]]:
        """One forward pass per season for all requests: the median as the point forecast,
        the quantiles and the 80 % / 95 % intervals, and the request's id."""
        out: list[dict[str, Any]] = [{} for _ in bodies]
        for season in {self.season or b.season for b in bodies}:
            group = [i for i, b in enumerate(bodies) if (self.season or b.season) == season]
            series = [np.asarray(bodies[i].history, dtype=np.float64) for i in group]
            cats = [bodies[i].category or "" for i in group] if self.net.vocabulary else None
            q = self.net.predict(series, season, cats)  # [S, H, Q]
            for row, i in zip(q, group, strict=True):
                row = row[: bodies[i].horizon]
                out[i] = {
                    "id": bodies[i].id,
                    "forecast": [float(v) for v in row[:, MEDIAN]],
                    **describe(row),
                    "intervals_note": self.note,
                }
        return out


def load_forecast_backend(file: Path, run: str | Path) -> ForecastBackend:
    """The backend of a single-series run (``run``: the folder or model file given)."""
    default = load_default(run)
    config = dict(default.network.meta)
    config["default"] = default.choice.chosen if default.choice else "network"
    if default.intervals is not None:
        config["intervals"] = {"steps": default.intervals.steps, "count": default.intervals.count}
    description = f"{default.forecaster.name} ({default.missing or 'with intervals'})"
    info = ModelInfo(
        Kind.FORECAST, "forecast", str(file), file_sha256(file), description, None, config
    )
    return ForecastBackend(default, info)
