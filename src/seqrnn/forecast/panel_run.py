"""A hold-out evaluation of a panel and the files it leaves: the last ``H`` values of every
series are cut off *before* anything is fitted or chosen, forecast by every method, and
scored; forecasts go to a CSV, fan charts to PNG files."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from seqrnn.errors import InputError
from seqrnn.forecast.panel import Panel
from seqrnn.forecast.quantiles import LEVELS
from seqrnn.forecast.scoring import score_panel, summary
from seqrnn.forecast.selection import PanelForecast, SelectionConfig, forecast_panel


@dataclass
class Holdout:
    """Forecasts of the held-out part and the scores of every method (per series)."""

    forecast: PanelForecast
    scores: dict[str, pd.DataFrame]

    def table(self, by_category: bool = False, metric: str = "smape") -> pd.DataFrame:
        """Mean metrics per method (or the mean ``metric`` per category)."""
        return summary(self.scores, by_category, metric)


def holdout(panel: Panel, config: SelectionConfig) -> Holdout:
    """Fit and choose on all but the last ``H`` values of each series, score on those ``H``
    (read only after the forecasts exist). The default's row comes first."""
    H = config.model.horizon
    for sid, y in zip(panel.ids, panel.values, strict=True):
        if len(y) < H + 3:
            raise InputError(f"series {sid}: {len(y)} values; a hold-out of {H} needs {H + 3}")
    train = panel.head(H)
    result = forecast_panel(train.values, panel.season, config, train.ids, train.categories)
    test = panel.tails(H)
    args = (train.values, panel.season)
    meta = {"ids": train.ids, "categories": train.categories}
    scores = {
        f"default = {result.chosen}": score_panel(
            test, result.point, *args, result.quantiles, **meta
        )
    }
    for name, f in result.points.items():
        q = result.network_quantiles if name == "network" else None
        scores[name] = score_panel(test, f, *args, q, **meta)
    return Holdout(result, scores)


def forecasts_csv(ids: list[str], result: PanelForecast) -> str:
    """``unique_id,step,method,forecast,q0.025,...`` for the default (``method``: what it used
    for that series), then one column per method."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    others = list(result.points)
    out.writerow(["unique_id", "step", "method", "forecast", *(f"q{q}" for q in LEVELS), *others])
    best = result.point
    for i, sid in enumerate(ids):
        for k in range(best.shape[1]):
            qs = [f"{v:.6g}" for v in result.quantiles[i, k]]
            rest = [f"{result.points[n][i, k]:.6g}" for n in others]
            out.writerow([sid, k + 1, result.methods[i], f"{best[i, k]:.6g}", *qs, *rest])
    return buf.getvalue()


def fan_charts(
    train: list[np.ndarray],
    result: PanelForecast,
    ids: list[str],
    chosen: list[str],
    path: str | Path,
    test: np.ndarray | None = None,
) -> None:
    """One panel per chosen series: history, the chosen forecast, its 80 % and 95 % bands
    (and the held-out values when given)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(chosen), 1, figsize=(8, 2.6 * len(chosen)), squeeze=False)
    for ax, sid in zip(axes[:, 0], chosen, strict=True):
        i = ids.index(sid)
        n, q = len(train[i]), result.quantiles[i]
        t = np.arange(n, n + q.shape[0])
        ax.plot(np.arange(n), train[i], color="0.3", lw=1, label="history")
        ax.fill_between(t, q[:, 0], q[:, -1], alpha=0.2, color="C0", label="95 %")
        ax.fill_between(t, q[:, 1], q[:, -2], alpha=0.35, color="C0", label="80 %")
        ax.plot(t, result.point[i], color="C0", label=f"default ({result.methods[i]})")
        if test is not None:
            ax.plot(t, test[i], color="C3", lw=1, label="actual")
        ax.set_title(sid, fontsize=9)
    axes[0, 0].legend(fontsize=7, ncol=5)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
