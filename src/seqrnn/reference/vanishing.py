"""The vanishing-gradient experiment: how much does the input ``k`` steps back still matter?

For a random cell and random inputs ``x [B, T, C]`` we back-propagate a unit-norm gradient
from the last hidden vector (``dL/dh_{T-1} = u``, ``|u| = 1``, nothing from earlier steps) and
measure ``|dL/dx_{T-1-k}|``, averaged over the batch and a few seeds, for ``k = 0 .. T-1``.
Through the plain RNN this is a product of ``k`` Jacobians ``diag(1 - s_t^2) W``, which
shrinks geometrically. Through the LSTM's memory cell the product is ``prod keep_t``: it
shrinks just as fast when the keep gate sits near 0.5 (PyTorch's default initialisation), and
hardly at all when the keep gate is open (a positive keep-gate bias): that open path is what
lets an LSTM learn long-range dependencies.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seqrnn.plots.figures import new_figure, save_figure
from seqrnn.reference.bptt import backward_sequence, forward_sequence
from seqrnn.reference.cells import CellType
from seqrnn.reference.gated import make_cell
from seqrnn.reference.network import single_thread_blas


@dataclass(frozen=True)
class Variant:
    """One curve: a cell type and how its weights start."""

    label: str
    cell: CellType
    keep_bias: float | None = None  # LSTM only: set every keep-gate bias to this value
    orthogonal: bool = False  # plain RNN only: W is a random orthogonal matrix (norm 1)


DEFAULT_VARIANTS = (
    Variant("plain RNN (PyTorch init)", CellType.RNN),
    Variant("plain RNN, orthogonal W", CellType.RNN, orthogonal=True),
    Variant("LSTM (PyTorch init)", CellType.LSTM),
    Variant("LSTM, keep-gate bias +1", CellType.LSTM, keep_bias=1.0),
    Variant("LSTM, keep-gate bias +3", CellType.LSTM, keep_bias=3.0),
)


@dataclass(frozen=True)
class VanishingConfig:
    """Sizes of the experiment (small: it runs in about a second)."""

    steps: int = 60  # T
    hidden_size: int = 32  # H
    input_size: int = 8  # C
    batch: int = 64  # B random input sequences per seed
    seeds: int = 3


def input_gradient_norms(variant: Variant, config: VanishingConfig, seed: int) -> np.ndarray:
    """``[T]``: entry ``k`` is the mean over the batch of ``|dL/dx_{T-1-k}|``."""
    rng = np.random.default_rng(seed)
    T, H, C, B = config.steps, config.hidden_size, config.input_size, config.batch
    cell = make_cell(variant.cell, C, H, rng)
    if variant.keep_bias is not None:
        cell.params["b_keep"][:] = variant.keep_bias
    if variant.orthogonal:
        q, _ = np.linalg.qr(rng.normal(size=(H, H)))
        cell.params["W"][:] = q
    xs = rng.normal(size=(B, T, C))  # [B, T, C]
    with single_thread_blas():
        hs, _, trace = forward_sequence(cell, xs)
        dhs = np.zeros_like(hs)  # [B, T, H]: only the last step's loss
        u = rng.normal(size=(B, H))
        dhs[:, -1] = u / np.linalg.norm(u, axis=1, keepdims=True)
        _, dxs, _ = backward_sequence(cell, trace, dhs)
    return np.linalg.norm(dxs, axis=2).mean(axis=0)[::-1]  # reversed: index = steps back


def vanishing_experiment(
    variants: tuple[Variant, ...] = DEFAULT_VARIANTS, config: VanishingConfig | None = None
) -> dict[str, np.ndarray]:
    """``label -> [T]`` gradient norms by steps back, averaged over ``config.seeds`` seeds."""
    config = config or VanishingConfig()
    return {
        v.label: np.mean([input_gradient_norms(v, config, s) for s in range(config.seeds)], 0)
        for v in variants
    }


def plot_vanishing(results: dict[str, np.ndarray], path: str | Path) -> Path:
    """Draw the norms against ``k`` on a log scale and save a PNG."""
    fig, ax = new_figure(size=(8, 4.5))
    for label, norms in results.items():
        style = "-" if "LSTM" in label else "--"
        ax.semilogy(np.arange(len(norms)), norms, style, label=label)
    ax.set_xlabel("k: steps back from the loss")
    ax.set_ylabel("|dL / dx_(T-1-k)|  (mean over sequences)")
    ax.set_title("Vanishing gradients: how far back does the loss reach?")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, path)
