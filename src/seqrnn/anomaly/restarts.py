"""Restarts: train a few candidate detectors and keep the one a training-data criterion prefers.

On HDFS one training seed in five or so gives a detector that is far worse than the others,
in one of two ways: it has not learnt every continuation of its own training sessions (it
flags some of them, and then about 1 % of normal test sessions), or it lets one family of
wrong orders through (a key that moved one step earlier). A user has one seed and cannot tell.
Nothing of the test may decide, so each candidate is judged on the training sessions alone,
with the detector it will be used with (top-g, g = ``restarts.g``):

1. **misses on its own training sessions**: the share of training sessions it flags. A model
   that flags more than ``restarts.max_training_flagged`` (0.5 %) of what it was trained on is
   badly fitted and is out, unless all are (then those flagging the fewest stay in);
2. **synthetic wrong orders caught**: every distinct training session with two adjacent
   different keys swapped, kept when the result is no training session, and the share of
   them flagged; the highest wins (it is the model that learnt orders, not only keys).

The candidates use seeds ``seed, seed + 1, ...``; the winner is trained again in the run
folder with its seed (training is deterministic for a seed, so this is the same model), and
``metrics.json`` records every candidate's figures and the seed chosen (``restarts``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqrnn.anomaly.detectors import SessionAggregator, TopG
from seqrnn.anomaly.sessions import distinct_sessions, judge, score_sessions
from seqrnn.errors import ConfigError
from seqrnn.models.base import NextSymbolModel


@dataclass(frozen=True)
class RestartConfig:
    """``count`` candidates (1: no restarts), judged with top-``g``; a candidate flagging more
    than ``max_training_flagged`` of its training sessions is out."""

    count: int = 3
    g: int = 9
    max_training_flagged: float = 0.005

    def __post_init__(self) -> None:
        if self.count < 1 or self.g < 1:
            raise ConfigError(
                f"restarts.count and restarts.g must be >= 1, got {self.count}, {self.g}"
            )
        if not 0.0 <= self.max_training_flagged <= 1.0:
            raise ConfigError("restarts.max_training_flagged must be in [0, 1]")


def swapped_orders(sessions: list[np.ndarray]) -> list[np.ndarray]:
    """Distinct sessions made from distinct ``sessions`` by swapping two adjacent different
    keys, without those that are themselves one of ``sessions``."""
    seen = {tuple(s.tolist()) for s in sessions}
    out: set[tuple] = set()
    for s in sessions:
        for i in np.flatnonzero(s[:-1] != s[1:]):
            t = s.copy()
            t[i], t[i + 1] = s[i + 1], s[i]
            if tuple(t.tolist()) not in seen:
                out.add(tuple(t.tolist()))
    return [np.array(t, dtype=np.int64) for t in sorted(out)]


def criterion(model: NextSymbolModel, sessions: list[np.ndarray], g: int) -> dict[str, float]:
    """A candidate's figures on training ``sessions`` only (see the module docstring)."""
    distinct, _ = distinct_sessions(sessions)
    aggregator = SessionAggregator(model.context_length + 1)
    flagged = judge(score_sessions(model, sessions, top_k=g), TopG(g), aggregator).anomalous
    swaps = swapped_orders(distinct)
    caught = judge(score_sessions(model, swaps, top_k=g), TopG(g), aggregator).anomalous
    return {
        "training_flagged": float(np.mean(flagged)) if len(flagged) else 0.0,
        "swaps_caught": float(np.mean(caught)) if len(caught) else 0.0,
    }


def best_candidate(figures: list[dict[str, float]], max_training_flagged: float = 0.005) -> int:
    """Index of the winner: among the candidates flagging at most ``max_training_flagged`` of
    their training sessions (or, when none does, those flagging the fewest), the one catching
    the most swapped orders; the first on a tie."""
    flagged = [f["training_flagged"] for f in figures]
    limit = max(max_training_flagged, min(flagged))
    eligible = [i for i, f in enumerate(flagged) if f <= limit]
    return max(eligible, key=lambda i: (figures[i]["swaps_caught"], -i))
