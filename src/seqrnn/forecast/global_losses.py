"""The losses the global network trains with (:mod:`seqrnn.forecast.global_model`), all on
the log scale its windows live in: the pinball loss over the quantile levels, and for the median
output optionally the M3 sMAPE or a MASE-scaled absolute error in original units
(:data:`POINT_LOSSES`)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from seqrnn.forecast.metrics import mase_scale
from seqrnn.forecast.quantiles import LEVELS, MEDIAN, pinball_loss
from seqrnn.train.trainer import StepOutput


def smape_loss(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Half the M3 sMAPE (as a fraction) of forecasts whose logs are ``pred`` against values
    whose logs are ``y`` (same shape): for positive ``F = c e^p`` and ``A = c e^y``,
    ``2 |F - A| / (F + A) = 2 tanh(|p - y| / 2)``, so the level and the seasonal index that
    normalise a window cancel. Halved so that it is ``|p - y| / 2`` for small errors, the
    pinball loss of the median."""
    return torch.tanh((pred - y).abs() / 2).mean()


def mase_loss(pred: torch.Tensor, y: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Half the absolute error in original units, ``c |e^p - e^y|``, over the series' MASE
    scale: ``weight`` is ``c / scale`` (``c``: what the window's level and seasonal index
    multiply by), so series count by their scaled error, as in MASE."""
    return (weight * (pred.exp() - y.exp()).abs()).mean() / 2


POINT_LOSSES = ("pinball", "smape", "mase")  # the median output's loss (all: on the log scale)


class QuantileTask:
    """Pinball loss over :data:`LEVELS` for ``(x [B, L, 4], y [B, H], reset)`` batches; with
    ``point`` other than ``"pinball"`` the median output is trained with that loss instead
    (``"mase"`` batches carry ``y`` ``[B, H, 2]``: the targets and their weights)."""

    def __init__(self, point: str = "pinball") -> None:
        self.levels = torch.tensor(LEVELS)
        self.point = point

    def step(self, net: nn.Module, batch: tuple, train: bool) -> StepOutput:
        x, y, _ = batch
        weight = None
        if y.dim() == 3:
            y, weight = y[..., 0], y[..., 1]
        pred = net(x)  # [B, H, Q]
        levels = self.levels.to(pred.device)
        if self.point == "pinball":
            loss = pinball_loss(pred, y, levels)
        else:
            others = [k for k in range(len(LEVELS)) if k != MEDIAN]
            mid = pred[..., MEDIAN]
            point = smape_loss(mid, y) if self.point == "smape" else mase_loss(mid, y, weight)
            tails = pinball_loss(pred[..., others], y, levels[others])
            loss = (tails * len(others) + point) / len(LEVELS)  # as the mean over Q outputs
        return StepOutput(loss=loss, count=y.numel())


def loss_scale(y: np.ndarray, season: int) -> float:
    """The series' in-sample seasonal naive MAE, the divisor of :func:`mase_loss` (lag 1
    where the series is shorter than two seasons); its mean level where that is 0, so that a
    constant series gets a finite weight."""
    m = season if len(y) > 2 * season else 1
    scale = mase_scale(y, m) if len(y) > m else 0.0
    return scale if scale > 0 else float(np.mean(np.abs(y))) or 1.0
