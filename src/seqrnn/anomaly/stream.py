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

With session-, path- or exact-scope feedback (:class:`~seqrnn.models.allow_list.MarkedSessions`)
a session is forgiven when one marked session holds every transition flagged in it (with the
path and exact scopes each session carries the digest of its path so far, not its history),
which a live stream cannot know before the session ends. So its alerts are *held* while one
marked session still holds every transition flagged in it so far (the first alert of each
such transition is kept: at most the rows of one marked session). The first flag that no
single marked session accounts for releases them, late and marked ``held_until`` that event,
together with its own alert; from then on the session alerts at once. A session that ends
forgiven never alerts, one that does not alerts at every position its session file would have
flagged (of a held transition seen more than once before the release, at its first position
only): the verdict of session files, with delay as its price.

With the exact scope every event, flagged or not, must keep the session's whole path a prefix
of one marked session: alerts are held while it is, and the first event that leaves every
marked path (a new key, or one more event past a marked session's end) releases them, late
and marked ``held_until`` that event. A stream session never ends, so one that stops on a
strict prefix of a marked session stays held for good, where its session file would be
flagged (like a held session of the other scopes that ends without a release).

A long stream judged in one pass (:func:`judge_stream`) is one session: its flags are all
dropped when one marked session holds every transition flagged in it (exact scope: when the
whole stream equals one marked session).

With the transition scope nothing is held: an alert whose transition (window and key) some
marked session holds is dropped at once, the others are sent at once, in a live stream and in
a long one alike (each flagged position on its own, as in session files).
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
from seqrnn.anomaly.sessions import marked_rows, scored_symbols, transition_at
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
    held_until: int | None = None  # held (feedback forgiving sessions) until this event's index

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
    """Feedback state of one stream session: the marked sessions that still hold every
    transition flagged in it, or with the exact scope its whole path so far (``mask``; 0: none,
    it alerts at once), the alerts held meanwhile (first of each transition), and its last
    ``h`` raw keys (for windows) or, with the path and exact scopes, the digest of all its keys
    (for paths)."""

    mask: int
    held: dict[Row, Alert] = field(default_factory=dict)
    tail: list[str] = field(default_factory=list)
    path: str = EMPTY_PATH  # path and exact scopes: the digest of every key seen so far


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
        self.marked = marked  # feedback: alerts held or dropped (module docstring)
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
        """Feedback that forgives sessions: hold or release ``alerts`` (grouped by session in
        ``names`` order, in arrival order within each; ``positions`` in each session's
        ``history + new`` sequence)."""
        marked = self.marked
        if marked is None:
            return alerts
        mine: dict[str, list[tuple[Alert, int]]] = {}
        for alert, position in zip(alerts, positions.tolist(), strict=True):
            mine.setdefault(alert.session, []).append((alert, position))
        out: list[Alert] = []
        for name in names:
            state = self.pending.setdefault(name, _Pending(marked.everyone))
            out.extend(self._hold_session(state, mine.get(name, []), name, new[name]))
        return out

    def _hold_session(
        self, state: _Pending, alerts: list[tuple[Alert, int]], name: str, keys: list[str]
    ) -> list[Alert]:
        """One session's alerts of this chunk (with their positions) and its new ``keys``:
        the alerts to send now. The marked sessions still possible narrow at each flagged
        transition (exact scope: at every event, by its path row); the event where none is
        left releases the held alerts."""
        marked, h = self.marked, self.model.context_length
        symbols = [*state.tail, *keys]  # the tail is as long as the history (its last h keys)
        if marked.per_position:  # transition scope: each alert on its own, never held
            state.tail = symbols[-h:] if h else []
            return [a for a, p in alerts if not marked.allows(transition_at(symbols, p, h))]
        digests = path_digests(keys, state.path) if marked.path else []  # [len(keys) + 1]
        seen = self.history.get(name, (None, 0))[1]  # events before this chunk

        def row_at(position: int) -> Row:  # position in ``symbols``
            if marked.path:
                return (digests[position - len(state.tail)], symbols[position])
            return transition_at(symbols, position, h)

        rows = [(alert, row_at(p)) for alert, p in alerts]
        if marked.exact:
            steps = [(seen + i, (digests[i], key)) for i, key in enumerate(keys)]
        else:
            steps = [(alert.index, row) for alert, row in rows]
        released = None  # the index of the event that no marked session holds
        for index, row in steps:
            if not state.mask:
                break
            state.mask &= marked.holders(row)
            released = None if state.mask else index
        state.tail = symbols[-h:] if h else []
        state.path = digests[-1] if marked.path else state.path
        if state.mask or released is not None:  # held, or held until ``released``
            for alert, row in rows:
                if state.mask or alert.index < released:
                    state.held.setdefault(row, alert)  # the first alert of each transition
        if state.mask:
            return []
        if released is None:  # released before this chunk: alerts go at once
            return [alert for alert, _ in rows]
        late = [Alert(a.session, a.flagged, held_until=released) for a in state.held.values()]
        state.held.clear()
        return [*late, *(alert for alert, _ in rows if alert.index >= released)]

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
    only the flags and the flagged positions' details, never all the scores. With feedback
    the stream is one session (transition scope: each flag is judged on its own; see the
    module docstring)."""
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
    if marked is not None and flagged and marked.per_position:  # each flag on its own
        allowed = [marked.allows(row) for row in _rows_at(model, raw, flagged, marked)]
        all_flags[[f["position"] for f, a in zip(flagged, allowed, strict=True) if a]] = False
        flagged = [f for f, a in zip(flagged, allowed, strict=True) if not a]
    elif marked is not None and flagged and marked.covers(_rows_at(model, raw, flagged, marked)):
        all_flags[:], flagged = False, []  # the stream is one session, and it is forgiven
    return StreamVerdict(len(all_flags), flagged, flag_windows(all_flags, window), window)


def _rows_at(
    model: NextSymbolModel, raw: np.ndarray, flagged: list[dict], marked: MarkedSessions
) -> Iterable[Row]:
    """The transitions (raw symbols) at the flagged positions of a long stream; with the exact
    scope also the end row of the whole stream, as its session file would end it."""
    h = marked.context_length
    if marked.path:  # one pass over the stream up to its last flag (exact: to its end)
        positions = [f["position"] for f in flagged]
        if marked.exact:
            return marked_rows(marked, scored_symbols(model, raw), positions)
        return marked_rows(marked, [str(k) for k in raw[: max(positions) + 1]], positions)
    return (
        transition_at([str(k) for k in raw[max(t - h, 0) : t + 1]], min(t, h), h)
        for t in (f["position"] for f in flagged)
    )
