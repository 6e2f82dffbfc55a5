"""Windows over a series and the batch sources the trainer draws them from.

A window is named by its *origin* ``t``: the first time it forecasts. Its inputs are the
``look_back`` steps before it and its targets the ``horizon`` steps from it::

    time      ... t-L ... t-2  t-1 | t   t+1 ... t+H-1
    inputs        [---- L steps ---]
    targets                          [---- H steps ----]

Plain framings shuffle windows each epoch. The stateful framing keeps memory between
batches, which only means something when row ``i`` of batch ``k+1`` continues row ``i`` of
batch ``k``; so the windows, in time order, are dealt into ``B`` contiguous streams::

    windows   w0 w1 w2 w3 w4 w5 w6 w7 w8        (B = 3; extra oldest windows dropped)
    stream 0  w0 w1 w2
    stream 1  w3 w4 w5
    stream 2  w6 w7 w8
    batch k = (w_k, w_{3+k}, w_{6+k})           state reset at k = 0 (each epoch)

so every batch has exactly ``B`` rows and the user never has to pick a batch size that divides
the data (Keras' fixed ``batch_input_shape`` trap).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import numpy as np
import torch

from seqrnn.errors import ConfigError

logger = logging.getLogger(__name__)

Batch = tuple[torch.Tensor, torch.Tensor, bool]  # inputs [B, L, C], targets [B, H], reset


def gather_inputs(data: np.ndarray, origins: np.ndarray, look_back: int) -> np.ndarray:
    """``data`` ``[N, C]`` -> windows ``[S, L, C]`` ending just before each origin."""
    idx = origins[:, None] - look_back + np.arange(look_back)  # [S, L]
    return data[idx]


def gather_targets(z: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """``z`` ``[N]`` -> targets ``[S, H]`` from each origin on."""
    return z[origins[:, None] + np.arange(horizon)]


class ShuffledBatches:
    """Windows in a fresh random order each epoch (order fixed by ``seed`` and epoch)."""

    def __init__(
        self, x: torch.Tensor, y: torch.Tensor, batch_size: int, shuffle: bool, seed: int = 0
    ):
        self.x, self.y = x, y  # [S, L, C], [S, H]
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed

    def batches(self, epoch: int) -> Iterator[Batch]:
        n = len(self.x)
        if self.shuffle:
            gen = torch.Generator().manual_seed(self.seed * 100_003 + epoch)
            order = torch.randperm(n, generator=gen)
        else:
            order = torch.arange(n)
        for start in range(0, n, self.batch_size):
            idx = order[start : start + self.batch_size]
            yield self.x[idx], self.y[idx], True

    def __len__(self) -> int:
        return -(-len(self.x) // self.batch_size)


class StatefulBatches:
    """Windows dealt into ``batch_size`` contiguous streams (see the module docstring); the
    first batch of every epoch carries ``reset=True``."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch_size: int):
        n = len(x)
        if batch_size > n:
            raise ConfigError(
                f"stateful batch size {batch_size} is larger than the {n} windows to train on"
            )
        self.steps = n // batch_size
        dropped = n - self.steps * batch_size
        if dropped:
            logger.info("stateful streams: %d oldest windows left out of %d", dropped, n)
        keep = torch.arange(dropped, n).reshape(batch_size, self.steps)  # [B, steps]
        self.order = keep.t().contiguous()  # row k = the windows of batch k
        self.x, self.y = x, y

    def batches(self, epoch: int) -> Iterator[Batch]:
        for k in range(self.steps):
            idx = self.order[k]
            yield self.x[idx], self.y[idx], k == 0

    def __len__(self) -> int:
        return self.steps
