"""Atomic file writes: write to a temporary file beside the target, fsync, then rename.

A crash, a full disk or Ctrl-C in the middle leaves the previous file intact, never a
half-written one, and no temporary file behind. Only a regular file (or nothing) is ever
replaced: a FIFO or a device node given as the output (``/dev/full``, ``/dev/null``) is refused
rather than swapped for a regular file, which as root would remove the device. Operating-system
failures (full disk, read-only file system, no permission, a file where a folder should be)
become one :class:`~seqrnn.errors.OutputError` naming the path.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from seqrnn.errors import OutputError


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success rename it onto ``path``."""
    path = Path(path)
    check_replaceable(path)
    make_dir(path.parent)
    tmp_path: Path | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp_path = Path(tmp)
        yield tmp_path
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        check_replaceable(path)  # again: something may have appeared there meanwhile
        os.replace(tmp_path, path)
    except OSError as exc:
        raise _output_error(exc, path) from None
    finally:
        if tmp_path is not None:
            with contextlib.suppress(OSError):
                tmp_path.unlink()


def check_replaceable(path: str | Path) -> None:
    """Refuse an output path that exists and is not a regular file (folder, FIFO, device,
    socket): seqrnn writes files, it never replaces those."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _output_error(exc, Path(path)) from None
    if not stat.S_ISREG(mode):
        raise OutputError(f"is {_kind(mode)}, not a regular file; seqrnn will not replace it", path)


def make_dir(path: str | Path) -> Path:
    """Create folder ``path`` (and its parents) if needed; one clear error when it cannot be."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError("exists and is not a folder", path) from None
    except OSError as exc:
        raise _output_error(exc, path) from None
    return path


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "a special file"


def _output_error(exc: OSError, path: Path) -> OutputError:
    """``OSError`` -> ``PATH: cannot write (No space left on device)``; the path named is the
    one the user gave (the temporary file's name would only confuse)."""
    return OutputError(f"cannot write ({exc.strerror or exc})", path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | Path, writer: Callable[[Path], None]) -> None:
    """Call ``writer(tmp_path)`` and move the result onto ``path`` atomically."""
    with atomic_path(path) as tmp:
        writer(tmp)


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
