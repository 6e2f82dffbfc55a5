"""Forecast combinations whose weights are fitted on the backtest (Bates & Granger 1969).

A plain mean weights its members equally; when one member errs less at the rolling origins it
can deserve more. :func:`fit_weights` searches a grid on the simplex (weights >= 0 summing to
1, in steps of ``step``) for the weights with the lowest mean sMAPE (absolute values, as the
choice uses) over the backtest's rows. Such a fit is in-sample, so the candidate would flatter
itself beside the others; :func:`cross_fitted` therefore forecasts each origin with weights
fitted on the *other* origins, and it is that forecast that the backtest scores and the choice
weighs against every other candidate. The final forecast uses the weights fitted on all
origins.
"""

from __future__ import annotations

import itertools

import numpy as np

from seqrnn.errors import ConfigError


def simplex(n: int, step: float) -> np.ndarray:
    """``[G, n]``: every weight vector on the grid (multiples of ``step``, summing to 1)."""
    k = round(1 / step)
    if n < 1 or k < 1 or abs(k * step - 1) > 1e-9:
        raise ConfigError(f"combination weights need n >= 1 and 1/step whole, got {n}, {step}")
    rows = [c for c in itertools.product(range(k + 1), repeat=n) if sum(c) == k]
    return np.array(rows, dtype=float) / k


def combine(w: np.ndarray, parts: list[np.ndarray]) -> np.ndarray:
    """``sum_i w[i] * parts[i]``: the weighted mean of point forecasts of one shape."""
    return np.tensordot(w, np.stack(parts), axes=1)


def row_smape(y: np.ndarray, f: np.ndarray) -> np.ndarray:
    """``[R]``: each row's sMAPE with absolute values (``metrics.smape``) over its finite
    truth values (NaN for a row with none); ``y``, ``f`` ``[R, H]``."""
    den = np.abs(y) + np.abs(f)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(den > 0, 2 * np.abs(y - f) / den, 0.0)
    ratio = np.where(np.isfinite(y), ratio, np.nan)
    scored = np.isfinite(y).sum(axis=1)
    return np.where(scored > 0, 100 * np.nansum(ratio, axis=1) / np.maximum(scored, 1), np.nan)


def fit_weights(y: np.ndarray, parts: list[np.ndarray], step: float = 0.1) -> np.ndarray:
    """``[P]``: the grid weights of ``parts`` (each ``[R, H]``) with the lowest mean row sMAPE
    against ``y`` ``[R, H]`` (ties: the first on the grid)."""
    if not np.isfinite(y).any():  # nothing to fit on: equal weights
        return np.full(len(parts), 1 / len(parts))
    stacked = np.stack(parts)  # [P, R, H], once for the whole grid (combine would restack)
    grid = simplex(len(parts), step)
    errors = [np.nanmean(row_smape(y, np.tensordot(w, stacked, axes=1))) for w in grid]
    return grid[int(np.argmin(errors))]


def cross_fitted(
    y: np.ndarray, parts: list[np.ndarray], origins: int, step: float = 0.1
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The combination at each of ``origins`` origins (rows stacked origin after origin, as
    the backtest stacks them) with weights fitted on the other origins' rows, and those
    weights, one ``[P]`` per origin. Needs at least two origins."""
    if origins < 2:
        raise ConfigError("cross-fitted weights need at least two origins")
    S = len(y) // origins
    out, used = np.empty_like(parts[0], dtype=float), []
    for o in range(origins):
        this = slice(o * S, (o + 1) * S)
        rest = np.r_[0 : o * S, (o + 1) * S : origins * S]
        w = fit_weights(y[rest], [p[rest] for p in parts], step)
        out[this] = combine(w, [p[this] for p in parts])
        used.append(w)
    return out, used
