"""Read run folders as they are, whatever task made them, and list them.

A run folder may hold ``config.json``, ``history.csv``, ``metrics.json`` and checkpoints
(``best``/``last``/``model.safetensors``, whose JSON meta names the ``kind``); a detection
report folder (``seqrnn detect --out``) holds ``verdicts.csv`` instead. Every file is
optional: a reader that finds none of a section leaves that section out, so reports and run
lists work on old folders, half-finished runs and folders of another version alike.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seqrnn.errors import CheckpointError, InputError
from seqrnn.io.checkpoint import peek_checkpoint

logger = logging.getLogger(__name__)

#: checkpoint files in the order a report prefers them (the kept weights first)
CHECKPOINTS = ("best.safetensors", "model.safetensors", "last.safetensors")

#: the kind of a folder without a checkpoint but with ``seqrnn detect --out`` files
DETECT_KIND = "detect"

#: per kind, the metric a run list shows (flattened metrics.json key; lower or higher better)
KEY_METRICS: dict[str, tuple[str, str]] = {
    "next_symbol": ("val_loss", "min"),
    "next_symbol_ensemble": ("val_loss", "min"),
    "forecast": ("test.rmse", "min"),
    "text_classifier": ("validation.accuracy", "max"),
    "text_classifier_bow": ("validation.accuracy", "max"),
    "text": ("full_context_bits", "min"),
    DETECT_KIND: ("metrics.f1", "max"),
}


@dataclass
class Run:
    """What one run folder holds; absent files leave their field empty."""

    path: Path
    kind: str | None = None
    config: dict[str, Any] | None = None
    history: list[dict[str, float]] = field(default_factory=list)
    metrics: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None  # checkpoint JSON meta (no tensors read)
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)  # tensor name -> shape
    checkpoint: Path | None = None
    created: dt.datetime | None = None
    detect: Path | None = None  # a detection report folder that belongs to this run

    @property
    def name(self) -> str:
        """The folder's name."""
        return self.path.name

    @property
    def parameters(self) -> int:
        """Model parameters in the checkpoint (tensors under ``model.`` or, for models saved
        without prefixes, all tensors that are not optimizer or RNG state)."""
        names = [n for n in self.shapes if n.startswith("model.")] or [
            n for n in self.shapes if not n.startswith(("optim.", "rng."))
        ]
        return sum(math.prod(self.shapes[n]) for n in names)

    def best_epoch(self) -> dict[str, float] | None:
        """The history row with the lowest ``val_loss`` (or ``loss`` without validation)."""
        key = "val_loss" if any(_finite(r.get("val_loss")) for r in self.history) else "loss"
        rows = [r for r in self.history if _finite(r.get(key))]
        return min(rows, key=lambda r: r[key]) if rows else None


def _finite(value: Any) -> bool:
    return isinstance(value, float) and math.isfinite(value)


def is_run_folder(path: Path) -> bool:
    """Whether ``path`` looks like a run or detection folder (any of the known files)."""
    names = ("config.json", "history.csv", "metrics.json", "verdicts.csv", *CHECKPOINTS)
    return path.is_dir() and any((path / n).is_file() for n in names)


def read_run(path: str | Path) -> Run:
    """Read every file of the run folder ``path`` that is there (see the module docstring)."""
    path = Path(path)
    if not path.is_dir():
        raise InputError(f"{path}: no such run folder")
    run = Run(path=path)
    run.config = _read_json(path / "config.json")
    run.metrics = _read_json(path / "metrics.json")
    run.history = read_history(path / "history.csv")
    run.checkpoint = next((path / n for n in CHECKPOINTS if (path / n).is_file()), None)
    if run.checkpoint is not None:
        try:
            run.meta, run.shapes = peek_checkpoint(run.checkpoint)
        except CheckpointError as exc:
            logger.warning("%s", exc)
    run.kind = _kind(run)
    run.detect = _detect_folder(path) if run.kind != DETECT_KIND else path
    stamp = min((p.stat().st_mtime for p in path.iterdir()), default=path.stat().st_mtime)
    run.created = dt.datetime.fromtimestamp(stamp)
    return run


def _kind(run: Run) -> str | None:
    for source in (run.meta, run.config):
        if source and isinstance(source.get("kind"), str):
            return source["kind"]
    if (run.path / "verdicts.csv").is_file():
        return DETECT_KIND
    return None


