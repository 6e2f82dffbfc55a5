"""A layer-by-layer table of a network and its parameter counts.

Recurrent modules are split per stacked layer and direction, so the table shows where the
parameters are: a PyTorch LSTM layer with input size C and hidden size H holds
``4 * (H*C + H*H + 2*H)`` parameters (four gates, two bias vectors each), a GRU layer
``3 * (...)`` and a plain RNN layer ``1 * (...)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from torch import nn


@dataclass(frozen=True)
class LayerRow:
    """One line of the summary."""

    name: str
    description: str
    parameters: int


def layer_table(net: nn.Module) -> list[LayerRow]:
    """Rows for every leaf module (recurrent modules per layer and direction); the counts
    add up to ``sum(p.numel() for p in net.parameters())``."""
    rows: list[LayerRow] = []
    for name, module in net.named_modules():
        if isinstance(module, nn.RNNBase):
            rows.extend(_recurrent_rows(name, module))
        elif not list(module.children()) and name:
            n = sum(p.numel() for p in module.parameters(recurse=False))
            rows.append(LayerRow(name, repr(module), n))
    return rows


def _recurrent_rows(name: str, rnn: nn.RNNBase) -> list[LayerRow]:
    groups: dict[tuple[int, bool], int] = {}
    for pname, p in rnn.named_parameters():
        m = re.search(r"_l(\d+)(_reverse)?$", pname)
        key = (int(m.group(1)), bool(m.group(2))) if m else (0, False)
        groups[key] = groups.get(key, 0) + p.numel()
    rows = []
    for (layer, reverse), n in sorted(groups.items()):
        c = rnn.input_size if layer == 0 else rnn.hidden_size * (2 if rnn.bidirectional else 1)
        direction = " backward" if reverse else (" forward" if rnn.bidirectional else "")
        desc = f"{rnn.mode} layer {layer}{direction}: input {c} -> hidden {rnn.hidden_size}"
        rows.append(LayerRow(f"{name}.layer{layer}{'_reverse' if reverse else ''}", desc, n))
    return rows
