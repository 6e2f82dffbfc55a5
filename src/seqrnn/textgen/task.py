"""Language modelling on a stream as a training task: per-step cross-entropy, state carried.

The task keeps the recurrent state between batches (one for training, one for validation, so
the two never mix), detaches it before each batch (truncated back-propagation through time:
gradients reach back at most one sequence length) and zeroes it for the columns the batch
marks as starting fresh.

Precision is the trainer's (``TrainConfig.precision``): bfloat16 autocast around this step
makes an LSTM step about three times cheaper on CPUs with AMX / AVX-512 BF16 units
(:func:`seqrnn.train.precision.fast_bf16` tells), and changes nothing else.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from seqrnn.data.streams import Batch
from seqrnn.nn.encoder import (
    State,
    detach_state,
    reset_columns,
    state_from_tensors,
    state_to_tensors,
)
from seqrnn.train.trainer import StepOutput


class StreamLMTask:
    """Loss for :class:`~seqrnn.data.streams.StreamBatches` batches on a per-step network
    (``net(x [B, T], state) -> (logits [B, T, V], state)``)."""

    def __init__(self) -> None:
        self._state: dict[bool, State | None] = {True: None, False: None}

    def state_tensors(self) -> dict[str, torch.Tensor]:
        """The carried training state, saved in checkpoints so that a run resumed mid-epoch
        continues the stream exactly (``h`` and, for LSTMs, ``c``)."""
        return state_to_tensors(self._state[True])

    def load_state_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        """Put back a state saved by :meth:`state_tensors`."""
        self._state[True] = state_from_tensors(tensors)

    def step(self, net: nn.Module, batch: Batch, train: bool) -> StepOutput:
        x, y, reset = batch  # [B, T], [B, T], [B]
        state = reset_columns(detach_state(self._state[train]), reset)
        logits, state = net(x, state)  # [B, T, V]
        self._state[train] = detach_state(state)
        logits = logits.float().reshape(-1, logits.size(-1))  # [B*T, V]
        targets = y.reshape(-1)  # [B*T]
        loss = F.cross_entropy(logits, targets)
        correct = int((logits.detach().argmax(-1) == targets).sum())
        return StepOutput(loss=loss, count=targets.numel(), correct=correct)
