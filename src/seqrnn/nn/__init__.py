"""Bare networks (``nn.Module``): no loss, no data, no training loop."""

from seqrnn.nn.encoder import Cell, EncoderConfig, RecurrentEncoder
from seqrnn.nn.next_symbol import Head, NextSymbolConfig, NextSymbolNet

__all__ = [
    "Cell",
    "EncoderConfig",
    "Head",
    "NextSymbolConfig",
    "NextSymbolNet",
    "RecurrentEncoder",
]
