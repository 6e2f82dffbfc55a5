"""Arithmetic of forward passes: bf16 autocast where the hardware has bfloat16 units.

``precision = "auto"`` (the default of every task) runs forward passes under
``torch.autocast(dtype=torch.bfloat16)`` on GPUs with bf16 support and on CPUs with AMX or
AVX-512 BF16 units, where a recurrent step is 2-3x cheaper, and in float32 elsewhere. Weights,
gradients and optimizer state stay float32 either way. An explicit ``bf16`` on a CPU without
those units is refused: oneDNN has no bf16 LSTM kernel there and would fail mid-training.
"""

from __future__ import annotations

import enum
import functools

import torch

from seqrnn.errors import TrainingError


class Precision(enum.StrEnum):
    """``auto``: bf16 where the device has bfloat16 units, else fp32."""

    AUTO = "auto"
    FP32 = "fp32"
    BF16 = "bf16"


@functools.cache
def _cpu_flags() -> str:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as fh:
            return fh.read()
    except OSError:
        return ""


def fast_bf16(device: torch.device) -> bool:
    """Whether ``device`` has bfloat16 matrix units (so bf16 autocast pays off)."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    flags = _cpu_flags()
    return "amx_bf16" in flags or "avx512_bf16" in flags


def use_bf16(precision: Precision | str, device: torch.device) -> bool:
    """Resolve ``precision`` on ``device``: True for bf16 autocast, False for fp32."""
    precision = Precision(precision)
    if precision is Precision.AUTO:
        return fast_bf16(device)
    if precision is Precision.BF16 and device.type == "cpu" and not fast_bf16(device):
        raise TrainingError(
            "train.precision = bf16: this CPU has no bfloat16 units (AMX or AVX-512 BF16), "
            "so recurrent layers cannot run in bf16 here; use auto or fp32"
        )
    return precision is Precision.BF16
