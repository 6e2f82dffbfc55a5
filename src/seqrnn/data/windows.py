"""Sliding windows over encoded sequences, as views of one flat tensor (no copies, no one-hot).

Layout. Every session gets ``L`` padding ids in front of it and all of them are laid end to end
in one flat int64 tensor; a stream is one session. For ``L = 3`` and sessions ``a b c`` and
``d e``::

    flat:    P P P a b c P P P d e
    index:   0 1 2 3 4 5 6 7 8 9 10
    targets:       ^ ^ ^       ^ ^      (positions of real symbols)

The window that predicts the symbol at flat position ``t`` is ``flat[t-L : t]``, so its start is
``t - L`` and it never reaches back into the previous session: the padding block is exactly
``L`` long. ``flat.unfold(0, L + 1, 1)`` is a strided *view* of all ``L + 1``-long slices;
indexing it with a batch of starts copies only that batch. Memory is therefore two int64
tensors of about one entry per event (``flat`` and ``starts``), whatever ``L`` and the
vocabulary size.

Two mappings, as in the original program:

* ``Mapping.NEXT`` (one-to-one): input ``[B, L]`` -> target ``[B]``, the symbol after the window;
* ``Mapping.SHIFTED`` (many-to-many): input ``[B, L]`` -> target ``[B, L]``, the window moved
  by one; targets that are padding are ignored by the loss.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence

import numpy as np
import torch

from seqrnn.data.vocab import PAD
from seqrnn.errors import InputError


class Mapping(enum.StrEnum):
    """How a window maps to its target."""

    NEXT = "next"  # window -> next symbol (one-to-one)
    SHIFTED = "shifted"  # window -> window shifted by one (many-to-many)


class Targets(enum.StrEnum):
    """Which positions of a session become targets."""

    ALL = "all"  # every symbol, the first ones predicted from a padded (partial) window
    FULL_WINDOW = "full_window"  # only symbols with a full window of L real symbols before them


class Windows:
    """All windows of length ``length`` over encoded ``sequences``; iterate in batches.

    ``step`` keeps every step-th window and ``offset`` (``0 <= offset < step``) shifts the first
    one, as the original program's random start did. Sessions never share a window.
    """

    def __init__(
        self,
        sequences: Sequence[np.ndarray | torch.Tensor],
        length: int,
        mapping: Mapping = Mapping.NEXT,
        step: int = 1,
        offset: int = 0,
        targets: Targets = Targets.ALL,
    ):
        if length <= 0:
            raise InputError(f"the window length must be a positive integer, got {length}")
        if step <= 0:
            raise InputError(f"the window step must be a positive integer, got {step}")
        if not 0 <= offset < step:
            raise InputError(f"the window offset must be in [0, step={step}), got {offset}")
        self.length = length
        self.mapping = Mapping(mapping)
        self.flat, all_starts = _layout(sequences, length, Targets(targets))
        self.starts = all_starts[offset::step].contiguous()
        self._view = self.flat.unfold(0, length + 1, 1)  # [N - L, L + 1], a view of flat

    def __len__(self) -> int:
        return int(self.starts.numel())

    def rows(self, index: torch.Tensor | None = None) -> torch.Tensor:
        """Windows with their targets as rows ``[N, L + 1]`` (context, then the next symbol):
        all of them, or those at ``index``. This copies: about ``8 (L + 1)`` bytes a window."""
        starts = self.starts if index is None else self.starts[index]
        return self._view[starts]

    def take(self, index: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Windows number ``index`` as ``(inputs [B, L], targets [B] or [B, L])``."""
        rows = self._view[self.starts[index]]  # [B, L + 1], the only copy
        inputs = rows[:, :-1]
        targets = rows[:, -1] if self.mapping is Mapping.NEXT else rows[:, 1:]
        return inputs, targets

    def batches(
        self,
        batch_size: int,
        shuffle: bool = False,
        seed: int = 0,
        epoch: int = 0,
        rank: int = 0,
        world_size: int = 1,
        drop_last: bool = False,
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Batches of windows. Shuffling is seeded by ``(seed, epoch)`` so a resumed run sees
        the same order; ``rank``/``world_size`` give each data-parallel process its shard."""
        if batch_size <= 0:
            raise InputError(f"the batch size must be a positive integer, got {batch_size}")
        order = self.order(shuffle, seed, epoch, rank, world_size)
        stop = len(order) - (len(order) % batch_size if drop_last else 0)
        for i in range(0, stop, batch_size):
            yield self.take(order[i : i + batch_size])

    def order(
        self, shuffle: bool, seed: int, epoch: int, rank: int = 0, world_size: int = 1
    ) -> torch.Tensor:
        """Window numbers in the order one epoch visits them (this rank's share)."""
        n = len(self)
        if shuffle:
            gen = torch.Generator().manual_seed(seed * 100_003 + epoch)
            order = torch.randperm(n, generator=gen)
        else:
            order = torch.arange(n)
        if world_size > 1:
            per_rank = -(-n // world_size)
            order = torch.cat([order, order[: per_rank * world_size - n]])  # pad evenly
            order = order[rank::world_size]
        return order

    def num_batches(self, batch_size: int, world_size: int = 1, drop_last: bool = False) -> int:
        """How many batches one epoch yields on each rank."""
        per_rank = -(-len(self) // world_size)
        return per_rank // batch_size if drop_last else -(-per_rank // batch_size)


def _layout(
    sequences: Sequence[np.ndarray | torch.Tensor], length: int, targets: Targets
) -> tuple[torch.Tensor, torch.Tensor]:
    """Lay sessions end to end, each after ``length`` pads; return (flat, window starts)."""
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    if lengths.sum() == 0:
        raise InputError("no symbols to make windows from")
    block = lengths + length  # each session with its padding block
    block_starts = np.concatenate([[0], np.cumsum(block)[:-1]])
    flat = torch.full((int(block.sum()),), PAD, dtype=torch.int64)
    for seq, begin in zip(sequences, block_starts + length, strict=True):
        if len(seq):
            flat[int(begin) : int(begin) + len(seq)] = torch.as_tensor(seq, dtype=torch.int64)
    # Window start for target t is t - L; t runs over the real symbols of each session.
    first = 0 if targets is Targets.ALL else length
    starts = [
        np.arange(b + first, b + n, dtype=np.int64)
        for b, n in zip(block_starts, lengths, strict=True)
        if n > first
    ]
    if not starts:
        raise InputError(
            f"every sequence is shorter than one window plus its target ({length + 1} symbols)"
        )
    return flat, torch.from_numpy(np.concatenate(starts))
