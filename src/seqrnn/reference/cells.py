"""Recurrent cells in plain NumPy, one time step forward and one step back.

Every cell reads an input ``x [B, C]`` and its previous state, and returns the new state plus
a *cache* (what the backward step needs). The backward step receives the gradient of the loss
with respect to the new state and returns the gradients with respect to the input and to the
previous state, adding the parameter gradients into ``grads``. Chaining these steps backwards
over time is back-propagation through time (see :mod:`seqrnn.reference.bptt`).

Shapes: ``B`` batch, ``C`` input size, ``H`` hidden size. Weights act on row vectors, so
``U x_t`` of the equations is written ``x @ U.T`` (``U [H, C]``, ``x [B, C]``).

The parameter layout follows PyTorch (``torch.nn.RNN``/``LSTM``/``GRU``) so weights can be
copied across (:mod:`seqrnn.reference.bridge`): PyTorch keeps two bias vectors ``b_ih`` and
``b_hh`` that only ever appear summed, except for the GRU's candidate, where the hidden-side
bias sits inside the reset gate's product; there we keep both (``b_new`` and ``b_new_h``).
"""

from __future__ import annotations

import abc
import enum

import numpy as np

State = tuple[np.ndarray, ...]  # ([B, H],) for the plain RNN and the GRU, ([B, H], [B, H]) LSTM


class CellType(enum.StrEnum):
    """Which recurrence: the plain (Elman) RNN, the LSTM or the GRU."""

    RNN = "rnn"
    LSTM = "lstm"
    GRU = "gru"


def sigmoid(a: np.ndarray) -> np.ndarray:
    """Logistic function, stable for large negative ``a`` (no overflow warning)."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class Cell(abc.ABC):
    """One recurrent layer's step. ``params`` maps a name to its array (updated in place)."""

    #: gate names; each gate ``k`` has ``U_k [H, C]``, ``W_k [H, H]`` and ``b_k [H]``
    gates: tuple[str, ...] = ()
    #: how many arrays the state holds (1: hidden only; 2: hidden and memory cell)
    state_size: int = 1

    def __init__(self, input_size: int, hidden_size: int, rng: np.random.Generator | None = None):
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.params: dict[str, np.ndarray] = {}
        rng = rng if rng is not None else np.random.default_rng(0)
        bound = 1.0 / np.sqrt(hidden_size)  # PyTorch's default: U(-1/sqrt(H), 1/sqrt(H))
        for shape, name in self._shapes():
            self.params[name] = rng.uniform(-bound, bound, size=shape)

    def _shapes(self) -> list[tuple[tuple[int, ...], str]]:
        C, H = self.input_size, self.hidden_size
        out = []
        for k in self.gates:
            out += [((H, C), self._u(k)), ((H, H), self._w(k)), ((H,), self._b(k))]
        return out

    # parameter names of gate ``k``; the plain RNN's single "gate" is named "" -> U, W, b
    @staticmethod
    def _u(k: str) -> str:
        return f"U_{k}" if k else "U"

    @staticmethod
    def _w(k: str) -> str:
        return f"W_{k}" if k else "W"

    @staticmethod
    def _b(k: str) -> str:
        return f"b_{k}" if k else "b"

    def zero_state(self, batch: int) -> State:
        """All-zero state for ``batch`` sequences."""
        return tuple(np.zeros((batch, self.hidden_size)) for _ in range(self.state_size))

    def zero_grads(self) -> dict[str, np.ndarray]:
        """A gradient accumulator with one zero array per parameter."""
        return {k: np.zeros_like(v) for k, v in self.params.items()}

    def _affine(self, k: str, x: np.ndarray, h: np.ndarray) -> np.ndarray:
        """``b_k + W_k h + U_k x`` for a batch: ``[B, H]``."""
        p = self.params
        return p[self._b(k)] + h @ p[self._w(k)].T + x @ p[self._u(k)].T

    def _affine_back(
        self, k: str, da: np.ndarray, x: np.ndarray, h: np.ndarray, grads: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Back through :meth:`_affine`: adds parameter gradients, returns ``(dx, dh)``."""
        p = self.params
        grads[self._u(k)] += da.T @ x  # [H, C]
        grads[self._w(k)] += da.T @ h  # [H, H]
        grads[self._b(k)] += da.sum(axis=0)  # [H]
        return da @ p[self._u(k)], da @ p[self._w(k)]

    @abc.abstractmethod
    def step(self, x: np.ndarray, state: State) -> tuple[State, tuple]:
        """``x [B, C]``, previous state -> (new state, cache for :meth:`step_back`)."""

    @abc.abstractmethod
    def step_back(
        self, d_state: State, cache: tuple, grads: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, State]:
        """Gradient w.r.t. the new state -> ``(dx [B, C], gradient w.r.t. previous state)``."""

    @staticmethod
    def output(state: State) -> np.ndarray:
        """The hidden vector the read-out (and the next layer) sees: ``[B, H]``."""
        return state[0]


class RNNCell(Cell):
    """The plain RNN of the study notes (Dive-into-Sequence, equations 1 and 2)::

        a_t = b + W s_{t-1} + U x_t        U [H, C], W [H, H], b [H]
        s_t = tanh(a_t)                    s_t [B, H]

    (equations 3 and 4, ``o_t = c + V s_t`` and ``p_t = softmax(o_t)``, are the read-out,
    :class:`seqrnn.reference.network.Readout`).
    """

    gates = ("",)

    def step(self, x: np.ndarray, state: State) -> tuple[State, tuple]:
        (s_prev,) = state
        a = self._affine("", x, s_prev)  # [B, H]
        s = np.tanh(a)
        return (s,), (x, s_prev, s)

    def step_back(
        self, d_state: State, cache: tuple, grads: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, State]:
        (ds,) = d_state
        x, s_prev, s = cache
        da = ds * (1.0 - s**2)  # tanh'(a) = 1 - tanh(a)^2
        dx, ds_prev = self._affine_back("", da, x, s_prev, grads)
        return dx, (ds_prev,)
