"""A forecast run as it is used after training: its default forecaster (the network, or the
naive forecast its training-part backtest chose) and the intervals made from that backtest's
errors. ``seqrnn forecast predict`` and the HTTP service both forecast through it::

    run = load_default("runs/airline")
    p = run.predict(series, horizon=12)    # Prediction: point [H], quantiles [H, Q] or None
    p.to_dict()                            # {"forecast": [...], "quantiles": {"q0.025": ...},
                                           #  "intervals": {"80": {"low", "high"}, "95": ...}}
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from seqrnn.errors import InputError
from seqrnn.forecast.baselines import Forecaster
from seqrnn.forecast.choice import NETWORK, Choice, chosen_forecaster
from seqrnn.forecast.evaluation import forecast_from
from seqrnn.forecast.intervals import Intervals, describe
from seqrnn.forecast.neural import NeuralForecaster
from seqrnn.forecast.readers import Series
from seqrnn.forecast.workflow import DataConfig, load_choice, load_model, run_metrics


@dataclass
class Prediction:
    """A forecast past the end of a series: ``point`` ``[H]``, ``quantiles`` ``[H, Q]`` (NaN at
    steps past the intervals' reach; None without intervals) and a note on the intervals."""

    point: np.ndarray
    quantiles: np.ndarray | None
    note: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``forecast``, ``quantiles`` by level name and ``intervals`` (80 / 95 %
        low and high; both None without intervals) and ``intervals_note``."""
        out: dict[str, Any] = {"forecast": [float(v) for v in self.point]}
        if self.quantiles is None:
            out.update(quantiles=None, intervals=None)
        else:
            out.update(describe(self.quantiles))
        out["intervals_note"] = self.note
        return out


@dataclass
class RunForecaster:
    """A forecast run's default forecaster, its network, data settings, choice and intervals."""

    forecaster: Forecaster
    network: NeuralForecaster
    data: DataConfig
    choice: Choice | None
    intervals: Intervals | None
    missing: str = ""  # why there are no intervals

    @property
    def min_history(self) -> int:
        """How many past values a forecast needs."""
        return int(self.forecaster.min_history)

    def predict(self, series: Series, horizon: int | None = None) -> Prediction:
        """The ``horizon`` values after the end of ``series`` (default: the model's horizon),
        with the intervals around them as far as they reach."""
        horizon = self.network.config.horizon if horizon is None else horizon
        point = forecast_from(self.forecaster, series, len(series), horizon)
        if self.intervals is None:
            return Prediction(point, None, self.missing)
        reach = self.intervals.steps
        note = f"{self.intervals.source}; levels {', '.join(map(str, self.intervals.levels))}"
        if horizon > reach:
            note += f"; steps after +{reach} have no interval (the backtest reached {reach})"
        return Prediction(point, self.intervals.around(point), note)


def load_intervals(path: str | Path) -> Intervals | None:
    """The default's intervals recorded in a run folder's ``metrics.json`` (None for a bare
    model file, a run trained with ``choose = false`` or one too short to backtest)."""
    data = run_metrics(path).get("intervals")
    if not isinstance(data, dict):
        return None
    try:
        return Intervals.from_dict(data)
    except (KeyError, TypeError, ValueError) as err:
        raise InputError(f"intervals incomplete ({err})", Path(path) / "metrics.json") from None


def load_default(path: str | Path) -> RunForecaster:
    """The default forecaster of a run folder (or the bare network of a model file, which
    records no backtest and so has neither a choice nor intervals)."""
    network, data = load_model(path)
    choice = load_choice(path)
    forecaster: Forecaster = network
    if choice is not None and choice.chosen != NETWORK:
        forecaster = chosen_forecaster(choice, network, data.season)
    intervals = load_intervals(path)
    missing = ""
    if intervals is None:
        missing = (
            "no intervals: a bare model file records no backtest (give the run folder)"
            if not Path(path).is_dir()
            else "no intervals: the run made no backtest (choose = false, or too short)"
        )
    return RunForecaster(forecaster, network, data, choice, intervals, missing)
