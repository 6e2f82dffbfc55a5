"""Parameter-count formulas against PyTorch's own counts and the reference's arrays."""

from __future__ import annotations

import pytest

from seqrnn.reference.counts import BiasConvention, parameter_count, torch_parameter_count
from seqrnn.reference.network import Network


def test_the_original_readme_example() -> None:
    """``2HC + H^2`` for H = 512, C = 3000: 3,334,144, as the original README says."""
    assert parameter_count("rnn", 3000, 512, "none") == 2 * 512 * 3000 + 512**2 == 3_334_144
    assert torch_parameter_count("rnn", 3000, 512, bias=False) == 3_334_144


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize(("classes", "hidden"), [(3000, 512), (7, 3), (65, 128)])
@pytest.mark.parametrize("bias", [False, True])
def test_formula_equals_pytorch(cell: str, classes: int, hidden: int, bias: bool) -> None:
    conv = BiasConvention.TORCH if bias else BiasConvention.NONE
    assert parameter_count(cell, classes, hidden, conv) == torch_parameter_count(
        cell, classes, hidden, bias
    )


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_reference_convention_counts_the_reference_arrays(cell: str) -> None:
    net = Network(cell, 11, 6)
    total = sum(p.size for p in net.params.values())
    assert parameter_count(cell, 11, 6, "reference") == total


def test_gated_cells_have_four_and_three_times_the_recurrent_weights() -> None:
    C, H = 100, 20
    readout = H * C
    rnn = parameter_count("rnn", C, H, "none") - readout
    assert parameter_count("lstm", C, H, "none") - readout == 4 * rnn
    assert parameter_count("gru", C, H, "none") - readout == 3 * rnn
