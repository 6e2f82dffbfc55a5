"""Statistical references for a panel: seasonal naive, Naive2, Theta, the dynamic optimised
Theta (DOTM, Fiorucci et al. 2016), ETS and, on request, complex exponential smoothing (CES,
Svetunkov & Kourentzes) and ARIMA.

Naive2 and the seasonal adjustment are the M3/M4 definitions, written here with NumPy (a
90 % autocorrelation test at lag ``m``, then classical multiplicative decomposition); they are
also what the global network uses to deseasonalise its inputs. Theta, DOTM and ETS come from
``statsforecast`` (the optional extra ``stats``, imported only when asked for); without it,
Theta falls back to the classical recipe here (SES on the adjusted series plus half the
linear trend), and DOTM and ETS are left out with a log line.

Every function takes the training values of each series (a list of ``[N_i]`` arrays) and
returns point forecasts ``[S, H]`` in original units.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from functools import partial

import numpy as np

logger = logging.getLogger(__name__)


def is_seasonal(y: np.ndarray, m: int) -> bool:
    """The M4 seasonality test: the lag-``m`` autocorrelation is significant at 90 %."""
    if m <= 1 or len(y) < 3 * m:
        return False
    d = y - y.mean()
    den = float(d @ d)
    if den == 0:
        return False
    acf = np.array([d[k:] @ d[: len(d) - k] / den for k in range(1, m + 1)])
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(acf[:-1] ** 2)) / len(y))
    return bool(abs(acf[-1]) > limit)


def seasonal_indices(y: np.ndarray, m: int) -> np.ndarray:
    """Multiplicative seasonal indices ``[m]`` (position ``i`` = time ``i mod m``) by classical
    decomposition; all ones when the series is not seasonal or not positive."""
    if not is_seasonal(y, m) or np.any(y <= 0):
        return np.ones(max(m, 1))
    kernel = np.r_[0.5, np.ones(m - 1), 0.5] / m if m % 2 == 0 else np.ones(m) / m
    trend = np.convolve(y, kernel, mode="valid")  # centred moving average
    start = (len(kernel) - 1) // 2
    ratio = y[start : start + len(trend)] / trend
    idx = np.array([ratio[(i - start) % m :: m].mean() for i in range(m)])
    return idx * m / idx.sum()


def seasonal_factors(y: np.ndarray, m: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices over the history ``[N]`` and over the next ``horizon`` steps ``[H]``."""
    idx = seasonal_indices(y, m)
    t = np.arange(len(y) + horizon) % len(idx)
    return idx[t[: len(y)]], idx[t[len(y) :]]


def naive2(train: list[np.ndarray], horizon: int, m: int) -> np.ndarray:
    """The last seasonally adjusted value, re-seasonalised: ``[S, H]``."""
    out = []
    for y in train:
        past, future = seasonal_factors(y, m, horizon)
        out.append((y[-1] / past[-1]) * future)
    return np.stack(out)


def seasonal_naive(train: list[np.ndarray], horizon: int, m: int) -> np.ndarray:
    """The value one season earlier (the last value for series shorter than a season)."""
    k = np.arange(horizon)
    return np.stack(
        [
            y[len(y) + k - m * (k // m + 1)] if len(y) >= m else np.full(horizon, y[-1])
            for y in train
        ]
    )


def theta_classic(train: list[np.ndarray], horizon: int, m: int) -> np.ndarray:
    """Classical Theta (Assimakopoulos & Nikolopoulos 2000) as in the M4 benchmarks: SES on
    the adjusted series plus half the slope of its linear trend; the fallback when
    ``statsforecast`` is not installed."""
    out = []
    for y in train:
        past, future = seasonal_factors(y, m, horizon)
        a = y / past
        slope = np.polyfit(np.arange(len(a)), a, 1)[0]
        level, alpha = _ses(a)
        k = np.arange(1, horizon + 1)
        drift = 0.5 * slope * (k - 1 + 1 / alpha - (1 - alpha) ** len(a) / alpha)
        out.append((level + drift) * future)
    return np.stack(out)


def _ses(a: np.ndarray) -> tuple[float, float]:
    """Simple exponential smoothing, alpha by grid search on one-step squared errors."""
    best = (np.inf, a[-1], 1.0)
    for alpha in np.linspace(0.05, 1.0, 20):
        level, sse = a[0], 0.0
        for v in a[1:]:
            sse += (v - level) ** 2
            level += alpha * (v - level)
        best = min(best, (sse, level, alpha))
    return float(best[1]), float(best[2])


def _statsforecast(model: str, train: list[np.ndarray], horizon: int, m: int) -> np.ndarray:
    """Fit one statsforecast model per series (its own per-series API, no data frames)."""
    from statsforecast.models import (  # lazy: optional extra
        AutoARIMA,
        AutoCES,
        AutoETS,
        AutoTheta,
        DynamicOptimizedTheta,
        Theta,
    )

    make = {
        "theta": lambda: Theta(season_length=m),
        "dotm": lambda: DynamicOptimizedTheta(season_length=m),
        "autotheta": lambda: AutoTheta(season_length=m),
        "ets": lambda: AutoETS(season_length=m),
        "ces": lambda: AutoCES(season_length=m),
        "arima": lambda: AutoARIMA(season_length=m),
    }[model]
    out = []
    for y in train:
        try:
            with warnings.catch_warnings():  # AutoETS divides by zero on some candidate fits
                warnings.simplefilter("ignore", RuntimeWarning)
                out.append(make().forecast(y=y.astype(float), h=horizon)["mean"])
        except Exception as err:  # a fit that fails on one series: say so, use Naive2
            logger.warning("%s failed on a series (%s): Naive2 used instead", model, err)
            out.append(naive2([y], horizon, m)[0])
    return np.stack(out)


def has_statsforecast() -> bool:
    """Whether the optional extra ``stats`` is installed."""
    try:
        import statsforecast  # noqa: F401
    except ImportError:
        return False
    return True


def references(
    ets: bool = True, extra: tuple[str, ...] = ()
) -> dict[str, Callable[[list[np.ndarray], int, int], np.ndarray]]:
    """The statistical references by name, each ``(train, horizon, m) -> [S, H]``; ``extra``
    adds statsforecast's AutoCES (``ces``) or AutoARIMA (``arima``), left out without it."""
    refs: dict[str, Callable[[list[np.ndarray], int, int], np.ndarray]] = {
        "seasonal naive": seasonal_naive,
        "naive2": naive2,
    }
    if has_statsforecast():
        wanted = ("theta", "dotm", *(("ets",) if ets else ()), *extra)
        for name in wanted:
            refs[name] = partial(_statsforecast, name)
    else:
        logger.info("statsforecast not installed: classical Theta from seqrnn, no DOTM or ETS")
        refs["theta"] = theta_classic
    return refs
