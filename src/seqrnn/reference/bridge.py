"""Copy weights (and gradients) from PyTorch's ``nn.RNN``/``nn.LSTM``/``nn.GRU`` to the NumPy
reference, so the two can be compared number for number.

PyTorch stacks the gates' weights row-wise: ``weight_ih_l0 [gH, C]`` and ``weight_hh_l0
[gH, H]`` with ``g`` = 1 (RNN), 4 (LSTM: i, f, g, o) or 3 (GRU: r, z, n), and keeps two bias
vectors ``bias_ih_l0`` and ``bias_hh_l0`` of ``[gH]``. Their sum is the reference's ``b_k``,
except for the GRU's candidate, where ``b_hn`` is multiplied by the reset gate and becomes
``b_new_h``. Gradients map the other way round: ``d b_k`` equals both ``bias_ih.grad`` and
``bias_hh.grad`` blocks, so the ``bias_ih`` block is taken.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from seqrnn.reference.cells import Cell, CellType, RNNCell
from seqrnn.reference.gated import GRUCell, LSTMCell
from seqrnn.reference.network import Network

_TYPES: dict[type, CellType] = {nn.RNN: CellType.RNN, nn.LSTM: CellType.LSTM, nn.GRU: CellType.GRU}


def cell_type_of(module: nn.RNNBase) -> CellType:
    """The reference cell type of a single-layer, one-direction PyTorch recurrent module."""
    kind = _TYPES.get(type(module))
    if kind is None or module.num_layers != 1 or module.bidirectional or module.proj_size:
        raise ValueError(
            "only single-layer, one-direction nn.RNN/nn.LSTM/nn.GRU map to the reference"
        )
    if kind is CellType.RNN and module.nonlinearity != "tanh":
        raise ValueError("the reference plain RNN uses tanh")
    return kind


def _blocks(t: torch.Tensor | None, g: int, like: tuple[int, ...]) -> list[np.ndarray]:
    """Split a stacked ``[gH, ...]`` tensor into ``g`` float64 arrays (zeros when absent)."""
    if t is None:
        return [np.zeros(like) for _ in range(g)]
    return list(np.split(t.detach().double().cpu().numpy(), g, axis=0))


def torch_to_reference(module: nn.RNNBase, gradients: bool = False) -> dict[str, np.ndarray]:
    """The reference parameters (``gradients=False``) or their gradients after a PyTorch
    ``backward()`` (``gradients=True``) of a PyTorch recurrent module, by reference name."""
    kind = cell_type_of(module)
    gates = _gate_names(kind)
    H = module.hidden_size

    def get(name: str) -> torch.Tensor | None:
        t = getattr(module, name, None)
        return None if t is None else (t.grad if gradients else t)

    u = _blocks(get("weight_ih_l0"), len(gates), (H, module.input_size))
    w = _blocks(get("weight_hh_l0"), len(gates), (H, H))
    b_ih = _blocks(get("bias_ih_l0"), len(gates), (H,))
    b_hh = _blocks(get("bias_hh_l0"), len(gates), (H,))
    out: dict[str, np.ndarray] = {}
    for i, k in enumerate(gates):
        out[Cell._u(k)], out[Cell._w(k)] = u[i], w[i]
        if gradients and not module.bias:
            continue  # no bias in PyTorch: nothing to compare the reference's b_k with
        if kind is CellType.GRU and k == "new":
            out["b_new"], out["b_new_h"] = b_ih[i], b_hh[i]
        else:
            out[Cell._b(k)] = b_ih[i] if gradients else b_ih[i] + b_hh[i]
    return out


def linear_to_reference(linear: nn.Linear, gradients: bool = False) -> dict[str, np.ndarray]:
    """The read-out ``V``, ``c`` (or their gradients) of an ``nn.Linear(H, K)``."""
    w, b = linear.weight, linear.bias
    if gradients:
        w, b = w.grad, None if b is None else b.grad
    c = np.zeros(linear.out_features) if b is None else b.detach().double().cpu().numpy()
    return {"V": w.detach().double().cpu().numpy(), "c": c}


def network_from_torch(rnn: nn.RNNBase, linear: nn.Linear) -> Network:
    """A reference :class:`Network` holding a copy of PyTorch's recurrent layer + read-out
    (one-hot inputs: ``rnn.input_size`` must equal ``linear.out_features``)."""
    if rnn.input_size != linear.out_features or linear.in_features != rnn.hidden_size:
        raise ValueError("the read-out must map hidden_size -> input_size (one-hot symbols)")
    net = Network(cell_type_of(rnn), rnn.input_size, rnn.hidden_size)
    for name, value in {**torch_to_reference(rnn), **linear_to_reference(linear)}.items():
        net.params[name][...] = value  # in place: the cell and read-out share these arrays
    return net


def _gate_names(kind: CellType) -> tuple[str, ...]:
    return {CellType.RNN: RNNCell, CellType.LSTM: LSTMCell, CellType.GRU: GRUCell}[kind].gates
