"""One representation of a flagged position, for explanations, stream alerts and the service.

Whether a session was judged whole (``seqrnn detect``), event by event (``--follow``,
``POST /v1/events``) or over HTTP in bulk (``POST /v1/sessions``), a flagged position says the
same things in the same words: where it is, the key seen, its probability and rank, whether the
model had never seen the key, and the keys it expected there (with their templates when known).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from seqrnn.data.vocab import UNK, Vocabulary
from seqrnn.evaluation.scoring import PositionScores


@dataclass(frozen=True)
class ExpectedKey:
    """A key the model expected, with its probability (and template text when known)."""

    key: str
    prob: float
    template: str | None = None


@dataclass(frozen=True)
class FlaggedPosition:
    """A position a detector flagged. ``position`` counts the session's events before it;
    ``rank`` is the rank of the key seen among the model's guesses (1 = its first guess)."""

    position: int
    key: str
    prob: float
    rank: int
    unknown_key: bool
    expected: list[ExpectedKey] = field(default_factory=list)
    template: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, without empty templates."""
        out: dict[str, Any] = {
            "position": self.position,
            "key": self.key,
            "unknown_key": self.unknown_key,
            "prob": self.prob,
            "rank": self.rank,
            "expected": [_expected_dict(e) for e in self.expected],
        }
        if self.template is not None:
            out["template"] = self.template
        return out

    def format(self) -> str:
        """One line for a terminal."""
        guesses = " ".join(f"{e.key}({e.prob:.3f})" for e in self.expected)
        unknown = " (unknown key)" if self.unknown_key else ""
        return (
            f"event {self.position}: key {self.key}{unknown} p={self.prob:.2e} "
            f"rank={self.rank} expected {guesses}"
        )


def flagged_at(
    scores: PositionScores,
    row: int,
    key: str,
    vocab: Vocabulary,
    position: int | None = None,
    templates: dict[str, str] | None = None,
    expected: int = 9,
) -> FlaggedPosition:
    """The flagged position at ``row`` of ``scores``; ``key`` is the key as the input wrote it
    and ``position`` its place in the session (default: the row's own position)."""
    templates = templates or {}
    guesses = zip(scores.top_ids[row][:expected], scores.top_probs[row][:expected], strict=True)
    return FlaggedPosition(
        position=int(scores.position[row]) if position is None else position,
        key=key,
        prob=float(scores.prob[row]),
        rank=int(scores.rank[row]),
        unknown_key=bool(scores.target[row] == UNK),
        expected=[_expected(vocab.symbols[int(i)], float(p), templates) for i, p in guesses],
        template=templates.get(key),
    )


def _expected(key: str, prob: float, templates: dict[str, str]) -> ExpectedKey:
    return ExpectedKey(key, round(prob, 6), templates.get(key))


def _expected_dict(e: ExpectedKey) -> dict[str, Any]:
    out: dict[str, Any] = {"key": e.key, "prob": e.prob}
    if e.template is not None:
        out["template"] = e.template
    return out