def _detect_folder(path: Path) -> Path | None:
    """A ``seqrnn detect --out`` folder kept inside the run folder (``RUN/detect*/``)."""
    found = sorted(p.parent for p in path.glob("detect*/verdicts.csv"))
    return found[0] if found else None


def _read_json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        logger.warning("%s: not readable JSON (%s); left out", path, exc)
        return None
    return data if isinstance(data, dict) else None


def read_history(path: Path) -> list[dict[str, float]]:
    """``history.csv`` as rows of floats (empty cells left out); no file: no rows."""
    if not path.is_file():
        return []
    rows = []
    with open(path, encoding="utf-8", newline="") as fh:
        for raw in csv.DictReader(fh):
            row = {}
            for key, value in raw.items():
                try:
                    row[key] = float(value)
                except (TypeError, ValueError):
                    continue
            rows.append(row)
    return rows


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts as ``{"a.b": value}`` (lists and strings kept whole)."""
    if not isinstance(data, dict):
        return {prefix: data} if prefix else {}
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        out.update(flatten(value, name) if isinstance(value, dict) else {name: value})
    return out


def run_metrics(run: Run) -> dict[str, float]:
    """The run's numbers by name: flattened ``metrics.json`` (forecast runs: the network's
    entry without its name), plus ``val_loss``/``loss`` and ``best_epoch`` from the history."""
    metrics = run.metrics or {}
    if run.kind == "forecast" and metrics:
        metrics = next(iter(metrics.values()))  # the network's evaluation comes first
    flat = {k: v for k, v in flatten(metrics).items() if isinstance(v, int | float)}
    best = run.best_epoch()
    if best is not None:
        flat.setdefault("best_epoch", int(best.get("epoch", 0)))
        for key in ("val_loss", "loss"):
            if _finite(best.get(key)):
                flat.setdefault(key, best[key])
    return {k: float(v) for k, v in flat.items() if not isinstance(v, bool)}


# -- run lists -------------------------------------------------------------------------------

#: metrics where higher is better (sorted best first, that is descending)
HIGHER_IS_BETTER = ("accuracy", "f1", "precision", "recall", "auc", "r2")


@dataclass(frozen=True)
class RunRow:
    """One line of a run list: the run, its key metric and every number it has."""

    name: str
    kind: str
    created: dt.datetime | None
    metric: str  # the key metric's name ("" when the run has none)
    value: float | None
    best_epoch: int | None
    path: Path
    metrics: dict[str, float]


def run_row(run: Run) -> RunRow:
    """The list line of ``run``."""
    metrics = run_metrics(run)
    key = KEY_METRICS.get(run.kind or "", ("val_loss", "min"))[0]
    if key not in metrics:
        key = "val_loss" if "val_loss" in metrics else ("loss" if "loss" in metrics else "")
    best = metrics.get("best_epoch")
    return RunRow(
        name=run.name,
        kind=run.kind or "unknown",
        created=run.created,
        metric=key,
        value=metrics.get(key),
        best_epoch=int(best) if best is not None else None,
        path=run.path,
        metrics=metrics,
    )


def list_runs(root: str | Path) -> list[RunRow]:
    """The runs directly inside ``root`` (folders with any run file), newest first."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: no such folder")
    rows = [run_row(read_run(p)) for p in sorted(root.iterdir()) if is_run_folder(p)]
    return sorted(rows, key=lambda r: r.created or dt.datetime.min, reverse=True)


def sort_runs(rows: list[RunRow], metric: str, reverse: bool = False) -> list[RunRow]:
    """``rows`` by ``metric``, best first (ascending for losses and errors, descending for
    accuracy-like metrics), runs without it last; ``reverse`` flips the order."""
    known = sorted({k for r in rows for k in r.metrics})
    if rows and metric not in known:
        raise InputError(f"no run has the metric {metric!r} (they have: {', '.join(known)})")
    sign = -1.0 if any(w in metric for w in HIGHER_IS_BETTER) else 1.0
    out = sorted(rows, key=lambda r: (metric not in r.metrics, sign * r.metrics.get(metric, 0.0)))
    return out[::-1] if reverse else out
