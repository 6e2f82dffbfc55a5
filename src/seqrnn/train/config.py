"""Training settings and the optimizer factory."""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import torch

from seqrnn.errors import ConfigError
from seqrnn.train.precision import Precision
from seqrnn.train.schedule import ScheduleConfig


class OptimizerName(enum.StrEnum):
    """Optimizers seqrnn offers (PyTorch's own implementations)."""

    ADAM = "adam"
    ADAMW = "adamw"
    RMSPROP = "rmsprop"  # the original program's choice
    SGD = "sgd"
    ADAGRAD = "adagrad"


@dataclass(frozen=True)
class TrainConfig:
    """How to train. ``grad_clip = 0`` disables clipping; ``patience = 0`` disables early
    stopping; ``device = "auto"`` takes CUDA when present; ``precision = "auto"`` runs forward
    passes in bf16 where the device has bfloat16 units (see :mod:`seqrnn.train.precision`).
    ``minutes`` is a training-time budget (training stops when it is spent, or after
    ``epochs``, whichever comes first) and ``schedule`` the learning-rate schedule, which
    follows the budget when there is one, else the planned steps (constant by default)."""

    epochs: int = 10
    batch_size: int = 64
    optimizer: OptimizerName = OptimizerName.ADAM
    learning_rate: float = 1e-3
    weight_decay: float = 0.0
    momentum: float = 0.0  # SGD and RMSprop
    grad_clip: float = 5.0
    patience: int = 0
    min_delta: float = 0.0
    seed: int = 0
    device: str = "auto"
    precision: Precision = Precision.AUTO
    cudnn: bool = True  # cuDNN's fused LSTM/GRU kernels on GPU; False: PyTorch's own
    minutes: float | None = None
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be a positive integer, got {getattr(self, name)}")
        for name in ("learning_rate", "weight_decay", "momentum", "grad_clip", "min_delta"):
            if not math.isfinite(getattr(self, name)):  # NaN / inf pass every `<= 0` test
                raise ConfigError(f"{name} must be a finite number, got {getattr(self, name)}")
        if self.learning_rate <= 0:
            raise ConfigError(f"learning_rate must be positive, got {self.learning_rate}")
        if self.grad_clip < 0 or self.patience < 0:
            raise ConfigError("grad_clip and patience must be >= 0")
        if self.minutes is not None and not self.minutes > 0:
            raise ConfigError(f"minutes must be a positive time budget, got {self.minutes}")


def resolve_device(name: str) -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; anything else as given."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        return torch.device(name)
    except RuntimeError as exc:
        raise ConfigError(f"device: {exc}") from None


def build_optimizer(
    config: TrainConfig, params: Iterable[torch.nn.Parameter]
) -> torch.optim.Optimizer:
    """The optimizer named in ``config`` over ``params``."""
    lr, wd, name = config.learning_rate, config.weight_decay, OptimizerName(config.optimizer)
    if name is OptimizerName.ADAM:
        return torch.optim.Adam(params, lr=lr, weight_decay=wd)
    if name is OptimizerName.ADAMW:
        return torch.optim.AdamW(params, lr=lr, weight_decay=wd)
    if name is OptimizerName.RMSPROP:
        return torch.optim.RMSprop(params, lr=lr, weight_decay=wd, momentum=config.momentum)
    if name is OptimizerName.SGD:
        return torch.optim.SGD(params, lr=lr, weight_decay=wd, momentum=config.momentum)
    return torch.optim.Adagrad(params, lr=lr, weight_decay=wd)
