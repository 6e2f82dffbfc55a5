"""Run folders: one folder per run with its resolved config, history, checkpoints, metrics
and plots, so that any result can be traced back to what produced it."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from pathlib import Path
from typing import Any

from seqrnn.config import save_json, to_dict
from seqrnn.io.atomic import atomic_write_text

logger = logging.getLogger(__name__)


def new_run_dir(root: str | Path, name: str | None = None) -> Path:
    """Create ``root/<name or timestamp>`` (adding ``-2``, ``-3``... rather than overwrite)."""
    root = Path(root)
    base = name or dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path, n = root / base, 1
    while path.exists():
        n += 1
        path = root / f"{base}-{n}"
    path.mkdir(parents=True)
    return path


def save_config(run_dir: Path, config: Any) -> None:
    """``run_dir/config.json``: the resolved config that a run used."""
    save_json(config, run_dir / "config.json")


def save_metrics(run_dir: Path, metrics: dict[str, Any], name: str = "metrics.json") -> Path:
    """Write metrics JSON into the run folder. JSON has no NaN or infinity: a figure that is
    not finite is written as ``null`` (with a warning), never as a bare ``NaN``."""
    path = run_dir / name
    plain = finite_or_null(to_dict(metrics), path)
    atomic_write_text(path, json.dumps(plain, indent=2, allow_nan=False) + "\n")
    return path


def finite_or_null(value: Any, where: Path | str, key: str = "") -> Any:
    """A copy of a JSON-ready ``value`` with every NaN / infinite float replaced by ``None``."""
    if isinstance(value, dict):
        return {k: finite_or_null(v, where, f"{key}.{k}".lstrip(".")) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_or_null(v, where, f"{key}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, float) and not math.isfinite(value):
        logger.warning("%s: %s is %s, written as null", where, key or "the value", value)
        return None
    return value
