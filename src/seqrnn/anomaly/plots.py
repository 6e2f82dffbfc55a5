"""Detection figures: PR curve over the threshold, session-score histogram normal vs abnormal,
and the probability of the key that came at each position of a few sessions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from seqrnn.anomaly.detectors import Detector
from seqrnn.anomaly.sessions import SessionScores, Verdicts
from seqrnn.plots.figures import new_figure, save_figure


def plot_pr_curve(
    curve: pd.DataFrame, point: tuple[float, float], label: str, path: str | Path
) -> Path:
    """Precision against recall over every threshold, with the chosen detector's point."""
    fig, ax = new_figure(size=(5.5, 4.5))
    ax.step(curve["recall"], curve["precision"], where="post", lw=1.5)
    ax.plot([point[1]], [point[0]], "o", color="C3", label=label)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    r_low = min(float(curve["recall"].min()), point[1])
    p_low = min(float(curve["precision"].min()), point[0])
    ax.set_xlim(max(0.0, r_low - 0.02), 1.005)  # zoomed on the part the curve spans
    ax.set_ylim(max(0.0, p_low - 0.02), 1.005)
    ax.set_title("precision-recall over the threshold (sessions)")
    ax.legend(loc="lower left")
    ax.grid(alpha=0.3)
    return save_figure(fig, path)


def plot_score_histogram(
    session_scores: np.ndarray, labels: np.ndarray, detector: Detector, path: str | Path
) -> Path:
    """Per-session scores of normal and abnormal sessions; ``+inf`` (unknown key, too short)
    drawn in a bar to the right of the largest finite score."""
    finite = session_scores[np.isfinite(session_scores)]
    top = float(finite.max()) if finite.size else 1.0
    shown = np.where(np.isposinf(session_scores), top * 1.1 + 1, session_scores)
    shown = np.where(np.isneginf(shown), 0.0, shown)
    bins = np.linspace(0, top * 1.1 + 1.5, 60)
    fig, ax = new_figure(size=(7, 4))
    for value, name in ((0, "normal"), (1, "abnormal")):
        ax.hist(
            shown[labels == value],
            bins=bins,
            alpha=0.6,
            label=f"{name} ({np.sum(labels == value):,})",
        )
    ax.axvline(
        detector.threshold, color="k", ls="--", lw=1, label=f"threshold {detector.threshold:g}"
    )
    ax.set_yscale("log")
    ax.set_xlabel("session score (max over positions; right-most bar: unknown key or too short)")
    ax.set_ylabel("sessions")
    ax.set_title(detector.describe())
    ax.legend()
    return save_figure(fig, path)


def plot_positions(
    scores: SessionScores, verdicts: Verdicts, path: str | Path, sessions: int = 6
) -> Path:
    """p(key that came) at each position for a few normal-looking and flagged sessions."""
    ps = scores.positions
    flagged = np.flatnonzero(verdicts.distinct_anomalous)
    clean = np.flatnonzero(~verdicts.distinct_anomalous)
    chosen = [*clean[: sessions // 2], *flagged[: sessions - min(len(clean), sessions // 2)]]
    fig, ax = new_figure(size=(9, 4))
    for u in chosen:
        rows = ps.sequence == u
        style = "-" if verdicts.distinct_anomalous[u] else ":"
        status = "anomalous" if verdicts.distinct_anomalous[u] else "normal"
        ax.plot(
            ps.position[rows],
            ps.prob[rows],
            style,
            marker="o",
            ms=3,
            label=f"session {u} ({status})",
        )
    ax.set_yscale("log")
    ax.set_xlabel("position in session")
    ax.set_ylabel("p(key that came)")
    ax.set_title("per-position probability of the observed key")
    ax.legend(fontsize=7, ncol=2)
    return save_figure(fig, path)
