"""Streaming detection (``seqrnn detect --follow``): events arrive, anomalies leave, memory
stays bounded.

Events come in chunks (whatever arrived since the last look). Each session keeps only its
last ``h`` keys; a chunk is scored in one batched call of the shared scorer on
``history + new keys`` per session, and only the new positions are reported. Sessions are
kept in least-recently-used order and the oldest are forgotten past ``max_sessions``, so
memory is ``O(max_sessions * h)`` however long the stream runs::

    chunk: (blk_1, 5) (blk_2, 22) (blk_1, 5) ...
        blk_1: [history 5 5 22 | new 5 11] --score_sequences--> scores of the 2 new keys
        blk_2: [history        | new 22  ]

Sessions never end in a stream, so the minimum-length rule of session files does not apply.

With session- or path-scope feedback (:class:`~seqrnn.models.allow_list.MarkedSessions`) a
session is forgiven when one marked session holds every transition flagged in it (with the path
scope each session carries the digest of its path so far, not its history), which a live stream
cannot know before the session ends. So its alerts are *held* while one marked session still
holds every transition flagged in it so far (the first alert of each such transition is kept:
at most the rows of one marked session). The first flag that no single marked session
accounts for releases them, late and marked ``held_until`` that event, together with its own
alert; from then on the session alerts at once. A session that ends forgiven never alerts,
one that does not alerts at every position its session file would have flagged (of a held
transition seen more than once before the release, at its first position only): the verdict
of session files, with delay as its price. A long stream judged in one pass
(:func:`judge_stream`) is one session: its flags are all dropped when one marked session holds
every transition flagged in it.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from seqrnn.anomaly.detectors import Detector, flag_windows
from seqrnn.anomaly.flags import FlaggedPosition, flagged_at
from seqrnn.anomaly.parse import LogParser, ParseConfig
from seqrnn.anomaly.sessions import transition_at
from seqrnn.data.windows import Targets
from seqrnn.errors import InputError
from seqrnn.evaluation.scoring import iter_stream_scores, score_sequences
from seqrnn.models.allow_list import EMPTY_PATH, MarkedSessions, Row, marked_sessions, path_digests
from seqrnn.models.base import NextSymbolModel


@dataclass(frozen=True)
class Alert:
    """One anomalous event of a stream: its session and the flagged position (the same
    :class:`~seqrnn.anomaly.flags.FlaggedPosition` that explanations hold)."""

    session: str
    flagged: FlaggedPosition
    held_until: int | None = None  # held (session-scope feedback) until this event's index

    @property
    def index(self) -> int:
        """0-based count of the session's events before this one."""
        return self.flagged.position

    @property
    def key(self) -> str:
        """The key seen."""
        return self.flagged.key

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the session and the flagged position's fields (and ``held_until``
        when the alert was held)."""
        held = {} if self.held_until is None else {"held_until": self.held_until}
        return {"session": self.session, **self.flagged.to_dict(), **held}

    def format(self) -> str:
        late = "" if self.held_until is None else f" (held until event {self.held_until})"
        return f"session {self.session} " + self.flagged.format() + late


@dataclass
class _Pending:
    """Session-scope feedback state of one stream session: the marked sessions that still
    hold every transition flagged in it (``mask``; 0: none, it alerts at once), the alerts
    held meanwhile (first of each transition), and its last ``h`` raw keys (for windows) or,
    with the path scope, the digest of all its keys (for paths)."""

    mask: int
    held: dict[Row, Alert] = field(default_factory=dict)
    tail: list[str] = field(default_factory=list)
    path: str = EMPTY_PATH  # path scope: the digest of every key seen so far


class StreamDetector:
    """Feed ``(session, key)`` events chunk by chunk; get back the alerts of each chunk."""

    def __init__(
        self,
        model: NextSymbolModel,
        detector: Detector,
        max_sessions: int = 100_000,
        expected: int = 5,
        marked: MarkedSessions | None = None,
    ):
        if max_sessions <= 0:
            raise InputError(f"max_sessions must be positive, got {max_sessions}")
        self.model = model
        self.detector = detector
        self.max_sessions = max_sessions
        self.expected = expected
        # session -> (last h encoded keys, events seen); least recently used first
        self.history: collections.OrderedDict[str, tuple[np.ndarray, int]] = (
            collections.OrderedDict()
        )
        self.marked = marked  # session-scope feedback: alerts held (see the module docstring)
        self.pending: dict[str, _Pending] = {}

    def feed(self, events: Iterable[tuple[str, str]]) -> list[Alert]:
        """Score the chunk ``events`` (in arrival order) and return its anomalous events."""
        new: dict[str, list[str]] = {}
        for session, key in events:
            new.setdefault(session, []).append(key)
        if not new:
            return []
        names = list(new)
        seqs, offsets = [], []
        for name in names:
            past, _ = self.history.get(name, (np.zeros(0, dtype=np.int64), 0))
            seqs.append(np.concatenate([past, self.model.vocab.encode(new[name])]))
            offsets.append(len(past))
        k = max(self.expected, 1)
        scores = score_sequences(self.model, seqs, Targets.ALL, top_k=k)
        fresh = scores.position >= np.asarray(offsets)[scores.sequence]
        scores = scores.subset(fresh)
        rows = np.flatnonzero(self.detector.flags(scores))
        alerts = [self._alert(scores, row, names, new, offsets) for row in rows]
        if self.marked is not None:
            alerts = self._hold(alerts, scores.position[rows], names, new)
        self._remember(names, seqs, new)
        return alerts

    def _hold(self, alerts: list[Alert], positions: np.ndarray, names, new) -> list[Alert]:
        """Session-scope feedback: hold or release ``alerts`` (in arrival order per session;
        ``positions`` in each session's ``history + new`` sequence)."""
        marked, h = self.marked, self.model.context_length
        if marked is None:
            return alerts
        states = {n: self.pending.setdefault(n, _Pending(marked.everyone)) for n in names}
        # the tail is as long as the history the sequence starts with (both its last h keys)
        symbols = {n: [*states[n].tail, *new[n]] for n in names}
        # path scope: digests of each session's path before each new key, and after the last
        paths = {n: path_digests(new[n], states[n].path) for n in names} if marked.path else {}
        out: list[Alert] = []
        for alert, position in zip(alerts, positions.tolist(), strict=True):
            state = states[alert.session]
            if not state.mask:
                out.append(alert)
                continue
            seq = symbols[alert.session]
            if marked.path:
                row = (paths[alert.session][position - len(state.tail)], seq[position])
            else:
                row = transition_at(seq, position, h)
            state.mask &= marked.holders(row)
            if state.mask:
                state.held.setdefault(row, alert)
                continue
            late = [
                Alert(a.session, a.flagged, held_until=alert.index) for a in state.held.values()
            ]
            out.extend([*late, alert])  # held in arrival order
            state.held.clear()
        for n in names:
            states[n].tail = symbols[n][-h:] if h else []
            if marked.path:
                states[n].path = paths[n][-1]
        return out

    def _alert(self, scores, row: int, names, new, offsets) -> Alert:
        s = int(scores.sequence[row])
        local = int(scores.position[row]) - offsets[s]
        _, seen = self.history.get(names[s], (None, 0))
        key, vocab = new[names[s]][local], self.model.vocab
        flagged = flagged_at(scores, row, key, vocab, seen + local, expected=self.expected)
        return Alert(session=names[s], flagged=flagged)

    def _remember(self, names: list[str], seqs: list[np.ndarray], new: dict) -> None:
        h = self.model.context_length
        for name, seq in zip(names, seqs, strict=True):
            _, seen = self.history.pop(name, (None, 0))
            self.history[name] = (seq[-h:].copy(), seen + len(new[name]))
        while len(self.history) > self.max_sessions:
            forgotten, _ = self.history.popitem(last=False)
            self.pending.pop(forgotten, None)


def key_events(
    lines: Iterable[str], rejected: list[str], start_line: int = 1
) -> Iterator[tuple[str, str]]:
    """``KEY`` (one stream, session ``-``) or ``SESSION KEY`` per line; blank lines skipped.
    A stream must go on after a bad line: it is reported in ``rejected`` (with its line
    number and what is wrong) instead of stopping the detector."""
    for number, line in enumerate(lines, start=start_line):
        parts = line.split()
        if not parts:
            continue
        session, key = ("-", parts[0]) if len(parts) == 1 else (parts[0], parts[-1])
        if len(parts) > 2:
            rejected.append(
                str(
                    InputError(
                        f"expected 'KEY' or 'SESSION KEY', got {line.strip()!r}", "<stdin>", number
                    )
                )
            )
            continue
        if not key.lstrip("-").isdigit():
            rejected.append(str(InputError(f"{key!r} is not an integer key", "<stdin>", number)))
            continue
        yield session, key


def log_events(
    lines: Iterable[str], parser: LogParser, unassigned: list[str]
) -> Iterator[tuple[str, str]]:
    """Raw log lines -> ``(session, key)`` events through ``parser`` (drain3 + identifier
    regex); lines it cannot place are appended to ``unassigned``, never dropped silently."""
    for line in lines:
        content = parser.content(line)
        if not content:
            unassigned.append(line.rstrip("\r\n"))
            continue
        key = str(parser.key(content))
        ids = parser.identifiers(line) if parser.session is not None else ["-"]
        if not ids:
            unassigned.append(line.rstrip("\r\n"))
        for ident in ids:
            yield ident, key


@dataclass
class FollowStep:
    """What one chunk of a followed stream gave: its alerts and the lines it could not use
    (each with its line number and what is wrong), which a stream reports and goes on past."""

    alerts: list[Alert]
    rejected: list[str] = field(default_factory=list)


def follow(
    model: NextSymbolModel,
    detector: Detector,
    chunks: Iterable[list[str]],
    parser: LogParser | None = None,
    max_sessions: int = 100_000,
) -> Iterator[FollowStep]:
    """Judge a live stream chunk by chunk (``seqrnn detect --follow``).

    ``chunks`` are lists of lines as they arrive (:func:`seqrnn.io.chunks.read_chunks`): either
    ``KEY`` / ``SESSION KEY`` lines or, with ``parser``, raw log lines that drain3 turns into
    keys and the parser's identifier regex into sessions. Memory stays bounded by
    ``max_sessions`` (see :class:`StreamDetector`). One :class:`FollowStep` per chunk.
    """
    stream = StreamDetector(model, detector, max_sessions, marked=marked_sessions(model))
    line_no = 1
    for chunk in chunks:
        rejected: list[str] = []
        if parser is not None:
            events = list(log_events(chunk, parser, rejected))
        else:
            events = list(key_events(chunk, rejected, line_no))
        line_no += len(chunk)
        yield FollowStep(stream.feed(events), rejected)


def follow_parser(
    header: str | None, session_regex: str | None, state: str | Path | None
) -> LogParser:
    """The drain3 parser that ``--follow --logs`` reads raw lines with. A state file that was
    named must exist: a fresh numbering would give keys the model never saw."""
    if state and not Path(state).is_file():
        raise InputError("drain3 state file not found", state)
    return LogParser(ParseConfig(header=header, session_regex=session_regex, state=state))


@dataclass
class StreamVerdict:
    """A long stream judged in one bounded-memory pass: its flagged positions and, per window
    of ``window`` positions, how many were flagged."""

    positions: int
    flagged: list[dict]  # position, key, prob, rank, expected keys
    windows: np.ndarray  # [W] flagged positions per window
    window: int


def judge_stream(
    model: NextSymbolModel,
    raw: np.ndarray,
    detector: Detector,
    window: int = 100,
    chunk_size: int = 1 << 20,
    expected: int = 5,
) -> StreamVerdict:
    """Score one long stream of raw keys chunk by chunk (:func:`iter_stream_scores`) and keep
    only the flags and the flagged positions' details, never all the scores. With
    session-scope feedback the stream is one session (see the module docstring)."""
    ids = model.vocab.encode(np.asarray(raw))
    flags, flagged = [], []
    symbols = model.vocab.symbols
    for part in iter_stream_scores(model, ids, chunk_size, top_k=expected):
        f = detector.flags(part)
        flags.append(f)
        for row in np.flatnonzero(f):
            t = int(part.position[row])
            flagged.append(
                {
                    "position": t,
                    "key": str(raw[t]),
                    "prob": float(part.prob[row]),
                    "rank": int(part.rank[row]),
                    "expected": " ".join(
                        f"{symbols[int(i)]}({p:.3f})"
                        for i, p in zip(part.top_ids[row], part.top_probs[row], strict=True)
                    ),
                }
            )
    all_flags = np.concatenate(flags) if flags else np.zeros(0, dtype=bool)
    marked = marked_sessions(model)
    if marked is not None and flagged and marked.covers(_rows_at(raw, flagged, marked)):
        all_flags[:], flagged = False, []  # the stream is one session, and it is forgiven
    return StreamVerdict(len(all_flags), flagged, flag_windows(all_flags, window), window)


def _rows_at(raw: np.ndarray, flagged: list[dict], marked: MarkedSessions) -> Iterator[Row]:
    """The transitions (raw symbols) at the flagged positions of a long stream."""
    h = marked.context_length
    if marked.path:  # one pass over the stream up to its last flag
        last = max(f["position"] for f in flagged)
        digests = path_digests([str(k) for k in raw[:last]])
        yield from ((digests[f["position"]], str(raw[f["position"]])) for f in flagged)
        return
    for f in flagged:
        t = f["position"]
        yield transition_at([str(k) for k in raw[max(t - h, 0) : t + 1]], min(t, h), h)
