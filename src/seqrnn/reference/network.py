"""A one-layer recurrent next-symbol network in NumPy: one-hot input, cell, softmax read-out.

With the plain RNN cell this is exactly the network of the study notes::

    a_t = b + W s_{t-1} + U x_t      (1)   x_t = one_hot(symbol t)   [B, K]
    s_t = tanh(a_t)                  (2)                              [B, H]
    o_t = c + V s_t                  (3)   V [K, H], c [K]            [B, K]
    p_t = softmax(o_t)               (4)                              [B, K]
    L   = mean_t -log p_t[y_t]             (cross-entropy against the next symbol y_t)

and ``params`` holds ``U, W, b, V, c`` under those names (LSTM/GRU cells replace equations 1
and 2, see :mod:`seqrnn.reference.gated`). ``K`` is the vocabulary size, so input and output
sizes are both ``K`` (the notes' and the original README's ``C``).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

import numpy as np
from threadpoolctl import ThreadpoolController

from seqrnn.data.vocab import PAD
from seqrnn.reference.bptt import Trace, backward_sequence, forward_sequence
from seqrnn.reference.cells import Cell, CellType, State
from seqrnn.reference.gated import make_cell


@functools.cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()  # finds the loaded BLAS libraries once (about a millisecond)


@contextlib.contextmanager
def single_thread_blas() -> Iterator[None]:
    """Run NumPy's BLAS on one thread inside the block. The reference's matrices are tiny
    (``[B, H] @ [H, H]`` per step), so extra BLAS threads only add hand-off overhead; on a
    busy machine they made training over 30 times slower."""
    with _blas().limit(limits=1, user_api="blas"):
        yield


def log_softmax(o: np.ndarray) -> np.ndarray:
    """``log softmax`` over the last axis, computed stably (max subtracted first)."""
    z = o - o.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


class Readout:
    """Equations 3 and 4: ``o_t = c + V s_t``, ``p_t = softmax(o_t)``; ``V [K, H]``, ``c [K]``."""

    def __init__(self, hidden_size: int, output_size: int, rng: np.random.Generator):
        bound = 1.0 / np.sqrt(hidden_size)  # as torch.nn.Linear
        self.params = {
            "V": rng.uniform(-bound, bound, size=(output_size, hidden_size)),
            "c": rng.uniform(-bound, bound, size=output_size),
        }

    def log_probs(self, hs: np.ndarray) -> np.ndarray:
        """``hs [B, T, H]`` -> ``log p [B, T, K]``."""
        return log_softmax(self.params["c"] + hs @ self.params["V"].T)

    def loss_back(
        self, hs: np.ndarray, logp: np.ndarray, targets: np.ndarray
    ) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
        """Mean cross-entropy over all ``B*T`` targets, its gradients w.r.t. ``V`` and ``c``,
        and ``dhs [B, T, H]`` to hand to BPTT. ``dL/do_t = (p_t - one_hot(y_t)) / (B T)``."""
        B, T, K = logp.shape
        n = B * T
        picked = np.take_along_axis(logp, targets[..., None], axis=-1)  # [B, T, 1]
        loss = float(-picked.sum() / n)
        do = np.exp(logp)  # [B, T, K]
        do[np.arange(B)[:, None], np.arange(T)[None, :], targets] -= 1.0
        do /= n
        grads = {
            "V": do.reshape(n, K).T @ hs.reshape(n, -1),  # [K, H]
            "c": do.reshape(n, K).sum(axis=0),
        }
        return loss, grads, do @ self.params["V"]


class Network:
    """Cell + read-out over one-hot symbols. A ``PAD`` input means "a sequence starts here":
    the state is reset to zero before it (so padded windows and carried streams agree)."""

    def __init__(
        self, cell: CellType | str, vocab_size: int, hidden_size: int, seed: int = 0
    ) -> None:
        rng = np.random.default_rng(seed)
        self.cell_type = CellType(cell)
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.cell: Cell = make_cell(self.cell_type, vocab_size, hidden_size, rng)
        self.readout = Readout(hidden_size, vocab_size, rng)
        #: every parameter by name; the same arrays as the cell's and the read-out's
        self.params: dict[str, np.ndarray] = {**self.cell.params, **self.readout.params}

    def one_hot(self, ids: np.ndarray) -> np.ndarray:
        """``ids [B, T]`` -> ``x [B, T, K]`` float64."""
        return np.eye(self.vocab_size)[ids]

    def forward(
        self, ids: np.ndarray, state: State | None = None, keep_trace: bool = True
    ) -> tuple[np.ndarray, State, Trace, np.ndarray]:
        """``ids [B, T]`` -> (``log p [B, T, K]``, final state, trace, ``hs [B, T, H]``)."""
        ids = np.asarray(ids, dtype=np.int64)
        x = self.one_hot(ids)  # [B, T, K]
        with single_thread_blas():
            hs, state, trace = forward_sequence(self.cell, x, state, ids == PAD, keep_trace)
            return self.readout.log_probs(hs), state, trace, hs

    def loss_and_grads(
        self,
        ids: np.ndarray,
        targets: np.ndarray,
        state: State | None = None,
        truncate: int | None = None,
    ) -> tuple[float, dict[str, np.ndarray], State]:
        """Mean cross-entropy of ``targets [B, T]`` after ``ids [B, T]``, the gradient of every
        parameter (BPTT, ``truncate`` as in :func:`~seqrnn.reference.bptt.backward_sequence`)
        and the final state (to carry into the next chunk)."""
        with single_thread_blas():
            logp, final, trace, hs = self.forward(ids, state)
            targets = np.asarray(targets, dtype=np.int64)
            loss, grads, dhs = self.readout.loss_back(hs, logp, targets)
            cell_grads, _, _ = backward_sequence(self.cell, trace, dhs, truncate=truncate)
        return loss, {**cell_grads, **grads}, final

    def loss(self, ids: np.ndarray, targets: np.ndarray, state: State | None = None) -> float:
        """Mean cross-entropy only (for finite differences and validation)."""
        logp = self.forward(ids, state, keep_trace=False)[0]
        picked = np.take_along_axis(logp, np.asarray(targets)[..., None], axis=-1)
        return float(-picked.mean())
