"""Figures saved as PNG files (matplotlib, non-interactive Agg backend)."""

from seqrnn.plots.figures import new_figure, save_figure

__all__ = ["new_figure", "save_figure"]
