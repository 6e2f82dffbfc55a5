"""Finite differences agree with BPTT for every parameter (relative error < 1e-6)."""

from __future__ import annotations

import numpy as np
import pytest

from seqrnn.reference.gradcheck import check_network, gradient_check
from seqrnn.reference.network import Network

EXPECTED = {
    "rnn": {"U", "W", "b", "V", "c"},
    "lstm": {f"{m}_{g}" for m in "UWb" for g in ("write", "keep", "cand", "read")} | {"V", "c"},
    "gru": {f"{m}_{g}" for m in "UWb" for g in ("reset", "update", "new")} | {"b_new_h", "V", "c"},
}


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("truncate", [None, 0, 2])
def test_every_parameter_passes_the_gradient_check(cell: str, truncate: int | None) -> None:
    results = check_network(cell, truncate=truncate)
    assert {r.name for r in results} == EXPECTED[cell]  # every parameter, by its notes' name
    for r in results:
        assert r.relative_error < 1e-6, (r.name, r.relative_error)


def test_truncation_changes_the_gradient() -> None:
    """So the truncated check above is not the full one in disguise."""
    net = Network("rnn", 5, 4)
    rng = np.random.default_rng(0)
    ids, targets = rng.integers(1, 5, size=(2, 8)), rng.integers(1, 5, size=(2, 8))
    full = net.loss_and_grads(ids, targets)[1]["W"]
    cut = net.loss_and_grads(ids, targets, truncate=1)[1]["W"]
    assert np.abs(full - cut).max() > 1e-4
    assert np.allclose(net.loss_and_grads(ids, targets, truncate=7)[1]["W"], full, atol=1e-14)


def test_the_check_catches_a_wrong_gradient() -> None:
    net = Network("lstm", 4, 3)
    rng = np.random.default_rng(0)
    ids, targets = rng.integers(1, 4, size=(2, 5)), rng.integers(1, 4, size=(2, 5))
    _, grads, _ = net.loss_and_grads(ids, targets)
    grads["W_keep"][0, 0] += 1e-3  # a small bug in one entry

    results = gradient_check(lambda: net.loss(ids, targets), net.params, grads)
    bad = {r.name for r in results if r.relative_error > 1e-6}
    assert bad == {"W_keep"}
