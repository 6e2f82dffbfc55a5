"""Judging a forecaster after training: on its own split beside the naive baselines, and by a
rolling-origin backtest that refits on a growing history.

These are what ``seqrnn forecast evaluate`` and ``seqrnn forecast backtest`` print; a
forecaster is only worth its cost where it beats the baselines measured in the same call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from seqrnn.config import replace
from seqrnn.forecast.baselines import Forecaster, naive_baselines
from seqrnn.forecast.evaluation import Evaluation, Split, evaluate, rolling_origin
from seqrnn.forecast.readers import Series
from seqrnn.forecast.workflow import (
    ForecastConfig,
    compare_baselines,
    describe,
    fit_forecaster,
    load_model,
    load_series,
)


def evaluate_saved(
    model: str | Path, data: str | Path | None = None
) -> tuple[list[Evaluation], Series]:
    """A saved forecaster (file or run folder) on the train/test split it was trained with,
    first, then the naive baselines on the same split and targets. ``data`` evaluates it on
    another series of the same layout (same columns, season and split rule)."""
    forecaster, data_cfg = load_model(model)
    if data:
        data_cfg = replace(data_cfg, path=str(data))
    series = load_series(data_cfg)
    split = Split.by_fraction(len(series), data_cfg.train_fraction, data_cfg.windows)
    cfg = forecaster.config
    evals = [evaluate(forecaster, series, split, cfg.horizon, data_cfg.season, cfg.look_back)]
    evals += compare_baselines(series, split, data_cfg.season, cfg.horizon, cfg.look_back)
    return evals, series


def write_evaluation(out_dir: str | Path, evals: list[Evaluation], series: Series) -> list[Path]:
    """``metrics.json`` (every forecaster's train/test metrics) and the tutorial's figure of
    the first forecaster; returns the files written."""
    from seqrnn.forecast.plots import classic_figure
    from seqrnn.io.atomic import make_dir
    from seqrnn.io.runs import save_metrics

    out = make_dir(out_dir)
    save_metrics(out, {e.name: e.metrics for e in evals})
    return [out / "metrics.json", classic_figure(series, evals[0], out / "forecast_classic.png")]


@dataclass(frozen=True)
class Backtest:
    """One forecaster's rolling-origin backtest: a row of metrics per fold and their means."""

    name: str
    folds: list[dict[str, float]]
    mean: dict[str, float] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean", mean_metrics(self.folds))


def backtest(
    config: ForecastConfig,
    series: Series | None = None,
    folds: int = 5,
    initial: int | None = None,
    step: int = 1,
    steps_ahead: int = 1,
) -> list[Backtest]:
    """Rolling-origin backtest of the network ``config`` describes, then of each naive baseline
    on the same folds: fold ``k`` refits on the first ``initial + k * step`` values and forecasts
    the next ``steps_ahead``. ``initial`` defaults to the config's train fraction of the series.
    Nothing is written: each fit trains in memory (:func:`fit_forecaster`)."""
    series = load_series(config.data) if series is None else series
    initial = initial or int(len(series) * config.data.train_fraction)
    season = config.data.season
    candidates: list[tuple[str, Callable[[int], Forecaster]]] = [
        (describe(config.model), backtest_fit(config, series))
    ]
    candidates += [(b.name, lambda _n, b=b: b) for b in naive_baselines(season)]
    return [
        Backtest(name, rolling_origin(series, fit, initial, steps_ahead, step, folds, season))
        for name, fit in candidates
    ]


def backtest_fit(config: ForecastConfig, series: Series) -> Callable[[int], Forecaster]:
    """``fit(n_train) -> Forecaster`` for :func:`~seqrnn.forecast.evaluation.rolling_origin`:
    a fresh network trained on the first ``n_train`` values only."""

    def fit(n_train: int) -> Forecaster:
        return fit_forecaster(series, config, n_train)[0]

    return fit


def mean_metrics(rows: list[dict[str, float]]) -> dict[str, float]:
    """Column means of backtest rows (fold bookkeeping left out)."""
    keys = [k for k in rows[0] if k not in ("fold", "train_end")]
    return {k: float(np.mean([r[k] for r in rows])) for k in keys}
