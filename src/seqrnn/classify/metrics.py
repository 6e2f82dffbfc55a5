"""Classification metrics (scikit-learn): accuracy, per-class and macro precision/recall/F1,
the confusion matrix, and a PNG of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

from seqrnn.plots.figures import new_figure, save_figure


@dataclass
class ClassificationMetrics:
    """Scores of predictions against the truth; ``labels`` orders the rows and columns."""

    labels: list[str]
    accuracy: float
    precision: list[float]
    recall: list[float]
    f1: list[float]
    support: list[int]
    macro_precision: float
    macro_recall: float
    macro_f1: float
    confusion: list[list[int]]  # rows: true class, columns: predicted class

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: overall scores plus one entry per class."""
        per_class = {
            lab: {
                "precision": p,
                "recall": r,
                "f1": f,
                "support": s,
            }
            for lab, p, r, f, s in zip(
                self.labels, self.precision, self.recall, self.f1, self.support, strict=True
            )
        }
        return {
            "n": int(sum(self.support)),
            "accuracy": self.accuracy,
            "macro_precision": self.macro_precision,
            "macro_recall": self.macro_recall,
            "macro_f1": self.macro_f1,
            "per_class": per_class,
            "labels": self.labels,
            "confusion": self.confusion,
        }


def classification_metrics(
    y_true: Sequence[str], y_pred: Sequence[str], labels: list[str]
) -> ClassificationMetrics:
    """Accuracy, per-class and macro P/R/F1 and the confusion matrix of string labels."""
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0.0)
    mp, mr, mf, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average="macro", zero_division=0.0
    )
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    return ClassificationMetrics(
        labels=list(labels),
        accuracy=float(accuracy_score(y_true, y_pred)),
        precision=[float(v) for v in p],
        recall=[float(v) for v in r],
        f1=[float(v) for v in f],
        support=[int(v) for v in s],
        macro_precision=float(mp),
        macro_recall=float(mr),
        macro_f1=float(mf),
        confusion=cm.tolist(),
    )


def format_report(m: ClassificationMetrics) -> str:
    """A plain-text table: one line per class, then macro averages and accuracy."""
    width = max(8, *(len(lab) for lab in m.labels))
    lines = [f"{'class':<{width}} precision recall     f1 support"]
    for i, lab in enumerate(m.labels):
        lines.append(
            f"{lab:<{width}} {m.precision[i]:9.4f} {m.recall[i]:6.4f} {m.f1[i]:6.4f} "
            f"{m.support[i]:7d}"
        )
    n = sum(m.support)
    lines.append(
        f"{'macro':<{width}} {m.macro_precision:9.4f} {m.macro_recall:6.4f} {m.macro_f1:6.4f} "
        f"{n:7d}"
    )
    lines.append(f"accuracy {m.accuracy:.4f} on {n} texts")
    return "\n".join(lines)


def plot_confusion(m: ClassificationMetrics, path: str | Path, title: str = "") -> Path:
    """The confusion matrix as a PNG: counts, coloured by the share of each true class."""
    cm = np.asarray(m.confusion, dtype=float)
    share = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    k = len(m.labels)
    fig, ax = new_figure(size=(3.2 + 0.9 * k, 2.0 + 0.8 * k))
    im = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(k), m.labels, rotation=45 if k > 4 else 0)
    ax.set_yticks(range(k), m.labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(k):
        for j in range(k):
            color = "white" if share[i, j] > 0.6 else "black"
            ax.text(j, i, f"{int(cm[i, j])}", ha="center", va="center", color=color)
    ax.set_title(title or f"accuracy {m.accuracy:.3f}, macro F1 {m.macro_f1:.3f}")
    fig.colorbar(im, ax=ax, fraction=0.046, label="share of true class")
    return save_figure(fig, path)
