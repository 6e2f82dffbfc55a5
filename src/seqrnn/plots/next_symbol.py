"""The original program's two score plots: probability of the true next symbol per position,
and its -log p, each beside a histogram."""

from __future__ import annotations

from pathlib import Path

from seqrnn.evaluation.scoring import PositionScores
from seqrnn.plots.figures import new_figure, save_figure


def plot_scores(
    scores: PositionScores, out_dir: str | Path, max_points: int = 20_000
) -> list[Path]:
    """``probability.png`` and ``neg_log_prob.png`` in ``out_dir``; long inputs are drawn up to
    ``max_points`` positions (the histograms always use all of them)."""
    out_dir = Path(out_dir)
    paths = []
    for values, name, label in (
        (scores.prob, "probability.png", "p(true next symbol)"),
        (scores.nll, "neg_log_prob.png", "-log p(true next symbol)"),
    ):
        fig, (ax_line, ax_hist) = new_figure(1, 2, size=(12, 3.8))
        shown = values[:max_points]
        ax_line.plot(range(len(shown)), shown, lw=0.6, marker=".", ms=2)
        ax_line.set_xlabel("position")
        ax_line.set_ylabel(label)
        ax_line.set_title(
            f"{label} per position"
            + (f" (first {max_points:,})" if len(values) > max_points else "")
        )
        ax_hist.hist(values, bins=50)
        ax_hist.set_xlabel(label)
        ax_hist.set_ylabel("positions")
        ax_hist.set_yscale("log")
        ax_hist.set_title(f"histogram over {len(values):,} positions")
        paths.append(save_figure(fig, out_dir / name))
    return paths
