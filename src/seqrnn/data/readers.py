"""Readers for the three sequence formats seqrnn accepts.

* ``read_id_stream``: one integer id per line, many files through a glob, concatenated into one
  long stream (the original sequence-rnn-py format).
* ``read_sessions``: one session per line, symbols separated by whitespace (the DeepLog format:
  trailing spaces and a missing final newline are fine). With ``integer=True`` every symbol
  must be an integer (log keys).
* ``read_tokens``: whitespace-separated tokens of any text, as one stream.

Every error names the file and the line.
"""

from __future__ import annotations

import glob as globmod
from pathlib import Path

import numpy as np

from seqrnn.errors import InputError


def expand_glob(pattern: str | Path) -> list[Path]:
    """Files matching ``pattern`` in sorted order; a pattern that matches nothing is an error."""
    text = str(pattern)
    matches = sorted(Path(p) for p in globmod.glob(text, recursive=True))
    files = [p for p in matches if p.is_file()]
    if not files:
        if Path(text).is_dir():
            raise InputError("is a folder, not a file (give a glob such as DIR/*)", text)
        raise InputError("no file matches this path or glob", text)
    return files


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text ({exc.reason})", path, line) from None


def _first_non_integer(lines: list[str]) -> tuple[int, str]:
    for number, line in enumerate(lines, start=1):
        for token in line.split():
            try:
                int(token)
            except ValueError:
                return number, token
    return 0, ""


def _parse_int_lines(path: Path, lines: list[str], one_per_line: bool) -> np.ndarray:
    """Parse integer tokens fast (NumPy); on failure find and report the offending line."""
    if one_per_line:
        for number, line in enumerate(lines, start=1):
            if len(line.split()) > 1:
                raise InputError(
                    f"expected one integer id per line, got {line.strip()!r}", path, number
                )
    tokens = " ".join(lines).split()
    try:
        return np.array(tokens, dtype=np.int64) if tokens else np.zeros(0, dtype=np.int64)
    except (ValueError, OverflowError):
        number, token = _first_non_integer(lines)
        raise InputError(f"{token!r} is not an integer id", path, number) from None


def _parse_int_line(path: Path, line: str, number: int) -> np.ndarray:
    """Integer keys of one session line; a bad key is reported with its line number."""
    tokens = line.split()
    try:
        return np.array(tokens, dtype=np.int64) if tokens else np.zeros(0, dtype=np.int64)
    except (ValueError, OverflowError):
        bad = next(t for t in tokens if not t.lstrip("+-").isdigit())
        raise InputError(f"{bad!r} is not an integer id", path, number) from None


def read_id_stream(pattern: str | Path) -> np.ndarray:
    """Read one integer id per line from every file matching ``pattern``, concatenated.

    Blank lines are skipped (they carry no event). Returns int64 raw ids (not vocabulary ids).
    """
    parts = []
    for path in expand_glob(pattern):
        lines = _read_text(path).splitlines()
        parts.append(_parse_int_lines(path, lines, one_per_line=True))
    stream = np.concatenate(parts)
    if stream.size == 0:
        raise InputError("no ids found (the files are empty)", pattern)
    return stream


def read_sessions(
    path: str | Path, integer: bool = True, allow_empty: bool = False
) -> list[np.ndarray] | list[list[str]]:
    """Read one session per line (whitespace-separated symbols).

    With ``integer=True`` returns a list of int64 arrays and rejects non-integer keys with
    file and line; otherwise a list of symbol lists. An empty line is an empty session: an error
    unless ``allow_empty`` (detection keeps them so that every session gets a verdict).
    """
    files = expand_glob(path)
    sessions: list = []
    for file in files:
        lines = _read_text(file).splitlines()
        for number, line in enumerate(lines, start=1):
            if not line.strip() and not allow_empty:
                raise InputError("empty session (a blank line)", file, number)
            if integer:
                sessions.append(_parse_int_line(file, line, number))
            else:
                sessions.append(line.split())
    if not sessions:
        raise InputError("no sessions found (the file is empty)", path)
    return sessions


def read_tokens(pattern: str | Path) -> list[str]:
    """Whitespace-separated tokens of every file matching ``pattern``, as one stream."""
    tokens: list[str] = []
    for path in expand_glob(pattern):
        tokens.extend(_read_text(path).split())
    if not tokens:
        raise InputError("no tokens found (the files are empty)", pattern)
    return tokens


def read_chars(pattern: str | Path) -> list[str]:
    """The characters of the files matching ``pattern`` (UTF-8), joined by newlines, as one
    stream: what a character-level text model reads."""
    return list("\n".join(_read_text(path) for path in expand_glob(pattern)))
