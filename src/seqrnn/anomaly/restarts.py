"""Restarts: train a few members with different seeds and let them answer together.

On HDFS one training seed in five or so gives a detector that is far worse than the others,
in one of two ways: it has not learnt every continuation of its own training sessions (it
flags some of them, and then about 1 % of normal test sessions), or it lets one family of
wrong orders through (a key that moved one step earlier). A user has one seed and cannot tell.

So the default detector is not one network but ``restarts.count`` (3) of them, seeds ``seed,
seed + 1, ...``, trained alike on the same sessions and saved as one model
(:class:`~seqrnn.nn.ensemble.MedianEnsembleNet`): for every context, each key's probability is
the median of the members' (renormalised). Nothing is chosen, so nothing has to be judged:
the rule is fixed in advance, and it is the one that a single bad member cannot sway in
either direction (a key only a bad member doubts keeps the others' probability; a key only a
bad member favours keeps the others' doubt). It costs no more training than choosing one of
the candidates did, and less than the choice, which trained the winner a second time.

:func:`criterion` computes, on training sessions only, the two figures that told bad seeds
apart (the share of their own training sessions a model flags, and the share of synthetic
wrong orders, two adjacent keys swapped, it catches); ``bench/hdfs_seeds.py`` prints them for
each member and for the ensemble.
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
    """``count`` members of the detector's ensemble (1: one network, no ensemble)."""

    count: int = 3

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ConfigError(f"restarts.count must be >= 1, got {self.count}")


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
