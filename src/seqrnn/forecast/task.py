"""Forecasting as a training task: mean squared error on scaled targets, with the recurrent
state carried between batches for the stateful framing."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from seqrnn.nn.encoder import State, detach_state, state_from_tensors, state_to_tensors
from seqrnn.train.trainer import StepOutput


class ForecastTask:
    """Loss for ``(inputs [B, L, C], targets [B, H], reset)`` batches.

    Stateful: the state left by one batch is the initial state of the next (detached, so that
    back-propagation stops at the batch boundary) until a batch says ``reset``.
    """

    def __init__(self, stateful: bool):
        self.stateful = stateful
        self.state: State | None = None

    def state_tensors(self) -> dict[str, torch.Tensor]:
        """The carried state (stateful framing), saved in checkpoints for an exact resume."""
        return state_to_tensors(self.state)

    def load_state_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        """Put back a state saved by :meth:`state_tensors`."""
        self.state = state_from_tensors(tensors)

    def step(
        self, net: nn.Module, batch: tuple[torch.Tensor, torch.Tensor, bool], train: bool
    ) -> StepOutput:
        x, y, reset = batch
        carried = None if (reset or not self.stateful) else self.state
        pred, state = net(x, carried)  # [B, H]
        self.state = detach_state(state) if self.stateful else None
        loss = F.mse_loss(pred, y)
        return StepOutput(loss=loss, count=y.numel())
