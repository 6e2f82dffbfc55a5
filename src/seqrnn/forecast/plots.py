"""Forecast figures: the tutorial's classic one (series, train and test one-step forecasts)
and a forecast with its horizon beyond the last observation."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seqrnn.forecast.evaluation import Evaluation
from seqrnn.forecast.readers import Series
from seqrnn.plots.figures import new_figure, save_figure


def _ticks(ax: object, series: Series, n: int) -> None:
    """Label the x axis with dates (every 12th-ish) when the series has them."""
    if series.dates is None:
        ax.set_xlabel("time step")
        return
    every = max(1, n // 12)
    pos = np.arange(0, len(series.dates), every)
    ax.set_xticks(pos, [series.dates[i] for i in pos], rotation=45, ha="right", fontsize=8)


def classic_figure(series: Series, evaluation: Evaluation, path: str | Path) -> Path:
    """The tutorial's figure: the series (blue), one-step forecasts on the training part
    (orange) and on the test part (green), each drawn at the time it forecasts."""
    fig, ax = new_figure(size=(10, 4.5))
    ax.plot(series.values, color="tab:blue", label=f"{series.name} (observed)")
    for part, color in (("train", "tab:orange"), ("test", "tab:green")):
        origins = evaluation.origins[part]
        rmse = evaluation.metrics[part]["rmse"]
        ax.plot(
            origins,
            evaluation.forecasts[part][:, 0],
            color=color,
            label=f"{part} forecast (RMSE {rmse:.2f})",
        )
    ax.axvline(evaluation.origins["test"][0] - 0.5, color="grey", lw=0.8, ls=":")
    ax.set_title(f"{evaluation.name}: one-step forecasts")
    ax.legend(loc="upper left")
    _ticks(ax, series, len(series))
    return save_figure(fig, path)


def horizon_figure(
    series: Series,
    forecast: np.ndarray,
    origin: int,
    path: str | Path,
    name: str = "forecast",
    history: int = 48,
) -> Path:
    """The last ``history`` observations and the forecast ``[H]`` made at ``origin``, drawn
    over the steps it covers (shaded), with the observed values there when they exist."""
    fig, ax = new_figure(size=(10, 4.5))
    y = series.values
    start = max(0, origin - history)
    ax.plot(np.arange(start, origin), y[start:origin], color="tab:blue", label="history")
    steps = np.arange(origin, origin + len(forecast))
    known = steps[steps < len(y)]
    if len(known):
        ax.plot(known, y[known], color="tab:blue", ls="--", alpha=0.6, label="observed")
    ax.plot(steps, forecast, color="tab:red", marker=".", label=f"{name} ({len(forecast)} steps)")
    ax.axvspan(origin - 0.5, origin + len(forecast) - 0.5, color="tab:red", alpha=0.08)
    ax.set_title(f"forecast from step {origin}, horizon {len(forecast)}")
    ax.legend(loc="upper left")
    if series.dates is not None:
        labels = {i: d for i, d in enumerate(series.dates)}
        pos = np.arange(
            start, origin + len(forecast), max(1, (origin + len(forecast) - start) // 10)
        )
        ax.set_xticks(
            pos,
            [labels.get(int(i), f"+{int(i) - len(y) + 1}") for i in pos],
            rotation=45,
            ha="right",
            fontsize=8,
        )
    else:
        ax.set_xlabel("time step")
    return save_figure(fig, path)
