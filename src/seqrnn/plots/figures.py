"""Figure helpers: a headless backend and atomic PNG saving."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen needed; set before pyplot is imported anywhere

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from seqrnn.io.atomic import atomic_write


def new_figure(
    rows: int = 1, cols: int = 1, size: tuple[float, float] = (10, 4)
) -> tuple[Figure, object]:
    """A figure and its axes (not registered with pyplot's global state)."""
    fig = Figure(figsize=size, layout="constrained")
    axes = fig.subplots(rows, cols)
    return fig, axes


def save_figure(fig: Figure, path: str | Path, dpi: int = 110) -> Path:
    """Write ``fig`` as PNG to ``path`` atomically and release it."""
    path = Path(path)
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=dpi))
    plt.close(fig)
    return path
