"""The next-symbol network: embedding (or one-hot) -> recurrent encoder -> linear head.

Two heads, as the original program's two mappings:

* ``Head.LAST``: logits for the symbol after the window, from the last step ``[B, V]``
  (for a bi-directional encoder, the last forward state and the first backward state);
* ``Head.PER_STEP``: logits after every step ``[B, T, V]`` (uni-directional only: a backward
  pass would see the answer).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from seqrnn.data.vocab import PAD
from seqrnn.errors import ConfigError
from seqrnn.nn.encoder import EncoderConfig, RecurrentEncoder, State


class Head(enum.StrEnum):
    """Where the network predicts."""

    LAST = "last"
    PER_STEP = "per_step"


@dataclass(frozen=True)
class NextSymbolConfig:
    """Architecture of a next-symbol network; ``vocab_size`` comes from the data."""

    vocab_size: int = 0
    embedding_dim: int = 64  # 0 = one-hot inputs (as the original program), no embedding
    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    head: Head = Head.LAST
    input_dropout: float = 0.0

    def __post_init__(self) -> None:
        if self.embedding_dim < 0:
            raise ConfigError(f"embedding_dim must be >= 0, got {self.embedding_dim}")
        if self.head is Head.PER_STEP and self.encoder.bidirectional:
            raise ConfigError(
                "a per-step head needs a uni-directional encoder: the backward direction "
                "would see the symbol it is asked to predict"
            )


class NextSymbolNet(nn.Module):
    """``x [B, T]`` (ids) -> logits ``[B, V]`` (last head) or ``[B, T, V]`` (per-step head)."""

    def __init__(self, config: NextSymbolConfig):
        super().__init__()
        if config.vocab_size <= 2:
            raise ConfigError("vocab_size must come from the data and exceed the 2 reserved ids")
        self.config = config
        if config.embedding_dim:
            self.embedding = nn.Embedding(config.vocab_size, config.embedding_dim, padding_idx=PAD)
            input_size = config.embedding_dim
        else:
            self.embedding = None
            input_size = config.vocab_size
        self.input_dropout = nn.Dropout(config.input_dropout)
        self.encoder = RecurrentEncoder(input_size, config.encoder)
        self.head = nn.Linear(self.encoder.output_size, config.vocab_size)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """ids ``[B, T]`` -> features ``[B, T, C]`` (one-hot built per batch, never stored)."""
        if self.embedding is not None:
            return self.input_dropout(self.embedding(x))
        return F.one_hot(x, self.config.vocab_size).float()

    def forward(self, x: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        """Logits and the encoder's final state (pass it back in to continue a stream)."""
        out, state = self.encoder(self.embed(x), state)  # [B, T, H*D]
        if self.config.head is Head.PER_STEP:
            return self.head(out), state  # [B, T, V]
        if self.config.encoder.bidirectional:
            features = self.encoder.last_hidden(state)  # [B, 2H]
        else:
            features = out[:, -1]  # [B, H]
        return self.head(features), state  # [B, V]
