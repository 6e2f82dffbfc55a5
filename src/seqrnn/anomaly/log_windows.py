"""Sessions for logs without an identifier: windows of lines, or windows of time.

Windows of ``size`` every ``step`` (``step = size``: no overlap; smaller: sliding). Time
windows sit on the clock, not on the first line: window ``j`` is ``[j * step, j * step + size)``
in seconds since 1970, so the same lines fall in the same windows whichever file they come
in, and a line belongs to every window that covers its time::

    size 60, step 30:        |--- w0 [0, 60) ---|
                                      |--- w1 [30, 90) ---|
    line at 45 s:  in w0 and w1;       line at 75 s: in w1 and w2 (j = 2: [60, 120))

A window is named after its span: ``lines 1-100`` or ``2005-06-03T15:42:00/2005-06-03T15:43:00``
(an ISO 8601 interval, UTC). Windows without a keyed line are left out. A window's label is the
largest of its lines' labels: anomalous as soon as one line is (Loghub BGL's convention).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

from seqrnn.anomaly.logformat import iso


def line_windows(count: int, window: int, step: int | None = None) -> Iterator[tuple[str, range]]:
    """Windows of ``window`` lines every ``step`` lines over ``count`` lines: each window's
    name (``lines A-B``, 1-based, inclusive) and line indices (0-based)."""
    step = step or window
    for start in range(0, max(count - window, 0) + 1, step):
        stop = min(start + window, count)
        yield f"lines {start + 1}-{stop}", range(start, stop)


def time_windows(
    times: Iterable[tuple[int, float]], size: float, step: float | None = None
) -> Iterator[tuple[str, list[int]]]:
    """Windows of ``size`` seconds every ``step`` seconds over ``(line index, seconds)``
    pairs: each window's name and the indices of its lines in input order, windows in time
    order."""
    step = step or size
    members: dict[int, list[int]] = {}
    for index, t in times:
        first, last = math.floor((t - size) / step) + 1, math.floor(t / step)
        for j in range(first, last + 1):
            members.setdefault(j, []).append(index)
    for j in sorted(members):
        yield f"{iso(j * step)}/{iso(j * step + size)}", members[j]


def window_sessions(
    windows: Iterable[tuple[str, Iterable[int]]], keys: list[int], labels: list[int]
) -> tuple[dict[str, list[int]], dict[str, int]]:
    """Each window's keys (lines without a key, 0, are skipped) and label (the largest of
    its lines'); windows without a key are left out."""
    sessions: dict[str, list[int]] = {}
    session_labels: dict[str, int] = {}
    for name, lines in windows:
        lines = list(lines)
        chunk = [keys[i] for i in lines if keys[i]]
        if chunk:
            sessions[name] = chunk
            session_labels[name] = max(labels[i] for i in lines)
    return sessions, session_labels
