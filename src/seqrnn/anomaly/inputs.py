"""Session files for detection, with or without labels, and template tables for explanations.

Sources of labelled sessions:

* a normal file and an abnormal file (session-per-line, as DeepLog's ``hdfs_test_*``);
* a session file plus a labels file (one ``0``/``1`` per line, one line per session);
* a CSV with a ``Sequence`` column (space-separated keys) and a ``label`` column (logdeep).

Every session keeps its place: ``source`` and ``line`` say where it came from, so verdicts and
explanations point back at the input line. Empty sessions are kept (they get a verdict).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from seqrnn.data.readers import expand_glob, read_sessions
from seqrnn.errors import InputError


@dataclass
class SessionSet:
    """Raw sessions (int64 key arrays), where each came from, and labels when known."""

    sessions: list[np.ndarray] = field(default_factory=list)
    source: list[str] = field(default_factory=list)  # file of each session
    line: list[int] = field(default_factory=list)  # 1-based line (CSV: data row + 1)
    labels: np.ndarray | None = None  # [S] int, 1 = abnormal

    def __len__(self) -> int:
        return len(self.sessions)

    def extend(self, other: SessionSet) -> None:
        """Append ``other``; labels stay known only when both sides have them."""
        both = self.labels is not None and other.labels is not None
        labels = np.concatenate([self.labels, other.labels]) if both else None
        if not self.sessions:
            labels = other.labels
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
        )


def read_session_set(path: str | Path, label: int | None = None) -> SessionSet:
    """Sessions of a file (or glob), all with ``label`` when it is given."""
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
    lines = Path(path).read_text(encoding="utf-8").splitlines()
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


def read_labelled_csv(
    path: str | Path, sequence_column: str = "Sequence", label_column: str = "label"
) -> SessionSet:
    """A CSV of sessions with labels (logdeep / loglizer style)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable CSV ({exc})", path) from None
    for column in (sequence_column, label_column):
        if column not in frame.columns:
            raise InputError(f"no {column!r} column (columns: {', '.join(frame.columns)})", path, 1)
    sessions, labels = [], np.zeros(len(frame), dtype=np.int64)
    pairs = zip(frame[sequence_column], frame[label_column], strict=True)
    for row, (text, label) in enumerate(pairs):
        line = row + 2  # header is line 1
        if label.strip() not in ("0", "1"):
            raise InputError(f"a label must be 0 or 1, got {label!r}", path, line)
        labels[row] = int(label)
        try:
            sessions.append(np.array(text.split(), dtype=np.int64))
        except ValueError:
            bad = next(t for t in text.split() if not t.lstrip("-").isdigit())
            raise InputError(f"{bad!r} is not an integer key", path, line) from None
    return SessionSet(sessions, [str(path)] * len(sessions), list(range(2, len(frame) + 2)), labels)


def read_templates(path: str | Path) -> dict[str, str]:
    """Key -> template text from a CSV with ``key,template`` columns (what ``seqrnn parse``
    writes) or Loghub's ``EventId,EventTemplate`` (``E5`` is key ``5``)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable CSV ({exc})", path) from None
    for key_col, text_col in (("key", "template"), ("EventId", "EventTemplate")):
        if key_col in frame.columns and text_col in frame.columns:
            keys = frame[key_col].str.replace(r"^E(\d+)$", r"\1", regex=True)
            return dict(zip(keys, frame[text_col], strict=True))
    raise InputError("expected columns key,template or EventId,EventTemplate", path, 1)
