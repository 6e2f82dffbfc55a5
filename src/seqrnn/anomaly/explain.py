"""Why a session was flagged: the positions, the key seen, the keys the model expected there.

One explanation per anomalous *distinct* session (identical sessions share it); the report
writer attaches it to every input session with that content.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqrnn.anomaly.detectors import Detector, SessionAggregator
from seqrnn.anomaly.flags import flagged_at
from seqrnn.anomaly.sessions import END_SYMBOL, SessionScores, Verdicts
from seqrnn.data.vocab import Vocabulary


def explain(
    scores: SessionScores,
    verdicts: Verdicts,
    vocab: Vocabulary,
    detector: Detector,
    aggregator: SessionAggregator,
    templates: dict[str, str] | None = None,
    max_positions: int = 5,
    expected: int = 9,
) -> dict[int, dict[str, Any]]:
    """Distinct-session index -> explanation, for the anomalous ones.

    An explanation lists up to ``max_positions`` flagged positions, each with the key seen,
    its probability and rank, and the ``expected`` most likely keys with their probabilities
    (and template text when ``templates`` maps keys to it).
    """
    ps = scores.positions
    lengths = scores.lengths
    out: dict[int, dict[str, Any]] = {}
    for u in np.flatnonzero(verdicts.distinct_anomalous):
        out[int(u)] = {"length": int(lengths[u]), "reasons": [], "positions": []}
        if lengths[u] < aggregator.min_length:
            out[int(u)]["reasons"].append(
                f"session has {lengths[u]} keys, fewer than {aggregator.min_length} "
                "(too short to fill one window and be followed by a key)"
            )
    flagged = np.flatnonzero(verdicts.position_flags)  # [F] rows of ps, in session order
    for row in flagged:
        entry = out.get(int(ps.sequence[row]))
        if entry is None or len(entry["positions"]) >= max_positions:
            continue
        raw = scores.raw[int(ps.sequence[row])]
        pos = int(ps.position[row])
        raw_key = str(raw[pos]) if pos < len(raw) else END_SYMBOL  # past the end: the marker
        flagged_here = flagged_at(ps, row, raw_key, vocab, templates=templates, expected=expected)
        entry["positions"].append(flagged_here.to_dict())
    per_session = np.bincount(ps.sequence[flagged], minlength=len(lengths))  # [U]
    for u, entry in out.items():
        if per_session[u]:
            entry["reasons"].append(
                f"{per_session[u]} position(s) flagged by {detector.describe()}"
            )
    _add_strips(out, ps, verdicts.position_flags)
    return out


def _add_strips(out: dict[int, dict[str, Any]], ps: Any, flags: np.ndarray) -> None:
    """Every scored position of each explained session, for the report's probability strip:
    ``strip = {"position": [...], "prob": [...], "flagged": [positions]}``."""
    rows = np.flatnonzero(np.isin(ps.sequence, np.fromiter(out, dtype=np.int64)))  # [M]
    order = rows[np.argsort(ps.sequence[rows], kind="stable")]
    bounds = np.flatnonzero(np.diff(ps.sequence[order])) + 1
    for part in np.split(order, bounds) if len(order) else []:
        out[int(ps.sequence[part[0]])]["strip"] = {
            "position": ps.position[part].tolist(),
            "prob": [float(f"{p:.4g}") for p in ps.prob[part]],
            "flagged": ps.position[part][flags[part]].tolist(),
        }
