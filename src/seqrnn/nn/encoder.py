"""One recurrent encoder for every task: a cell choice (RNN, LSTM, GRU), stacked layers,
dropout between layers, uni- or bi-directional, optional packing for padded batches.

All tasks (next-symbol, forecasting, classification, text generation) build on this module
rather than on per-cell copies.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from seqrnn.errors import ConfigError

State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]


class Cell(enum.StrEnum):
    """The recurrent cell."""

    RNN = "rnn"  # plain tanh RNN (Elman)
    LSTM = "lstm"
    GRU = "gru"


_CELLS: dict[Cell, type[nn.RNNBase]] = {Cell.RNN: nn.RNN, Cell.LSTM: nn.LSTM, Cell.GRU: nn.GRU}


@dataclass(frozen=True)
class EncoderConfig:
    """Shape of the recurrent stack. ``dropout`` acts between stacked layers."""

    cell: Cell = Cell.LSTM
    hidden_size: int = 64
    num_layers: int = 2
    dropout: float = 0.0
    bidirectional: bool = False

    def __post_init__(self) -> None:
        if self.hidden_size <= 0:
            raise ConfigError(f"hidden_size must be positive, got {self.hidden_size}")
        if self.num_layers <= 0:
            raise ConfigError(f"num_layers must be positive, got {self.num_layers}")
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"dropout must be in [0, 1), got {self.dropout}")


class RecurrentEncoder(nn.Module):
    """``[B, T, C]`` inputs -> ``[B, T, H * directions]`` outputs and the final state."""

    def __init__(self, input_size: int, config: EncoderConfig):
        super().__init__()
        self.config = config
        self.rnn = _CELLS[Cell(config.cell)](
            input_size=input_size,
            hidden_size=config.hidden_size,
            num_layers=config.num_layers,
            dropout=config.dropout if config.num_layers > 1 else 0.0,
            bidirectional=config.bidirectional,
            batch_first=True,
        )

    @property
    def output_size(self) -> int:
        """Features per time step of the output: hidden size times directions."""
        return self.config.hidden_size * (2 if self.config.bidirectional else 1)

    def forward(
        self,
        x: torch.Tensor,
        state: State | None = None,
        lengths: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, State]:
        """Run the stack over ``x`` ``[B, T, C]``.

        With ``lengths`` ``[B]`` the batch is packed so that right padding never reaches the
        recurrence (outputs past each length are zero, the final state is the one at the last
        real step). ``state`` carries memory in from a previous call (stateful use).
        """
        if lengths is None:
            out, state = self.rnn(x, state)  # [B, T, H*D]
            return out, state
        packed = pack_padded_sequence(
            x, lengths.clamp(min=1).cpu(), batch_first=True, enforce_sorted=False
        )
        out, state = self.rnn(packed, state)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.size(1))
        return out, state

    def last_hidden(self, state: State) -> torch.Tensor:
        """The top layer's final hidden state(s), directions concatenated: ``[B, H * D]``."""
        h = state[0] if isinstance(state, tuple) else state  # [layers * D, B, H]
        directions = 2 if self.config.bidirectional else 1
        top = h[-directions:]  # [D, B, H]
        return top.transpose(0, 1).reshape(h.size(1), -1)


def detach_state(state: State | None) -> State | None:
    """Cut the graph behind a carried state.

    Stateful training (text generation, stateful forecasting) carries the state from one
    batch to the next; without detaching, back-propagation would run through every batch since
    the start of the epoch and memory would grow without bound.
    """
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)  # type: ignore[return-value]
    return state.detach()


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


def state_to_tensors(state: State | None) -> dict[str, torch.Tensor]:
    """A recurrent state as named tensors (``h``, and ``c`` for an LSTM; none for ``None``),
    for a checkpoint."""
    if state is None:
        return {}
    if isinstance(state, tuple):
        return {"h": state[0].detach().cpu(), "c": state[1].detach().cpu()}
    return {"h": state.detach().cpu()}


def state_from_tensors(tensors: dict[str, torch.Tensor]) -> State | None:
    """The inverse of :func:`state_to_tensors`."""
    if "h" not in tensors:
        return None
    if "c" in tensors:
        return (tensors["h"], tensors["c"])
    return tensors["h"]
