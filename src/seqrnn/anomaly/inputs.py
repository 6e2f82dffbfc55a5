"""Session files for detection, with or without labels, and template tables for explanations.

Sources of labelled sessions:

* a normal file and an abnormal file (session-per-line, as DeepLog's ``hdfs_test_*``, or
  with an identifier before each session: ``blk_1,5 22 11``, kept in verdicts and explanations);
* a session file plus a labels file (one ``0``/``1`` per line, one line per session);
* a CSV with a ``Sequence`` column (space-separated keys) and a ``label`` column (logdeep).

Every session keeps its place: ``source`` and ``line`` say where it came from, so verdicts and
explanations point back at the input line. Empty sessions are kept (they get a verdict).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from seqrnn.data.formats import InputFormat
from seqrnn.data.readers import (
    csv_rows,
    expand_glob,
    parse_ids,
    read_id_sessions,
    read_sessions,
    read_text,
    split_lines,
)
from seqrnn.errors import ConfigError, InputError


@dataclass
class SessionSet:
    """Raw sessions (int64 key arrays), where each came from, and labels when known."""

    sessions: list[np.ndarray] = field(default_factory=list)
    source: list[str] = field(default_factory=list)  # file of each session
    line: list[int] = field(default_factory=list)  # 1-based line (CSV: data row + 1)
    labels: np.ndarray | None = None  # [S] int, 1 = abnormal
    ids: list[str] | None = None  # identifier of each session, when the input names them

    def __len__(self) -> int:
        return len(self.sessions)

    def extend(self, other: SessionSet) -> None:
        """Append ``other``; labels stay known only when both sides have them."""
        both = self.labels is not None and other.labels is not None
        labels = np.concatenate([self.labels, other.labels]) if both else None
        if not self.sessions:
            labels = other.labels
        if self.ids is not None or other.ids is not None:
            mine = self.ids if self.ids is not None else [""] * len(self)
            self.ids = mine + (other.ids if other.ids is not None else [""] * len(other))
        self.sessions += other.sessions
        self.source += other.source
        self.line += other.line
        self.labels = labels

    def subset(self, keep: np.ndarray) -> SessionSet:
        """The sessions selected by ``keep`` (a bool mask or indices), in order."""
        idx = np.arange(len(self))[keep]
        return SessionSet(
            [self.sessions[i] for i in idx],
            [self.source[i] for i in idx],
            [self.line[i] for i in idx],
            None if self.labels is None else self.labels[idx],
            None if self.ids is None else [self.ids[i] for i in idx],
        )


def read_session_set(
    path: str | Path, label: int | None = None, fmt: InputFormat | str = InputFormat.SESSIONS
) -> SessionSet:
    """Sessions of a file (or glob), all with ``label`` when it is given; with
    ``fmt = id_sessions`` each line starts with the session's identifier, which is kept."""
    if InputFormat(fmt) is InputFormat.ID_SESSIONS:
        ids, sessions, where = read_id_sessions(path, allow_empty=True)
        return SessionSet(
            sessions=sessions,
            source=[file for file, _ in where],
            line=[line for _, line in where],
            labels=None if label is None else np.full(len(sessions), label),
            ids=ids,
        )
    if InputFormat(fmt) is not InputFormat.SESSIONS:
        raise ConfigError(f"sessions to judge are sessions or id_sessions, not {fmt}")
    out = SessionSet()
    for file in expand_glob(path):
        sessions = read_sessions(file, integer=True, allow_empty=True)
        out.extend(
            SessionSet(
                sessions=list(sessions),
                source=[str(file)] * len(sessions),
                line=list(range(1, len(sessions) + 1)),
                labels=None if label is None else np.full(len(sessions), label),
            )
        )
    return out


def read_labels(path: str | Path, count: int) -> np.ndarray:
    """One ``0`` (normal) or ``1`` (abnormal) per line; exactly ``count`` lines."""
    lines = split_lines(read_text(path))
    labels = np.zeros(len(lines), dtype=np.int64)
    for number, text in enumerate(lines, start=1):
        if text.strip() not in ("0", "1"):
            raise InputError(f"a label must be 0 or 1, got {text.strip()!r}", path, number)
        labels[number - 1] = int(text)
    if len(labels) != count:
        raise InputError(
            f"the labels file has {len(labels)} labels but there are {count} sessions", path
        )
    return labels


def _table(path: str | Path, *columns: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV that must have ``columns``; errors name the file and line."""
    header, rows = csv_rows(path, read_text(path))
    for column in columns:
        if column not in header:
            raise InputError(f"no {column!r} column (columns: {', '.join(header)})", path, 1)
    return rows


def read_labelled_csv(
    path: str | Path, sequence_column: str = "Sequence", label_column: str = "label"
) -> SessionSet:
    """A CSV of sessions with labels (logdeep / loglizer style)."""
    out = SessionSet(labels=np.zeros(0, dtype=np.int64))
    labels = []
    for line, row in _table(path, sequence_column, label_column):
        label = row[label_column]
        if label.strip() not in ("0", "1"):
            raise InputError(f"a label must be 0 or 1, got {label!r}", path, line)
        labels.append(int(label))
        out.sessions.append(parse_ids(row[sequence_column].split(), path, line, "key"))
        out.source.append(str(path))
        out.line.append(line)
    out.labels = np.array(labels, dtype=np.int64)
    return out


def read_templates(path: str | Path) -> dict[str, str]:
    """Key -> template text from a CSV with ``key,template`` columns (what ``seqrnn parse``
    writes) or Loghub's ``EventId,EventTemplate`` (``E5`` is key ``5``)."""
    header, rows = csv_rows(path, read_text(path))
    for key_col, text_col in (("key", "template"), ("EventId", "EventTemplate")):
        if key_col in header and text_col in header:
            keys = [re.sub(r"^E(\d+)$", r"\1", row[key_col]) for _, row in rows]
            return dict(zip(keys, (row[text_col] for _, row in rows), strict=True))
    raise InputError("expected columns key,template or EventId,EventTemplate", path, 1)
