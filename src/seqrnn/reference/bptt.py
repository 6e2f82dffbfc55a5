"""Forward over a sequence and back-propagation through time (full and truncated).

Unrolled in time, a recurrent layer is a deep feed-forward net whose layers share weights::

    x_0      x_1      x_2            x_{T-1}
     |        |        |                |
    [cell]-->[cell]-->[cell]--> ... -->[cell]--> state_T
     |        |        |                |
    h_0      h_1      h_2            h_{T-1}     (each h_t feeds the read-out's loss L_t)

BPTT walks this graph backwards: at step ``t`` the gradient reaching the state is what the
loss at ``t`` sends through ``h_t`` plus what step ``t+1`` sends back through the recurrence;
the shared weights' gradient is the sum over all steps. *Truncated* BPTT lets the gradient of
each ``L_t`` cross at most ``k`` recurrent connections (to steps ``t-k .. t``), the way the
NumPy/Theano tutorial the original README cites does it; training on consecutive chunks
with the state carried but not differentiated (:mod:`seqrnn.reference.train`) is the other
common form.

``resets [B, T]`` marks steps where a new sequence starts: the state entering that step is
set to zero, so neither the state nor its gradient crosses the boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqrnn.reference.cells import Cell, State


@dataclass
class Trace:
    """What the forward pass keeps for the backward pass."""

    caches: list[tuple]  # one cache per time step
    keep: np.ndarray | None  # [B, T] float, 0 where the state was reset before the step


def forward_sequence(
    cell: Cell,
    xs: np.ndarray,
    state: State | None = None,
    resets: np.ndarray | None = None,
    keep_trace: bool = True,
) -> tuple[np.ndarray, State, Trace]:
    """Run ``cell`` over ``xs [B, T, C]`` from ``state`` (zeros if None).

    Returns the hidden vectors ``hs [B, T, H]``, the final state and the :class:`Trace`
    (without caches when ``keep_trace`` is False: inference needs no backward pass, and the
    caches of a large batch take gigabytes).
    """
    B, T, _ = xs.shape
    state = state if state is not None else cell.zero_state(B)
    keep = None if resets is None else 1.0 - np.asarray(resets, dtype=np.float64)  # [B, T]
    hs = np.empty((B, T, cell.hidden_size))
    caches = []
    for t in range(T):
        if keep is not None:
            state = tuple(s * keep[:, t, None] for s in state)
        state, cache = cell.step(xs[:, t], state)
        if keep_trace:
            caches.append(cache)
        hs[:, t] = cell.output(state)
    return hs, state, Trace(caches, keep)


def backward_sequence(
    cell: Cell,
    trace: Trace,
    dhs: np.ndarray,
    d_state: State | None = None,
    truncate: int | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray, State]:
    """BPTT: ``dhs [B, T, H]`` (dLoss/dh_t from the read-out) -> parameter gradients,
    ``dxs [B, T, C]`` and the gradient w.r.t. the initial state.

    ``d_state`` is the gradient arriving at the final state (None: zero). ``truncate=k``
    limits each step's loss gradient to ``k`` steps back (then ``d_state`` must be None).
    """
    grads = cell.zero_grads()
    if truncate is None:
        d = d_state if d_state is not None else cell.zero_state(dhs.shape[0])
        return _full(cell, trace, dhs, d, grads)
    if truncate < 0:
        raise ValueError(f"truncate must be >= 0 steps, got {truncate}")
    if d_state is not None:
        raise ValueError("truncated BPTT takes no gradient at the final state")
    return _truncated(cell, trace, dhs, truncate, grads)


def _back_one(
    cell: Cell, trace: Trace, t: int, d: State, grads: dict[str, np.ndarray]
) -> tuple[np.ndarray, State]:
    """One step back through step ``t`` (and through the reset before it)."""
    dx, d = cell.step_back(d, trace.caches[t], grads)
    if trace.keep is not None:
        d = tuple(v * trace.keep[:, t, None] for v in d)
    return dx, d


def _full(
    cell: Cell, trace: Trace, dhs: np.ndarray, d: State, grads: dict[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], np.ndarray, State]:
    B, T, _ = dhs.shape
    dxs = np.empty((B, T, cell.input_size))
    for t in reversed(range(T)):
        d = (d[0] + dhs[:, t], *d[1:])  # the loss at t enters through h_t
        dxs[:, t], d = _back_one(cell, trace, t, d, grads)
    return grads, dxs, d


def _truncated(
    cell: Cell, trace: Trace, dhs: np.ndarray, k: int, grads: dict[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], np.ndarray, State]:
    """Each loss ``L_t`` is followed back through steps ``t, t-1, ..., t-k`` only: O(T k)."""
    B, T, _ = dhs.shape
    dxs = np.zeros((B, T, cell.input_size))
    d0 = cell.zero_state(B)
    for t in range(T):
        d = (dhs[:, t], *cell.zero_state(B)[1:])
        for u in range(t, max(t - k, 0) - 1, -1):
            dx, d = _back_one(cell, trace, u, d, grads)
            dxs[:, u] += dx
        if t - k <= 0:  # this chain reached the start: it reaches the initial state too
            d0 = tuple(a + b for a, b in zip(d0, d, strict=True))
    return grads, dxs, d0
