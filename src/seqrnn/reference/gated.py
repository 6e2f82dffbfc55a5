"""Gated cells: the LSTM (a memory cell behind write, keep and read gates) and the GRU.

Gate names follow the study notes (Dive-into-Sequence): the LSTM's *write* gate is PyTorch's
input gate ``i``, the *keep* gate its forget gate ``f``, the *read* gate its output gate ``o``;
``cand`` is the candidate ``g`` written into the cell. The order of :attr:`LSTMCell.gates`
is PyTorch's row order (i, f, g, o), and :attr:`GRUCell.gates` is (r, z, n), so stacked
PyTorch weights split into these blocks one after the other.
"""

from __future__ import annotations

import numpy as np

from seqrnn.reference.cells import Cell, CellType, RNNCell, State, sigmoid


class LSTMCell(Cell):
    """Long short-term memory (Hochreiter and Schmidhuber; PyTorch's exact form)::

        write_t = sigmoid(b_write + W_write h_{t-1} + U_write x_t)    input gate  i
        keep_t  = sigmoid(b_keep  + W_keep  h_{t-1} + U_keep  x_t)    forget gate f
        cand_t  = tanh   (b_cand  + W_cand  h_{t-1} + U_cand  x_t)    candidate   g
        read_t  = sigmoid(b_read  + W_read  h_{t-1} + U_read  x_t)    output gate o
        c_t = keep_t * c_{t-1} + write_t * cand_t                    memory cell [B, H]
        h_t = read_t * tanh(c_t)                                     hidden      [B, H]

    Each ``U_k [H, C]``, ``W_k [H, H]``, ``b_k [H]`` (``b_k`` = PyTorch's ``b_ih + b_hh``).
    The state is ``(h, c)``. Information stays in the cell while the keep gate is on, which
    is why gradients along ``c`` fade far more slowly than through a plain RNN's ``tanh``.
    """

    gates = ("write", "keep", "cand", "read")
    state_size = 2

    def step(self, x: np.ndarray, state: State) -> tuple[State, tuple]:
        h_prev, c_prev = state
        write = sigmoid(self._affine("write", x, h_prev))  # [B, H]
        keep = sigmoid(self._affine("keep", x, h_prev))
        cand = np.tanh(self._affine("cand", x, h_prev))
        read = sigmoid(self._affine("read", x, h_prev))
        c = keep * c_prev + write * cand
        tc = np.tanh(c)
        h = read * tc
        return (h, c), (x, h_prev, c_prev, write, keep, cand, read, tc)

    def step_back(
        self, d_state: State, cache: tuple, grads: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, State]:
        dh, dc = d_state
        x, h_prev, c_prev, write, keep, cand, read, tc = cache
        dc = dc + dh * read * (1.0 - tc**2)  # through h_t = read * tanh(c_t)
        pre = {  # gradient w.r.t. each gate's pre-activation
            "write": dc * cand * write * (1.0 - write),
            "keep": dc * c_prev * keep * (1.0 - keep),
            "cand": dc * write * (1.0 - cand**2),
            "read": dh * tc * read * (1.0 - read),
        }
        dx = np.zeros_like(x)
        dh_prev = np.zeros_like(h_prev)
        for k, da in pre.items():
            gx, gh = self._affine_back(k, da, x, h_prev, grads)
            dx += gx
            dh_prev += gh
        return dx, (dh_prev, dc * keep)


class GRUCell(Cell):
    """Gated recurrent unit (Cho et al.; PyTorch's exact form)::

        reset_t  = sigmoid(b_reset  + W_reset  h_{t-1} + U_reset  x_t)            r
        update_t = sigmoid(b_update + W_update h_{t-1} + U_update x_t)            z
        new_t    = tanh(b_new + U_new x_t + reset_t * (W_new h_{t-1} + b_new_h))  n
        h_t = (1 - update_t) * new_t + update_t * h_{t-1}                         [B, H]

    The reset gate multiplies ``W_new h_{t-1} + b_new_h`` (PyTorch's ``b_hn``), so that bias
    is kept apart; the other biases are PyTorch's ``b_ih + b_hh``.
    """

    gates = ("reset", "update", "new")

    def _shapes(self) -> list[tuple[tuple[int, ...], str]]:
        return [*super()._shapes(), ((self.hidden_size,), "b_new_h")]

    def step(self, x: np.ndarray, state: State) -> tuple[State, tuple]:
        (h_prev,) = state
        p = self.params
        reset = sigmoid(self._affine("reset", x, h_prev))  # [B, H]
        update = sigmoid(self._affine("update", x, h_prev))
        hn = h_prev @ p["W_new"].T + p["b_new_h"]  # [B, H], the part the reset gate scales
        new = np.tanh(p["b_new"] + x @ p["U_new"].T + reset * hn)
        h = (1.0 - update) * new + update * h_prev
        return (h,), (x, h_prev, reset, update, hn, new)

    def step_back(
        self, d_state: State, cache: tuple, grads: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, State]:
        (dh,) = d_state
        x, h_prev, reset, update, hn, new = cache
        p = self.params
        da_new = dh * (1.0 - update) * (1.0 - new**2)
        grads["U_new"] += da_new.T @ x
        grads["b_new"] += da_new.sum(axis=0)
        dhn = da_new * reset
        grads["W_new"] += dhn.T @ h_prev
        grads["b_new_h"] += dhn.sum(axis=0)
        dx = da_new @ p["U_new"]
        dh_prev = dh * update + dhn @ p["W_new"]
        pre = {
            "reset": da_new * hn * reset * (1.0 - reset),
            "update": dh * (h_prev - new) * update * (1.0 - update),
        }
        for k, da in pre.items():
            gx, gh = self._affine_back(k, da, x, h_prev, grads)
            dx += gx
            dh_prev += gh
        return dx, (dh_prev,)


def make_cell(
    cell: str, input_size: int, hidden_size: int, rng: np.random.Generator | None = None
) -> Cell:
    """The cell for a :class:`~seqrnn.reference.cells.CellType`, chosen here once."""
    classes = {CellType.RNN: RNNCell, CellType.LSTM: LSTMCell, CellType.GRU: GRUCell}
    return classes[CellType(cell)](input_size, hidden_size, rng)
