"""Padded, length-bucketed batches of encoded texts and the classification training task.

A batch is ``(ids [B, T], lengths [B], labels [B])``: texts are right-padded with ``<pad>``
(id 0) to the longest in the batch, and ``lengths`` lets the encoder pack the batch so that
padding never reaches the recurrence. Bucketing puts texts of similar length together, so
little time is spent on padding::

    shuffle all -> cut into pools of 50 batches -> sort each pool by length
    -> cut pools into batches -> shuffle the batch order
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from seqrnn.data.vocab import PAD
from seqrnn.train.trainer import StepOutput

Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor]

POOL_BATCHES = 50  # batches per sorting pool: large enough to bucket, small enough to mix


def pad_batch(seqs: Sequence[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad ``seqs`` with PAD: ``ids [B, T]`` and ``lengths [B]`` (empty texts get one
    PAD step so that every sequence has length >= 1)."""
    lengths = torch.tensor([max(len(s), 1) for s in seqs], dtype=torch.int64)  # [B]
    ids = torch.full((len(seqs), int(lengths.max())), PAD, dtype=torch.int64)  # [B, T]
    for row, s in enumerate(seqs):
        ids[row, : len(s)] = torch.from_numpy(np.asarray(s, dtype=np.int64))
    return ids, lengths


def bucket_order(
    lengths: np.ndarray, batch_size: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """Batches of indices: shuffled, then sorted by length within pools (see module doc)."""
    order = rng.permutation(len(lengths))
    pool = batch_size * POOL_BATCHES
    batches = []
    for start in range(0, len(order), pool):
        chunk = order[start : start + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


class TextBatches:
    """A batch source for the trainer over encoded texts ``ids`` with integer ``labels``."""

    def __init__(
        self,
        ids: Sequence[np.ndarray],
        labels: Sequence[int] | np.ndarray,
        batch_size: int,
        shuffle: bool,
        seed: int = 0,
        bucket: bool = True,
    ):
        self.ids = list(ids)
        self.labels = np.asarray(labels, dtype=np.int64)
        self.lengths = np.array([len(s) for s in self.ids])
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self.bucket = bucket

    def __len__(self) -> int:
        return -(-len(self.ids) // self.batch_size)

    def index_batches(self, epoch: int) -> list[np.ndarray]:
        """The row indices of each batch of ``epoch`` (depends only on seed and epoch)."""
        n, bs = len(self.ids), self.batch_size
        if self.shuffle:
            rng = np.random.default_rng([self.seed, epoch])
            if self.bucket:
                return bucket_order(self.lengths, bs, rng)
            order = rng.permutation(n)
        elif self.bucket:  # evaluation: sort by length, order does not matter
            order = np.argsort(self.lengths, kind="stable")
        else:
            order = np.arange(n)
        return [order[i : i + bs] for i in range(0, n, bs)]

    def batches(self, epoch: int) -> Iterator[Batch]:
        for index in self.index_batches(epoch):
            ids, lengths = pad_batch([self.ids[i] for i in index])
            yield ids, lengths, torch.from_numpy(self.labels[index])


class ClassificationTask:
    """Cross-entropy on ``net(ids, lengths, labels) -> logits [B, K]``; accuracy = argmax
    hits. Labels reach the network in training steps only (for its leave-one-out prior)."""

    def __init__(self, class_weights: torch.Tensor | None = None):
        self.class_weights = class_weights

    def step(self, net: nn.Module, batch: Batch, train: bool) -> StepOutput:
        ids, lengths, labels = batch
        logits = net(ids, lengths, labels if train else None)  # [B, K]
        weight = None
        if self.class_weights is not None:
            weight = self.class_weights.to(logits.device)
        loss = F.cross_entropy(logits, labels, weight=weight)
        correct = int((logits.argmax(-1) == labels).sum())
        return StepOutput(loss=loss, count=int(labels.numel()), correct=correct)
