"""The detection part of a report, from a ``seqrnn detect --out`` folder: the figures, the
precision-recall curve with the operating point, score histograms of normal and abnormal
sessions, and every flagged session in a table that sorts and filters, each with its
per-position probability strip and the keys seen and expected.

Normal sessions are summarised (histogram counts); flagged ones are kept in full, with
identical explanations stored once and each template text once, so the report of the whole
HDFS test (23,838 sessions) stays a few megabytes.
"""

from __future__ import annotations

import csv
import json
import logging
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from seqrnn.report.blocks import Chart, Section, Table, Widget, base_layout
from seqrnn.report.runs import flatten

logger = logging.getLogger(__name__)

MAX_CURVE_POINTS = 1000
BINS = 40


def detect_section(folder: Path) -> Section | None:
    """Everything of the detection folder that is there; ``None`` when nothing is."""
    blocks: list[Any] = []
    summary = _json(folder / "metrics.json")
    if summary:
        rows = [[k, v] for k, v in flatten(summary).items() if not isinstance(v, list)]
        blocks.append(Table(["figure", "value"], rows, f"seqrnn detect: {folder}"))
    verdicts = _verdicts(folder / "verdicts.csv")
    curve = _pr_chart(folder / "pr_curve.csv", (summary or {}).get("metrics"))
    if curve is not None:
        blocks.append(curve)
    if verdicts is not None:
        blocks.append(_histogram(verdicts))
        blocks.append(_flagged(verdicts, folder / "explanations.jsonl"))
    return Section("Anomaly detection", blocks) if blocks else None


def _json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _verdicts(path: Path) -> dict[str, np.ndarray] | None:
    """``verdicts.csv`` as columns (``score`` as float, ``inf`` included)."""
    if not path.is_file():
        return None
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    if len(rows) < 2:
        return None
    header, body = rows[0], rows[1:]
    cols = {name: [r[i] if i < len(r) else "" for r in body] for i, name in enumerate(header)}
    try:
        return _columns(cols, len(body))
    except ValueError as exc:
        logger.warning("%s: unreadable (%s); the histogram and table are left out", path, exc)
        return None


def _columns(cols: dict[str, list[str]], n: int) -> dict[str, np.ndarray]:
    """Typed columns; a column the file lacks gets its neutral value (label -1: unlabelled)."""

    def col(name: str, default: str, dtype: Any = None) -> np.ndarray:
        return np.array(cols.get(name, [default] * n), dtype=dtype)

    return {
        "source": col("source", ""),
        "line": col("line", "0", np.int64),
        "label": col("label", "-1", np.int64),
        "score": col("score", "nan", np.float64),
        "anomalous": col("anomalous", "0", np.int64) == 1,
    }


def _pr_chart(path: Path, metrics: dict[str, Any] | None) -> Chart | None:
    if not path.is_file():
        return None
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [(float(r["recall"]), float(r["precision"])) for r in csv.DictReader(fh)]
    if not rows:
        return None
    keep = np.unique(np.linspace(0, len(rows) - 1, min(len(rows), MAX_CURVE_POINTS)).astype(int))
    recall, precision = zip(*(rows[i] for i in keep), strict=True)
    data: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "lines", "x": recall, "y": precision, "name": "PR curve"}
    ]
    if metrics:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [metrics.get("recall")],
                "y": [metrics.get("precision")],
                "name": "operating point",
                "marker": {"size": 12, "color": "crimson", "symbol": "x"},
            }
        )
    layout = base_layout("Precision-recall", "recall", "precision")
    return Chart({"data": data, "layout": layout})


