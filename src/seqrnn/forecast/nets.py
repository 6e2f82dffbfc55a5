"""Forecasting networks: the shared recurrent encoder with a linear head, or an MLP on the
flattened window (the tutorial's baseline network). Both answer ``forward(x, state)``."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import torch
from torch import nn

from seqrnn.errors import ConfigError
from seqrnn.forecast.transforms import ScalerKind, Transform
from seqrnn.nn.encoder import Cell, EncoderConfig, RecurrentEncoder, State


class Architecture(enum.StrEnum):
    """Which network."""

    RNN = "rnn"  # RecurrentEncoder + linear head
    MLP = "mlp"  # dense layers on the flattened window


class Framing(enum.StrEnum):
    """How a window reaches the recurrent network (the tutorial's framings)."""

    FEATURES = "features"  # one time step whose features are the L past values [B, 1, L*C]
    TIMESTEPS = "timesteps"  # L time steps of C features [B, L, C]
    STATEFUL = "stateful"  # time steps, with the state carried from batch to batch


class Strategy(enum.StrEnum):
    """How to forecast several steps ahead."""

    RECURSIVE = "recursive"  # one-step model fed its own forecasts
    DIRECT = "direct"  # the head outputs all H steps at once


def _default_encoder() -> EncoderConfig:
    return EncoderConfig(cell=Cell.LSTM, hidden_size=16, num_layers=1)


@dataclass(frozen=True)
class ModelConfig:
    """The forecaster: network, framing, what it predicts and how far. The defaults are the
    recommended configuration (see docs/forecasting.md)."""

    architecture: Architecture = Architecture.RNN
    framing: Framing = Framing.TIMESTEPS
    encoder: EncoderConfig = field(default_factory=_default_encoder)
    mlp_hidden: tuple[int, ...] = (12, 8)
    look_back: int = 12
    horizon: int = 1
    strategy: Strategy = Strategy.RECURSIVE
    transform: Transform = Transform.SEASONAL_DIFF
    scaler: ScalerKind = ScalerKind.STANDARD

    def __post_init__(self) -> None:
        for name, kind in (
            ("architecture", Architecture),
            ("framing", Framing),
            ("strategy", Strategy),
            ("transform", Transform),
            ("scaler", ScalerKind),
        ):
            object.__setattr__(self, name, kind(getattr(self, name)))  # plain strings too
        if self.look_back <= 0 or self.horizon <= 0:
            raise ConfigError("model.look_back and model.horizon must be positive integers")
        if (
            self.framing is Framing.STATEFUL
            and self.strategy is Strategy.RECURSIVE
            and self.horizon > 1
        ):
            raise ConfigError(
                "the stateful framing forecasts several steps with strategy 'direct' only"
            )

    @property
    def outputs(self) -> int:
        """Values the head emits per window."""
        return self.horizon if self.strategy is Strategy.DIRECT else 1

    @property
    def stateful(self) -> bool:
        """Whether the state is carried between batches."""
        return self.architecture is Architecture.RNN and self.framing is Framing.STATEFUL


class ForecastNet(nn.Module):
    """``x`` ``[B, L, C]`` (scaled, transformed) -> forecasts ``[B, outputs]`` and the state."""

    def __init__(self, config: ModelConfig, channels: int):
        super().__init__()
        self.config = config
        L, out = config.look_back, config.outputs
        if config.architecture is Architecture.MLP:
            layers: list[nn.Module] = []
            width = L * channels
            for h in config.mlp_hidden:
                layers += [nn.Linear(width, h), nn.ReLU()]
                width = h
            self.mlp = nn.Sequential(*layers, nn.Linear(width, out))
            return
        in_size = L * channels if config.framing is Framing.FEATURES else channels
        self.encoder = RecurrentEncoder(in_size, config.encoder)
        self.head = nn.Linear(self.encoder.output_size, out)

    def forward(
        self, x: torch.Tensor, state: State | None = None
    ) -> tuple[torch.Tensor, State | None]:
        B, L, C = x.shape  # batch, look-back, channels
        if self.config.architecture is Architecture.MLP:
            return self.mlp(x.reshape(B, L * C)), None  # [B, out]
        if self.config.framing is Framing.FEATURES:
            x = x.reshape(B, 1, L * C)  # the window as the features of one step
        out, state = self.encoder(x, state)  # [B, T, H]
        return self.head(out[:, -1]), state  # [B, out]
