"""Quantile forecasts: the pinball loss that trains them and the interval metrics that score
them (coverage and the M4 competition's MSIS).

Quantile levels are fixed by :data:`LEVELS`: the 95 % interval (2.5 %, 97.5 %), the 80 %
interval (10 %, 90 %) and the median. Forecast arrays carry them on the last axis:
``[S, H, Q]``.
"""

from __future__ import annotations

import numpy as np
import torch

LEVELS = (0.025, 0.1, 0.5, 0.9, 0.975)
MEDIAN = LEVELS.index(0.5)
LOW95, HIGH95 = LEVELS.index(0.025), LEVELS.index(0.975)


def pinball_loss(pred: torch.Tensor, y: torch.Tensor, levels: torch.Tensor) -> torch.Tensor:
    """Mean quantile (pinball) loss of ``pred`` ``[B, H, Q]`` against ``y`` ``[B, H]``:
    ``max(q (y - f), (q - 1) (y - f))``, minimised by the ``q`` quantile."""
    diff = y.unsqueeze(-1) - pred  # [B, H, Q]
    return torch.maximum(levels * diff, (levels - 1) * diff).mean()


def coverage(y: np.ndarray, low: np.ndarray, high: np.ndarray) -> float:
    """Share of values inside ``[low, high]``, in percent."""
    return 100.0 * float(np.mean((y >= low) & (y <= high)))


def interval_score(
    y: np.ndarray, low: np.ndarray, high: np.ndarray, alpha: float = 0.05
) -> np.ndarray:
    """Winkler's interval score per value: the width plus ``2/alpha`` times the distance by
    which the value falls outside the interval (same shape as ``y``)."""
    return (
        (high - low) + (2 / alpha) * (low - y) * (y < low) + (2 / alpha) * (y - high) * (y > high)
    )


def msis(
    y: np.ndarray, low: np.ndarray, high: np.ndarray, scale: float, alpha: float = 0.05
) -> float:
    """Mean scaled interval score (Makridakis et al. 2020, M4): the mean interval score
    divided by the in-sample seasonal naive MAE ``scale`` (as MASE)."""
    score = interval_score(y, low, high, alpha)
    return float(np.mean(score) / scale) if scale > 0 else float("nan")


def widen(q: np.ndarray, factor: float) -> np.ndarray:
    """Scale the distance of every quantile from the median by ``factor`` (``[..., Q]``), the
    calibration applied when a backtest shows the intervals too narrow or too wide."""
    mid = q[..., MEDIAN : MEDIAN + 1]
    return mid + factor * (q - mid)
