"""Score sessions once each, then give every session its verdict.

HDFS repeats itself: 839 distinct sequences among 4,855 training sessions, about 5,100 among
the 23,838 test sessions. Identical sessions are therefore scored once (and inside them,
:func:`score_sequences` scores identical windows once); ``inverse`` maps every input session
to its distinct one, so metrics and reports still count every session.

    sessions [S] --unique--> distinct [U] --score_sequences--> PositionScores over U
        verdict[s] = verdict_of_distinct[inverse[s]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqrnn.anomaly.detectors import Detector, SessionAggregator
from seqrnn.data.vocab import PAD_SYMBOL
from seqrnn.data.windows import Targets
from seqrnn.evaluation.scoring import PositionScores, score_sequences
from seqrnn.models.allow_list import MarkedSessions, Row, end_row, path_digests
from seqrnn.models.base import NextSymbolModel

#: appended to every session by models trained with an end marker (see
#: :func:`seqrnn.anomaly.training.train_distinct`); its presence in a model's vocabulary
#: makes detection append it too, so "the session ended here" is scored like any key
END_SYMBOL = "<eos>"


def with_end_marker(sessions: list) -> list[list[str]]:
    """Sessions as symbol lists with :data:`END_SYMBOL` appended."""
    return [[*map(str, s), END_SYMBOL] for s in sessions]


def scored_symbols(model: NextSymbolModel, keys) -> list[str]:
    """Raw ``keys`` as the symbols ``model`` scores for a session: the end marker appended when
    the model was trained with one."""
    end = [END_SYMBOL] if END_SYMBOL in model.vocab else []
    return [*map(str, np.asarray(keys).tolist()), *end]


def encode_sessions(model: NextSymbolModel, sessions: list[np.ndarray]) -> list[np.ndarray]:
    """Encode raw sessions with the model's vocabulary, ending each with the end marker when
    the model was trained with one."""
    encoded = [model.vocab.encode(s) for s in sessions]
    if END_SYMBOL in model.vocab:
        end = np.array([model.vocab.index[END_SYMBOL]], dtype=np.int64)
        encoded = [np.concatenate([e, end]) for e in encoded]
    return encoded


@dataclass
class SessionScores:
    """Per-position scores of the distinct sessions and the map back to all sessions."""

    raw: list[np.ndarray]  # [U] distinct sessions as given (raw keys)
    distinct: list[np.ndarray]  # [U] the same, encoded with the model's vocabulary
    inverse: np.ndarray  # [S] int64, session -> distinct index
    positions: PositionScores  # positions of the distinct sessions (``sequence`` in [0, U))

    @property
    def lengths(self) -> np.ndarray:
        """``[U]`` keys per distinct session (without the end marker)."""
        return np.array([len(s) for s in self.raw], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.inverse)


@dataclass
class Verdicts:
    """One score and one verdict per input session (``[S]`` each), plus the per-position
    flags of the distinct sessions that explain them."""

    scores: np.ndarray  # [S] float64, max position score (+inf: unknown key / too short)
    anomalous: np.ndarray  # [S] bool
    position_flags: np.ndarray  # [N] bool over SessionScores.positions
    distinct_anomalous: np.ndarray  # [U] bool


def distinct_sessions(sessions: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct sessions in first-seen order and ``inverse [S]`` (session -> distinct)."""
    index: dict[bytes, int] = {}
    inverse = np.empty(len(sessions), dtype=np.int64)
    distinct: list[np.ndarray] = []
    for i, s in enumerate(sessions):
        key = np.asarray(s, dtype=np.int64).tobytes()
        j = index.setdefault(key, len(distinct))
        if j == len(distinct):
            distinct.append(np.asarray(s, dtype=np.int64))
        inverse[i] = j
    return distinct, inverse


def score_sessions(
    model: NextSymbolModel,
    sessions: list[np.ndarray],
    targets: Targets = Targets.ALL,
    top_k: int = 9,
    batch_size: int = 4096,
) -> SessionScores:
    """Score every position of every distinct session (raw keys) with the shared scorer.

    Sessions with nothing to score (empty, or shorter than a window under
    ``Targets.FULL_WINDOW``) simply have no positions; the aggregator decides about them.
    """
    raw, inverse = distinct_sessions(sessions)
    distinct = encode_sessions(model, raw)
    positions = score_sequences(model, distinct, targets, batch_size, top_k)
    return SessionScores(raw=raw, distinct=distinct, inverse=inverse, positions=positions)


