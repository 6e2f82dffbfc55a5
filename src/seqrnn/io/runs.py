"""Run folders: one folder per run with its resolved config, history, checkpoints, metrics
and plots, so that any result can be traced back to what produced it.

Two processes may start runs in the same root at the same moment, or resume the same run: a
folder is claimed by ``mkdir`` itself (never "check, then create"), and a run in progress holds
an advisory lock on ``RUN/.lock`` (:func:`lock_run_dir`) that a second process is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import itertools
import json
import logging
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from seqrnn.config import save_json, to_dict
from seqrnn.errors import OutputError
from seqrnn.io.atomic import atomic_write_text, make_dir

logger = logging.getLogger(__name__)

LOCK_NAME = ".lock"
#: what a run folder holds after a start that failed before training wrote anything
_FAILED_START = {"config.json", LOCK_NAME}


def new_run_dir(root: str | Path, name: str | None = None) -> Path:
    """Create ``root/<name or timestamp>`` (adding ``-2``, ``-3``... rather than overwrite).

    The folder is claimed by an exclusive ``mkdir``, so simultaneous callers each get their own.
    """
    root = make_dir(root)
    base = name or dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in itertools.count(1):
        path = root / (base if n == 1 else f"{base}-{n}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(f"cannot create the run folder ({exc.strerror})", path) from None
        return path
    raise AssertionError("unreachable")  # itertools.count never ends


@contextlib.contextmanager
def lock_run_dir(run_dir: str | Path) -> Iterator[Path]:
    """Hold an exclusive, non-blocking ``flock`` on ``run_dir/.lock`` for the ``with`` block.

    A second process (or a second lock in this one) is refused at once with an
    :class:`OutputError` naming the holder's pid. The lock goes with the process, so a crashed
    run never leaves a stale lock; the file itself stays (removing it would race with a
    process that has just opened it).
    """
    import fcntl  # POSIX only: imported here so that the rest of this module loads anywhere

    path = Path(run_dir) / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"cannot create the run lock ({exc.strerror})", path) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise OutputError(f"cannot lock the run ({exc.strerror})", path) from None
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise OutputError(
                f"in use by another seqrnn process (pid {holder})", Path(run_dir)
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield Path(run_dir)
    finally:
        os.close(fd)  # closing releases the flock


def remove_failed_run(run_dir: str | Path) -> bool:
    """Delete ``run_dir`` if it holds nothing but ``config.json`` and ``.lock`` (a start that
    failed before any result was written); anything else is kept. True when removed."""
    path = Path(run_dir)
    try:
        names = {p.name for p in path.iterdir()}
    except OSError:
        return False
    if not names <= _FAILED_START:
        return False
    try:
        for name in names:
            (path / name).unlink()
        path.rmdir()
    except OSError as exc:
        logger.warning("%s: could not remove the failed run folder (%s)", path, exc.strerror)
        return False
    return True


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
