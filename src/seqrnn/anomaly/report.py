"""Write a detection run to a folder: metrics JSON, verdicts CSV, explanations JSONL, plots.

out/metrics.json         detector, counts, P/R/F1/FPR (and projected figures if asked)
out/verdicts.csv         one row per input session: source, line, [id,] label, score, anomalous
out/explanations.jsonl   one line per anomalous session (positions, key seen, expected keys)
out/pr_curve.csv         precision/recall per threshold (labelled input only)
out/anomaly_*.png        PR curve, score histogram, per-position probability
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seqrnn.anomaly.evaluation import pr_curve
from seqrnn.anomaly.inputs import SessionSet
from seqrnn.anomaly.plots import plot_positions, plot_pr_curve, plot_score_histogram
from seqrnn.anomaly.stream import StreamVerdict
from seqrnn.anomaly.workflow import Detection
from seqrnn.io.atomic import atomic_write, atomic_write_text, make_dir
from seqrnn.io.runs import save_metrics
from seqrnn.models.base import NextSymbolModel


def summary(
    detection: Detection, model: NextSymbolModel, projected_normal: int | None = None
) -> dict[str, Any]:
    """The JSON-ready figures of a run."""
    v = detection.verdicts
    out: dict[str, Any] = {
        "model": model.describe(),
        "detector": detection.detector.describe(),
        "threshold": detection.detector.threshold,
        "min_length": detection.aggregator.min_length,
        "sessions": len(v.anomalous),
        "distinct_sessions": len(detection.scores.distinct),
        "positions_scored": len(detection.scores.positions),
        "anomalous": int(np.sum(v.anomalous)),
    }
    if detection.metrics is not None:
        out["metrics"] = detection.metrics.to_dict()
        if projected_normal:
            out["projected"] = detection.metrics.projected(projected_normal).to_dict()
    return out


def write_report(
    out_dir: str | Path,
    detection: Detection,
    sessions: SessionSet,
    model: NextSymbolModel,
    projected_normal: int | None = None,
    plots: bool = True,
) -> list[Path]:
    """Write every file of the run folder; returns their paths."""
    out = make_dir(out_dir)
    v = detection.verdicts
    paths = [save_metrics(out, summary(detection, model, projected_normal))]
    labels = sessions.labels
    ids = {} if sessions.ids is None else {"id": sessions.ids}
    frame = pd.DataFrame(
        {
            "source": sessions.source,
            "line": sessions.line,
            **ids,
            "label": labels if labels is not None else -1,
            "score": v.scores,
            "anomalous": v.anomalous.astype(int),
        }
    )
    atomic_write(out / "verdicts.csv", lambda tmp: frame.to_csv(tmp, index=False))
    paths.append(out / "verdicts.csv")
    paths.append(_write_explanations(out / "explanations.jsonl", detection, sessions))
    if plots:
        paths.append(plot_positions(detection.scores, v, out / "anomaly_positions.png"))
    if labels is not None and plots and 0 < labels.sum() < len(labels):
        curve = pr_curve(v.scores, labels)
        atomic_write(out / "pr_curve.csv", lambda tmp: curve.to_csv(tmp, index=False))
        m = detection.metrics
        point = (m.precision, m.recall)
        paths += [
            out / "pr_curve.csv",
            plot_pr_curve(curve, point, detection.detector.describe(), out / "anomaly_pr.png"),
            plot_score_histogram(v.scores, labels, detection.detector, out / "anomaly_hist.png"),
        ]
    return paths


def _write_explanations(path: Path, detection: Detection, sessions: SessionSet) -> Path:
    """One JSON line per anomalous input session (duplicates share their explanation), with
    the session's identifier when the input had one."""
    lines = []
    inverse = detection.scores.inverse
    for s in np.flatnonzero(detection.verdicts.anomalous):
        entry = {"session": int(s), "source": sessions.source[s], "line": sessions.line[s]}
        if sessions.ids is not None:
            entry["id"] = sessions.ids[s]
        entry.update(detection.explanations[int(inverse[s])])
        lines.append(json.dumps(entry))
    atomic_write_text(path, "\n".join(lines) + ("\n" if lines else ""))
    return path


def write_stream_report(out_dir: str | Path, verdict: StreamVerdict) -> list[Path]:
    """Write a long stream's verdict (``seqrnn detect --stream``): the flagged positions with
    the keys the model expected, and the count of flags per window of ``verdict.window``.

    out/flagged_positions.csv   position, key, prob, rank, expected
    out/windows.csv             start, flagged
    """
    out = make_dir(out_dir)
    flagged = pd.DataFrame(verdict.flagged, columns=["position", "key", "prob", "rank", "expected"])
    starts = np.arange(len(verdict.windows)) * verdict.window
    windows = pd.DataFrame({"start": starts, "flagged": verdict.windows})
    paths = [out / "flagged_positions.csv", out / "windows.csv"]
    atomic_write(paths[0], lambda tmp: flagged.to_csv(tmp, index=False))
    atomic_write(paths[1], lambda tmp: windows.to_csv(tmp, index=False))
    return paths
