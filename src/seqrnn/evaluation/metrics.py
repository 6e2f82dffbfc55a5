"""Next-symbol metrics from per-position scores: cross-entropy, perplexity, top-k accuracy."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from seqrnn.errors import ConfigError
from seqrnn.evaluation.scoring import PositionScores


@dataclass(frozen=True)
class NextSymbolMetrics:
    """Averages over all scored positions."""

    positions: int
    cross_entropy: float  # mean -log p, nats
    perplexity: float  # exp(cross_entropy)
    bits_per_symbol: float  # cross_entropy / ln 2
    top_k_accuracy: dict[int, float]  # k -> share of positions whose true symbol ranked <= k

    def to_dict(self) -> dict:
        """JSON-ready (string keys for top-k)."""
        d = asdict(self)
        d["top_k_accuracy"] = {str(k): v for k, v in self.top_k_accuracy.items()}
        return d


def summarize(scores: PositionScores, max_k: int = 3) -> NextSymbolMetrics:
    """Cross-entropy, perplexity and top-1..``max_k`` accuracy (the original's top-1/2/3)."""
    if max_k < 1:
        raise ConfigError(f"top-k must be a positive integer, got {max_k}")
    n = len(scores)
    if n == 0:
        raise ValueError("no scored positions")
    ce = float(np.mean(scores.nll))
    return NextSymbolMetrics(
        positions=n,
        cross_entropy=ce,
        perplexity=math.exp(ce) if ce < 700 else math.inf,
        bits_per_symbol=ce / math.log(2),
        top_k_accuracy={k: float(np.mean(scores.rank <= k)) for k in range(1, max_k + 1)},
    )
