"""Next-symbol models behind one interface: neural networks, baselines and the NumPy reference.

Everything downstream (evaluation, scoring, anomaly detection, generation) is written once
against :class:`~seqrnn.models.base.NextSymbolModel`.
"""

from seqrnn.models.base import NextSymbolModel
from seqrnn.models.neural import NeuralNextSymbolModel

__all__ = ["NeuralNextSymbolModel", "NextSymbolModel"]
