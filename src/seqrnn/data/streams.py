"""The contiguous text stream as batches for truncated back-propagation through time.

char-rnn style: the stream is laid out as ``B`` parallel columns and every batch continues
every column, so the recurrent state left by one batch is the right state to start the next
one (the task carries it, detached). For ``B = 3`` columns of ``n`` symbols and sequence
length ``T``::

    stream: a b c d e f g h i j k l m n o p q r ...
    column 0: a b c d e f      batch 0 = columns[:, 0:T]    (inputs)
    column 1: g h i j k l      batch 1 = columns[:, T:2T]   ... continues each column
    column 2: m n o p q r      targets  = the same, one symbol later

Each epoch starts the columns at a fresh random offset in ``[0, T)`` (so segment boundaries
move) and every column's state is reset at the first batch. With ``fresh_fraction > 0`` a
random share of the columns also has its state reset at each later batch: the network then
also learns to predict from a fresh state, which is how it is scored in windows.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from seqrnn.errors import ConfigError, InputError

Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor]  # inputs [B, T], targets [B, T], reset [B]


class StreamBatches:
    """Batch source (for :class:`~seqrnn.train.Trainer`) over one encoded stream.

    Yields ``(inputs [B, T], targets [B, T], reset [B] bool)``; ``reset[b]`` says that column
    ``b`` starts from a fresh (zero) state in this batch (a time budget ends an epoch through
    the trainer's ``should_stop``, checked after every batch).
    """

    def __init__(
        self,
        ids: np.ndarray,
        batch_size: int,
        seq_len: int,
        shuffle_offset: bool = True,
        fresh_fraction: float = 0.0,
        seed: int = 0,
    ):
        if batch_size <= 0 or seq_len <= 0:
            raise ConfigError("batch_size and seq_len must be positive integers")
        if not 0.0 <= fresh_fraction <= 1.0:
            raise ConfigError(f"fresh_fraction must be in [0, 1], got {fresh_fraction}")
        if len(ids) < batch_size * 2 + seq_len:
            raise InputError(
                f"the text is too short ({len(ids):,} symbols) for {batch_size} columns "
                f"of at least 2 symbols plus one sequence of {seq_len}"
            )
        self.ids = torch.as_tensor(np.asarray(ids), dtype=torch.int64)
        self.batch_size = batch_size
        self.seq_len = seq_len
        self.shuffle_offset = shuffle_offset
        self.fresh_fraction = fresh_fraction
        self.seed = seed

    def _columns(self, offset: int) -> torch.Tensor:
        """``[B, n + 1]``: column ``b`` is ``stream[offset + b*n : offset + (b+1)*n + 1]``
        (one extra symbol for the last target); a view-based copy of the stream."""
        n = (len(self.ids) - 1 - offset) // self.batch_size
        starts = offset + torch.arange(self.batch_size) * n  # [B]
        return self.ids[starts[:, None] + torch.arange(n + 1)]  # [B, n + 1]

    def _offset(self, epoch: int) -> int:
        if not self.shuffle_offset:
            return 0
        gen = np.random.default_rng((self.seed, epoch))
        return int(gen.integers(min(self.seq_len, len(self.ids) - 2 * self.batch_size)))

    def batches(self, epoch: int) -> Iterator[Batch]:
        """The batches of ``epoch``, in stream order (the state must flow between them)."""
        cols = self._columns(self._offset(epoch))  # [B, n + 1]
        n = cols.size(1) - 1
        gen = torch.Generator().manual_seed(self.seed * 100_003 + epoch)
        for i, start in enumerate(range(0, n, self.seq_len)):
            stop = min(start + self.seq_len, n)
            if i == 0:
                reset = torch.ones(self.batch_size, dtype=torch.bool)
            else:
                reset = torch.rand(self.batch_size, generator=gen) < self.fresh_fraction
            yield cols[:, start:stop], cols[:, start + 1 : stop + 1], reset

    def __len__(self) -> int:
        """Batches per epoch (at most: a later start offset can leave one fewer)."""
        n = (len(self.ids) - 1) // self.batch_size
        return -(-n // self.seq_len)
