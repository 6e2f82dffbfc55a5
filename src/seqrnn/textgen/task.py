"""Language modelling on a stream as a training task: per-step cross-entropy, state carried.

The task keeps the recurrent state between batches (one for training, one for validation, so
the two never mix), detaches it before each batch (truncated back-propagation through time:
gradients reach back at most one sequence length) and zeroes it for the columns the batch
marks as starting fresh.

Precision: ``Precision.BF16`` runs the forward pass under ``torch.autocast`` in bfloat16 (the
weights and the optimizer stay in float32). On CPUs with AMX or AVX-512 BF16 units it makes
an LSTM step about three times cheaper; elsewhere keep ``FP32``.
"""

from __future__ import annotations

import contextlib
import enum

import torch
import torch.nn.functional as F
from torch import nn

from seqrnn.nn.encoder import State, detach_state
from seqrnn.textgen.batches import Batch
from seqrnn.train.trainer import StepOutput


class Precision(enum.StrEnum):
    """Arithmetic of the forward pass while training."""

    AUTO = "auto"  # BF16 where it is fast (CUDA with bf16, CPUs with AMX / AVX-512 BF16)
    FP32 = "fp32"
    BF16 = "bf16"  # autocast to bfloat16


def fast_bf16(device: torch.device) -> bool:
    """Whether ``device`` has bfloat16 matrix units (so BF16 autocast pays off)."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as fh:
            flags = fh.read()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def resolve_precision(precision: Precision, device: torch.device) -> Precision:
    """``AUTO`` -> ``BF16`` where :func:`fast_bf16`, else ``FP32``; others as given."""
    precision = Precision(precision)
    if precision is Precision.AUTO:
        return Precision.BF16 if fast_bf16(device) else Precision.FP32
    return precision


def autocast(precision: Precision, device: torch.device) -> contextlib.AbstractContextManager:
    """The autocast context for ``precision`` on ``device`` (a no-op unless BF16)."""
    if resolve_precision(precision, device) is not Precision.BF16:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=torch.bfloat16)


def reset_columns(state: State | None, reset: torch.Tensor) -> State | None:
    """Zero the state of the columns where ``reset [B]`` is true (``None`` = all zero)."""
    if state is None or bool(reset.all()):
        return None
    if not bool(reset.any()):
        return state
    keep = (~reset).to(_first(state).dtype)[None, :, None]  # [1, B, 1]
    if isinstance(state, tuple):
        return tuple(s * keep for s in state)  # type: ignore[return-value]
    return state * keep


def _first(state: State) -> torch.Tensor:
    return state[0] if isinstance(state, tuple) else state


class StreamLMTask:
    """Loss for :class:`~seqrnn.textgen.batches.StreamBatches` batches on a per-step network
    (``net(x [B, T], state) -> (logits [B, T, V], state)``)."""

    def __init__(self, precision: Precision = Precision.FP32):
        self.precision = Precision(precision)
        self._state: dict[bool, State | None] = {True: None, False: None}

    def step(self, net: nn.Module, batch: Batch, train: bool) -> StepOutput:
        x, y, reset = batch  # [B, T], [B, T], [B]
        state = reset_columns(detach_state(self._state[train]), reset)
        with autocast(self.precision if train else Precision.FP32, x.device):
            logits, state = net(x, state)  # [B, T, V]
        self._state[train] = detach_state(state)
        logits = logits.float().reshape(-1, logits.size(-1))  # [B*T, V]
        targets = y.reshape(-1)  # [B*T]
        loss = F.cross_entropy(logits, targets)
        correct = int((logits.detach().argmax(-1) == targets).sum())
        return StepOutput(loss=loss, count=targets.numel(), correct=correct)
