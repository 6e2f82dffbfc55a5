"""How many parameters a one-layer recurrent next-symbol network has.

The original README counts a layer of hidden size ``H`` over ``C`` classes (one-hot in,
softmax out) as three matrices, ``U [H, C]``, ``V [C, H]`` and ``W [H, H]``::

    plain RNN, no biases:   2 H C + H^2          (H = 512, C = 3000: 3,334,144)

(it says "one layer of LSTM", but that is the plain RNN's count). A gated cell has one
``U``/``W`` pair per gate, ``g`` = 4 for the LSTM (write, keep, candidate, read) and 3 for
the GRU (reset, update, new), while the read-out ``V`` stays single::

    g (H C + H^2) + H C                       no biases
    + 2 g H + C                               PyTorch biases: b_ih and b_hh per gate, + c
    + g H + C   (+ H for the GRU)             the reference's one bias per gate (+ b_new_h)
"""

from __future__ import annotations

import enum

import torch
from torch import nn

from seqrnn.reference.cells import CellType

GATES = {CellType.RNN: 1, CellType.LSTM: 4, CellType.GRU: 3}


class BiasConvention(enum.StrEnum):
    """Whose biases are counted."""

    NONE = "none"  # the README's formula: weights only
    TORCH = "torch"  # nn.RNN/LSTM/GRU (bias_ih and bias_hh) + nn.Linear read-out
    REFERENCE = "reference"  # seqrnn.reference: one b per gate (+ b_new_h for the GRU) + c


def parameter_count(
    cell: CellType | str,
    classes: int,
    hidden_size: int,
    biases: BiasConvention | str = BiasConvention.TORCH,
) -> int:
    """Parameters of cell + softmax read-out over ``classes`` one-hot symbols (``C``)."""
    cell, biases = CellType(cell), BiasConvention(biases)
    g, C, H = GATES[cell], classes, hidden_size
    weights = g * (H * C + H * H) + H * C
    if biases is BiasConvention.NONE:
        return weights
    if biases is BiasConvention.TORCH:
        return weights + 2 * g * H + C
    return weights + g * H + (H if cell is CellType.GRU else 0) + C


def torch_parameter_count(cell: CellType | str, classes: int, hidden_size: int, bias: bool) -> int:
    """What PyTorch itself counts for ``nn.{RNN,LSTM,GRU}(C, H) + nn.Linear(H, C)`` (built on
    the ``meta`` device: no memory is allocated, so large sizes are free)."""
    module = {CellType.RNN: nn.RNN, CellType.LSTM: nn.LSTM, CellType.GRU: nn.GRU}[CellType(cell)]
    with torch.device("meta"):
        rnn = module(classes, hidden_size, bias=bias)
        readout = nn.Linear(hidden_size, classes, bias=bias)
    return sum(p.numel() for m in (rnn, readout) for p in m.parameters())
