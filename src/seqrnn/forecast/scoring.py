"""Score point and quantile forecasts of a panel with one set of metric functions, so the
networks and the statistical references are measured by the same code: sMAPE (M3
definition), MASE, MAPE, RMSE, and for quantile forecasts the 95 % coverage and MSIS; per
series, then averaged over all series and per category.

``smape_abs`` is the sMAPE with absolute values in the denominator. The M3 definition has
none, so a forecast below zero gives a *negative* error (one M3 series where Theta forecasts
below zero scores -1030 % and lowers Theta's mean over 1,428 series by 0.7 points); choices
are therefore made on ``smape_abs``, which cannot reward such a forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd

from seqrnn.forecast.metrics import mape, mase_scale, rmse, smape, smape_m3
from seqrnn.forecast.quantiles import HIGH95, LOW95, coverage, msis

POINT = ("smape", "smape_abs", "mase", "mape", "rmse")


def score_series(
    y: np.ndarray, f: np.ndarray, train: np.ndarray, season: int, q: np.ndarray | None = None
) -> dict[str, float]:
    """Metrics of one series: truth ``y`` ``[H]``, forecast ``f`` ``[H]``, quantiles ``[H, Q]``.

    MAPE is NaN when ``y`` has a zero; MASE and MSIS are NaN when the training series is too
    short for, or constant at, the seasonal naive scale. Missing truth values are left out."""
    keep = np.isfinite(y)
    if not keep.any():
        return dict.fromkeys([*POINT, *(("coverage95", "msis") if q is not None else ())], np.nan)
    y, f, q = y[keep], f[keep], None if q is None else q[keep]
    m = season if len(train) > season else 1
    scale = mase_scale(train, m) if len(train) > m else float("nan")
    row = {
        "smape": smape_m3(y, f),
        "smape_abs": smape(y, f),
        "mase": float(np.mean(np.abs(y - f)) / scale) if scale > 0 else float("nan"),
        "mape": mape(y, f) if np.all(y != 0) else float("nan"),
        "rmse": rmse(y, f),
    }
    if q is not None:
        row["coverage95"] = coverage(y, q[:, LOW95], q[:, HIGH95])
        row["msis"] = msis(y, q[:, LOW95], q[:, HIGH95], scale) if scale > 0 else float("nan")
    return row


def score_panel(
    y: np.ndarray,
    f: np.ndarray,
    train: list[np.ndarray],
    season: int,
    q: np.ndarray | None = None,
    ids: list[str] | None = None,
    categories: list[str] | None = None,
) -> pd.DataFrame:
    """One row per series (``id``, ``category`` and the metrics)."""
    rows = []
    for i in range(len(y)):
        row = score_series(y[i], f[i], train[i], season, None if q is None else q[i])
        row["id"] = ids[i] if ids else str(i)
        row["category"] = categories[i] if categories else ""
        rows.append(row)
    return pd.DataFrame(rows)


def summary(
    scores: dict[str, pd.DataFrame], by_category: bool = False, metric: str = "smape"
) -> pd.DataFrame:
    """Mean of every metric per method (rows), optionally per category (columns of
    ``metric``)."""
    if by_category:
        return pd.DataFrame(
            {name: s.groupby("category")[metric].mean() for name, s in scores.items()}
        ).T
    cols = [*POINT, "coverage95", "msis"]
    return pd.DataFrame(
        {name: s.reindex(columns=cols).mean(numeric_only=True) for name, s in scores.items()}
    ).T
