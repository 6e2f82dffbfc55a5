"""Finite-difference gradient check of every parameter (the tutorials' ``gradient_check``).

For a parameter entry ``theta`` the central difference ``(L(theta + eps) - L(theta - eps)) /
(2 eps)`` approximates ``dL/dtheta`` with an error of order ``eps^2``; it is compared with the
BPTT gradient through the relative error ``|a - n| / (|a| + |n|)`` taken over all checked
entries of the parameter (vector norms), which stays meaningful where entries are tiny.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from seqrnn.reference.cells import CellType
from seqrnn.reference.network import Network


@dataclass(frozen=True)
class GradCheck:
    """How one parameter's analytic gradient compares with finite differences."""

    name: str
    entries: int  # how many entries were perturbed
    relative_error: float  # ||analytic - numeric|| / (||analytic|| + ||numeric||)
    max_abs_error: float


def gradient_check(
    loss: Callable[[], float],
    params: dict[str, np.ndarray],
    grads: dict[str, np.ndarray],
    eps: float = 1e-5,
    max_entries: int | None = None,
    seed: int = 0,
) -> list[GradCheck]:
    """Compare ``grads`` with central differences of ``loss()`` for every array in ``params``
    (perturbed in place and restored). ``max_entries`` checks a random subset per parameter."""
    rng = np.random.default_rng(seed)
    results = []
    for name, p in params.items():
        flat = p.reshape(-1)  # a view: writing it perturbs the parameter the loss reads
        idx = np.arange(flat.size)
        if max_entries is not None and flat.size > max_entries:
            idx = rng.choice(flat.size, size=max_entries, replace=False)
        numeric = np.empty(len(idx))
        for j, i in enumerate(idx):
            old = flat[i]
            flat[i] = old + eps
            up = loss()
            flat[i] = old - eps
            down = loss()
            flat[i] = old
            numeric[j] = (up - down) / (2 * eps)
        analytic = grads[name].reshape(-1)[idx]
        diff = np.linalg.norm(analytic - numeric)
        scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
        results.append(
            GradCheck(
                name=name,
                entries=len(idx),
                relative_error=float(diff / scale) if scale > 0 else 0.0,
                max_abs_error=float(np.abs(analytic - numeric).max(initial=0.0)),
            )
        )
    return results


def check_network(
    cell: CellType | str,
    vocab_size: int = 5,
    hidden_size: int = 4,
    batch: int = 2,
    steps: int = 6,
    truncate: int | None = None,
    seed: int = 0,
    max_entries: int | None = None,
) -> list[GradCheck]:
    """Gradient-check a small random :class:`Network` on random symbols (with a ``PAD``
    start marker in the middle of one row, so resets are checked too)."""
    net = Network(cell, vocab_size, hidden_size, seed=seed)
    rng = np.random.default_rng(seed + 1)
    ids = rng.integers(1, vocab_size, size=(batch, steps))
    ids[0, steps // 2] = 0  # PAD: a new sequence starts here
    targets = rng.integers(1, vocab_size, size=(batch, steps))
    state = tuple(rng.normal(size=s.shape) for s in net.cell.zero_state(batch))
    _, grads, _ = net.loss_and_grads(ids, targets, state, truncate=truncate)
    before = _states_before(net, ids, state)  # computed once, before any perturbation

    def loss() -> float:
        if truncate is None:
            return net.loss(ids, targets, state)
        return _truncated_loss(net, ids, targets, before, truncate)

    return gradient_check(loss, net.params, grads, max_entries=max_entries, seed=seed)


def _states_before(net: Network, ids: np.ndarray, state: tuple) -> list[tuple]:
    """The state entering each step ``t`` (before any reset), for ``t = 0 .. T-1``."""
    out = []
    for t in range(ids.shape[1]):
        out.append(state)
        state = net.forward(ids[:, t : t + 1], state)[1]
    return out


def _truncated_loss(
    net: Network, ids: np.ndarray, targets: np.ndarray, before: list[tuple], truncate: int
) -> float:
    """The loss whose exact gradient truncated BPTT computes: ``L_t`` is recomputed from the
    state entering step ``t - truncate``, held constant at its unperturbed value."""
    B, T = ids.shape
    total = 0.0
    for t in range(T):
        start = max(t - truncate, 0)
        logp = net.forward(ids[:, start : t + 1], before[start])[0][:, -1]  # [B, K]
        total -= np.take_along_axis(logp, targets[:, t, None], axis=-1).sum()
    return float(total / (B * T))