def judge(
    scores: SessionScores,
    detector: Detector,
    aggregator: SessionAggregator,
    marked: MarkedSessions | None = None,
) -> Verdicts:
    """Detector on every position, aggregator per distinct session, scattered to all. With
    ``marked`` (feedback), a session whose flagged transitions one marked session all holds is
    forgiven (transition scope: each flagged position whose transition some marked session
    holds): its flagged positions score the threshold (the highest score not flagged), so it
    is normal unless the length rule or another flagged position flags it."""
    pos = detector.position_scores(scores.positions)  # [N]
    if marked is not None:
        pos = forgive(pos, scores, detector.threshold, marked)
    distinct_scores = aggregator.session_scores(pos, scores.positions, scores.lengths)  # [U]
    distinct_anomalous = distinct_scores > detector.threshold
    return Verdicts(
        scores=distinct_scores[scores.inverse],
        anomalous=distinct_anomalous[scores.inverse],
        position_flags=pos > detector.threshold,
        distinct_anomalous=distinct_anomalous,
    )


def session_symbols(scores: SessionScores, u: int) -> list[str]:
    """Distinct session ``u`` as the symbols scored: its raw keys, and the end marker when
    the model appends one."""
    raw = [str(k) for k in np.asarray(scores.raw[u]).tolist()]
    return [*raw, END_SYMBOL] if len(scores.distinct[u]) > len(raw) else raw


def transition_at(symbols: list[str], position: int, context_length: int) -> Row:
    """The row (window, then the symbol at ``position``) as symbols, ``<pad>`` where the
    history is short. :func:`seqrnn.anomaly.feedback.session_rows` records marked sessions
    with it too, so the rows written and the rows looked up cannot drift apart."""
    start = position - context_length
    window = [PAD_SYMBOL] * max(-start, 0) + symbols[max(start, 0) : position]
    return (*window, symbols[position])


def forgive(
    position_scores: np.ndarray, scores: SessionScores, threshold: float, marked: MarkedSessions
) -> np.ndarray:
    """``position_scores [N]`` with the flagged positions of forgiven sessions lowered to
    ``threshold``: a distinct session is forgiven when one marked session holds every
    transition flagged in it (raw symbols, so two unknown keys never match each other); with
    the transition scope each flagged position is, when any marked session holds its
    transition."""
    flagged = np.flatnonzero(position_scores > threshold)
    if flagged.size == 0:
        return position_scores
    out = position_scores.copy()
    ps = scores.positions
    order = flagged[np.argsort(ps.sequence[flagged], kind="stable")]
    cuts = np.flatnonzero(np.diff(ps.sequence[order])) + 1
    for rows in np.split(order, cuts):
        symbols = session_symbols(scores, int(ps.sequence[rows[0]]))
        found = marked_rows(marked, symbols, ps.position[rows].tolist())
        if marked.per_position:
            out[rows[np.array([marked.allows(row) for row in found], dtype=bool)]] = threshold
        elif marked.covers(found):
            out[rows] = threshold
    return out


def marked_rows(marked: MarkedSessions, symbols: list[str], positions: list[int]) -> list[Row]:
    """The rows ``marked`` keeps for the transitions at ``positions`` of ``symbols``: the
    window and the symbol, or with the path scope the digest of the whole path before it and
    the symbol (:func:`~seqrnn.models.allow_list.path_rows`); the exact scope adds the end row
    of the whole of ``symbols``, so only a marked session equal to it holds them all."""
    if marked.path:
        digests = path_digests(symbols if marked.exact else symbols[: max(positions, default=0)])
        rows = [(digests[p], symbols[p]) for p in positions]
        return [*rows, end_row(digests[-1])] if marked.exact else rows
    return [transition_at(symbols, p, marked.context_length) for p in positions]
