"""Next-symbol prediction as a training task: cross-entropy over the vocabulary, padding
targets ignored, accuracy = top-1 hits."""

from __future__ import annotations

from collections.abc import Iterator

import torch
import torch.nn.functional as F
from torch import nn

from seqrnn.data.vocab import PAD
from seqrnn.data.windows import Windows
from seqrnn.train.trainer import StepOutput


class NextSymbolTask:
    """Loss for ``(inputs [B, L], targets [B] or [B, L])`` batches."""

    def step(
        self, net: nn.Module, batch: tuple[torch.Tensor, torch.Tensor], train: bool
    ) -> StepOutput:
        x, y = batch
        logits, _ = net(x)  # [B, V] or [B, L, V]
        if logits.dim() == 3 and y.dim() == 1:
            logits = logits[:, -1]  # per-step net trained on next-symbol windows
        V = logits.size(-1)
        logits, y = logits.reshape(-1, V), y.reshape(-1)  # [N, V], [N]
        loss = F.cross_entropy(logits, y, ignore_index=PAD)
        real = y != PAD
        count = int(real.sum())
        correct = int(((logits.argmax(-1) == y) & real).sum())
        return StepOutput(loss=loss, count=count, correct=correct)


class WindowBatches:
    """Adapts :class:`~seqrnn.data.windows.Windows` to the trainer's batch source."""

    def __init__(
        self,
        windows: Windows,
        batch_size: int,
        shuffle: bool,
        seed: int = 0,
        rank: int = 0,
        world_size: int = 1,
    ):
        self.windows = windows
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self.rank = rank
        self.world_size = world_size

    def batches(self, epoch: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        return self.windows.batches(
            self.batch_size, self.shuffle, self.seed, epoch, self.rank, self.world_size
        )

    def __len__(self) -> int:
        return self.windows.num_batches(self.batch_size, self.world_size)
