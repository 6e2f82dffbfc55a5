"""Tasks: what a network is trained to do (loss, accuracy, batch sources)."""

from seqrnn.tasks.next_symbol import NextSymbolTask, WindowBatches

__all__ = ["NextSymbolTask", "WindowBatches"]