def _histogram(v: dict[str, np.ndarray]) -> Chart:
    """Session scores of normal (label 0), abnormal (1) and unlabelled sessions, as counts per
    bin; infinite scores (unknown key, too short) in a bar of their own at the right."""
    finite = v["score"][np.isfinite(v["score"])]
    edges = np.histogram_bin_edges(finite if finite.size else [0.0, 1.0], bins=BINS)
    width = float(edges[1] - edges[0])
    centres = ((edges[:-1] + edges[1:]) / 2).tolist()
    inf_x = float(edges[-1] + 2 * width)
    data = []
    for label, name in ((0, "normal"), (1, "abnormal"), (-1, "unlabelled")):
        scores = v["score"][v["label"] == label]
        if not scores.size:
            continue
        counts, _ = np.histogram(scores[np.isfinite(scores)], bins=edges)
        n_inf = int(np.sum(np.isposinf(scores)))
        data.append(
            {
                "type": "bar",
                "name": f"{name} ({scores.size:,})",
                "x": [*centres, inf_x],
                "y": [*counts.tolist(), n_inf],
                "width": width,
                "opacity": 0.6,
            }
        )
    layout = base_layout("Session scores", "score (bar at the right: +inf)", "sessions")
    layout.update(barmode="overlay", yaxis={"type": "log", "title": {"text": "sessions"}})
    return Chart({"data": data, "layout": layout})


def _flagged(v: dict[str, np.ndarray], explanations: Path) -> Widget:
    """Flagged sessions for the table widget: rows, distinct explanations, templates."""
    details, templates = _explanations(explanations)
    rows = []
    names = {src: Path(src).name for src in np.unique(v["source"][v["anomalous"]])}
    for s in np.flatnonzero(v["anomalous"]):
        detail_id, summary = details["by_session"].get(int(s), (None, {}))
        score = float(v["score"][s])
        rows.append(
            [
                int(s),
                names[v["source"][s]],
                int(v["line"][s]),
                int(v["label"][s]),
                score if math.isfinite(score) else "inf",
                summary.get("length"),
                summary.get("keys", ""),
                detail_id,
            ]
        )
    columns = ["session", "file", "line", "label", "score", "length", "flagged keys"]
    return Widget(
        "flagged",
        {
            "columns": columns,
            "rows": rows,
            "details": details["distinct"],
            "templates": templates,
        },
    )


#: the per-session head of an explanations.jsonl line (as report.py writes it, the session's
#: identifier included when it has one); the rest of
#: the line is the explanation, identical for identical sessions
_HEAD = re.compile(
    r'^\{"session": (-?\d+), "source": "(?:[^"\\]|\\.)*", "line": -?\d+, '
    r'(?:"id": "(?:[^"\\]|\\.)*", )?'
)


def _explanations(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """Distinct explanations (identical sessions share one), their index per session, and
    every template text once (positions refer to keys). Lines are compared as text after
    their per-session head, so each distinct explanation is parsed once."""
    by_session: dict[int, tuple[int, dict[str, Any]]] = {}
    distinct: list[dict[str, Any]] = []
    summaries: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    templates: dict[str, str] = {}
    if not path.is_file():
        return {"by_session": by_session, "distinct": distinct}, templates
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            head = _HEAD.match(line)
            if head is None:
                continue
            rest = line[head.end() :].rstrip()
            if rest not in seen:
                seen[rest] = len(distinct)
                try:
                    entry = _strip_templates(json.loads("{" + rest), templates)
                except ValueError:
                    logger.warning("%s: session %s: not JSON; left out", path, head.group(1))
                    entry = {}
                distinct.append(entry)
                keys = " ".join(str(p.get("key", "")) for p in entry.get("positions", []))
                summaries.append({"length": entry.get("length"), "keys": keys})
            by_session[int(head.group(1))] = (seen[rest], summaries[seen[rest]])
    return {"by_session": by_session, "distinct": distinct}, templates


def _strip_templates(entry: dict[str, Any], templates: dict[str, str]) -> dict[str, Any]:
    """Move template texts into ``templates`` (key -> text) and leave the keys."""
    for pos in entry.get("positions", []):
        for item in [pos, *pos.get("expected", [])]:
            if "template" in item:
                templates[str(item["key"])] = item.pop("template")
    return entry
