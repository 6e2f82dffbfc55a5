"""Scoring and metrics written once for every :class:`~seqrnn.models.NextSymbolModel`."""

from seqrnn.evaluation.metrics import NextSymbolMetrics, summarize
from seqrnn.evaluation.scoring import PositionScores, score_sequences

__all__ = ["NextSymbolMetrics", "PositionScores", "score_sequences", "summarize"]
