"""Training curves from a run's history: loss and accuracy per epoch, train vs validation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seqrnn.plots.figures import new_figure, save_figure


def plot_history(history: list[dict[str, Any]], path: str | Path) -> Path:
    """``history.png``: loss (left) and accuracy (right, when recorded) per epoch."""
    epochs = [row["epoch"] for row in history]
    has_acc = "accuracy" in history[0]
    fig, axes = new_figure(1, 2 if has_acc else 1, size=(10 if has_acc else 5, 3.5))
    axes = list(axes) if has_acc else [axes]
    for ax, key in zip(axes, ["loss", "accuracy"], strict=False):
        ax.plot(epochs, [row[key] for row in history], marker="o", label="train")
        if f"val_{key}" in history[0]:
            ax.plot(epochs, [row[f"val_{key}"] for row in history], marker="o", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.legend()
        ax.grid(alpha=0.3)
    return save_figure(fig, path)
