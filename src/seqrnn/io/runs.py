"""Run folders: one folder per run with its resolved config, history, checkpoints, metrics
and plots, so that any result can be traced back to what produced it."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from seqrnn.config import save_json, to_dict
from seqrnn.errors import ConfigError
from seqrnn.io.atomic import atomic_write_text


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
    """Write metrics JSON into the run folder."""
    path = run_dir / name
    atomic_write_text(path, json.dumps(to_dict(metrics), indent=2) + "\n")
    return path


@contextlib.contextmanager
def lock_run_dir(run_dir: str | Path) -> Iterator[None]:
    """Hold an exclusive lock on ``run_dir/.lock`` for the block: a second process training
    or resuming the same run fails at once with a clear error instead of writing over it."""
    path = Path(run_dir) / ".lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise ConfigError(
                f"{run_dir}: this run is in use by another seqrnn process (pid {owner})"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
