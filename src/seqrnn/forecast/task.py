"""Forecasting as a training task: mean squared error on scaled targets, with the recurrent
state carried between batches for the stateful framing."""

from __future__ import annotations

import copy
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from seqrnn.nn.encoder import State, detach_state
from seqrnn.train.callbacks import Callback
from seqrnn.train.trainer import StepOutput


class ForecastTask:
    """Loss for ``(inputs [B, L, C], targets [B, H], reset)`` batches.

    Stateful: the state left by one batch is the initial state of the next (detached, so that
    back-propagation stops at the batch boundary) until a batch says ``reset``.
    """

    def __init__(self, stateful: bool):
        self.stateful = stateful
        self.state: State | None = None

    def step(
        self, net: nn.Module, batch: tuple[torch.Tensor, torch.Tensor, bool], train: bool
    ) -> StepOutput:
        x, y, reset = batch
        carried = None if (reset or not self.stateful) else self.state
        pred, state = net(x, carried)  # [B, H]
        self.state = detach_state(state) if self.stateful else None
        loss = F.mse_loss(pred, y)
        return StepOutput(loss=loss, count=y.numel())


class KeepBest(Callback):
    """Keeps, in memory, the weights of the epoch with the lowest ``val_loss`` (works without a
    run folder, e.g. inside a hyper-parameter search)."""

    def __init__(self) -> None:
        self.best = float("inf")
        self.weights: dict[str, torch.Tensor] | None = None

    def on_epoch_end(self, trainer: Any, row: dict[str, Any]) -> None:
        if "val_loss" in row and row["val_loss"] < self.best:
            self.best = row["val_loss"]
            self.weights = copy.deepcopy(trainer.net.state_dict())
