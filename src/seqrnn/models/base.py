"""The one interface every next-symbol model answers.

A model gives, for a batch of contexts (the ``L`` previous symbols, left-padded with ``PAD``),
the log-probabilities of the next symbol::

    contexts [B, L] int64  ->  log_probs [B, V] float32      (rows sum to 1 after exp)

That is all scoring, detection, evaluation and generation need. Models with a cheaper way to
score a whole sequence (a recurrent net carrying its state, a Markov chain) override
:meth:`NextSymbolModel.sequence_log_probs`.
"""

from __future__ import annotations

import abc

import numpy as np
import torch

from seqrnn.data.formats import InputFormat
from seqrnn.data.vocab import Vocabulary
from seqrnn.data.windows import Windows


class NextSymbolModel(abc.ABC):
    """log P(next symbol | previous ``context_length`` symbols)."""

    #: symbols <-> ids; ``len(vocab)`` is ``V``
    vocab: Vocabulary
    #: how many previous symbols the model reads (the window length ``L``)
    context_length: int
    #: how the model's training data was read, so that new data is read the same way (each
    #: model records it in its checkpoint; a model built in memory states it)
    input_format: InputFormat = InputFormat.SESSIONS

    @abc.abstractmethod
    def next_log_probs(self, contexts: torch.Tensor) -> torch.Tensor:
        """``contexts [B, L]`` (int64 ids, ``PAD`` on the left where history is short) ->
        ``[B, V]`` log-probabilities of the next symbol, on the CPU."""

    def sequence_log_probs(
        self, ids: np.ndarray | torch.Tensor, batch_size: int = 4096
    ) -> torch.Tensor:
        """``ids [N]`` -> ``[N, V]``: row ``t`` is log P(symbol t | symbols before t).

        The default cuts the sequence into padded windows and scores them in batches.
        """
        windows = Windows([np.asarray(ids)], self.context_length)
        out = [self.next_log_probs(x) for x, _ in windows.batches(batch_size)]
        return torch.cat(out)

    @property
    def vocab_size(self) -> int:
        """``V``, the number of ids including ``PAD`` and ``UNK``."""
        return len(self.vocab)

    def describe(self) -> str:
        """A one-line description for reports."""
        return type(self).__name__
