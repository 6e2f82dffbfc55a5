"""Data-parallel training on torch.distributed: one process per device, launched by torchrun.

``torchrun --nproc_per_node=N -m seqrnn train ...`` starts N copies of the same command and
tells each, through environment variables (``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``,
``MASTER_ADDR``, ``MASTER_PORT``), who it is. :func:`session` reads them, joins the process
group (NCCL when the process has a GPU, gloo on CPU) and leaves it again at the end; without
them it is a single process and everything here is a no-op, so the same code path serves both.

How a step stays equal to a single-process step with the same global batch ``B``::

    epoch order (same on every rank):  w7 w2 w9 w4 w1 w8 ...
    rank 0 takes order[0::2]:          w7    w9    w1
    rank 1 takes order[1::2]:             w2    w4    w8
    batch j of each rank (B/2 windows) -> together the single-process batch j (B windows)

Each rank averages its loss over ``B / N`` windows and DistributedDataParallel averages the
gradients over the ``N`` ranks, which is the mean over all ``B`` windows. Epoch sums (loss,
count, correct) are all-reduced so every rank sees the same history and early stopping agrees;
only rank 0 writes files and logs.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

from seqrnn.errors import ConfigError
from seqrnn.train.config import resolve_device

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DistContext:
    """Who this process is in a data-parallel job (``world_size == 1``: alone)."""

    rank: int = 0
    local_rank: int = 0
    world_size: int = 1
    device: str = "cpu"
    backend: str | None = None  # "nccl", "gloo" or None when not distributed

    @property
    def is_main(self) -> bool:
        """Rank 0: the one process that writes files and logs."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        """Whether more than one process takes part."""
        return self.world_size > 1

    def per_rank_batch(self, global_batch: int) -> int:
        """This rank's share of a global batch (it must divide evenly)."""
        if global_batch % self.world_size:
            raise ConfigError(
                f"train.batch_size {global_batch} is the global batch and must be divisible by "
                f"the number of processes ({self.world_size})"
            )
        return global_batch // self.world_size


def env_rank() -> int:
    """The global rank torchrun gave this process (0 when not launched by torchrun)."""
    return int(os.environ.get("RANK", "0"))


def is_main_process() -> bool:
    """True unless this is a non-zero rank of an initialised process group (or of torchrun)."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank() == 0
    return env_rank() == 0


def init_from_env(device: str = "auto") -> DistContext:
    """Join the process group torchrun describes, or return a single-process context.

    ``device`` is the training config's device: ``auto`` takes this process's GPU
    (``cuda:LOCAL_RANK``) when there is one, else the CPU. NCCL serves GPUs, gloo the CPU.
    """
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    dev = resolve_device(device)
    if dev.type == "cuda" and dev.index is None:
        dev = torch.device("cuda", local if world > 1 else torch.cuda.current_device())
    if world <= 1:
        return DistContext(device=str(dev))
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
    backend = "nccl" if dev.type == "cuda" else "gloo"
    if not dist.is_initialized():
        dist.init_process_group(backend=backend)
    ctx = DistContext(dist.get_rank(), local, dist.get_world_size(), str(dev), backend)
    if not ctx.is_main:
        logging.getLogger("seqrnn").setLevel(logging.ERROR)  # rank 0 speaks for all
    logger.info("rank %d of %d on %s (%s)", ctx.rank, ctx.world_size, ctx.device, backend)
    return ctx


def cleanup() -> None:
    """Leave the process group (no-op when there is none)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


@contextlib.contextmanager
def session(device: str = "auto") -> Iterator[DistContext]:
    """:func:`init_from_env` for the duration of a ``with`` block; leaves the group after,
    unless it was already joined by the caller."""
    joined_before = dist.is_available() and dist.is_initialized()
    ctx = init_from_env(device)
    try:
        yield ctx
    finally:
        if ctx.distributed and not joined_before:
            cleanup()


def wrap(net: nn.Module, ctx: DistContext) -> nn.Module:
    """``net`` on this rank's device, inside DistributedDataParallel when distributed.

    DDP copies rank 0's weights to every rank when it is built and averages gradients during
    ``backward``. The trainer unwraps it (``.module``) for checkpoints.
    """
    net = net.to(ctx.device)
    if not ctx.distributed:
        return net
    device_ids = [torch.device(ctx.device).index] if ctx.device.startswith("cuda") else None
    return nn.parallel.DistributedDataParallel(net, device_ids=device_ids)


def all_reduce_sums(sums: dict[str, Any]) -> dict[str, Any]:
    """Add numeric entries of ``sums`` over all ranks (``None`` entries stay ``None``;
    ``time`` is the slowest rank's). Returns ``sums`` unchanged when not distributed."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return sums
    keys = [k for k, v in sums.items() if v is not None and k != "time"]
    device = "cuda" if dist.get_backend() == "nccl" else "cpu"
    t = torch.tensor([float(sums[k]) for k in keys], dtype=torch.float64, device=device)
    dist.all_reduce(t)
    out = dict(sums)
    for k, v in zip(keys, t.tolist(), strict=True):
        out[k] = int(v) if isinstance(sums[k], int) else v
    if "time" in sums:
        tt = torch.tensor([float(sums["time"])], dtype=torch.float64, device=device)
        dist.all_reduce(tt, op=dist.ReduceOp.MAX)
        out["time"] = float(tt.item())
    return out


def broadcast_object(obj: Any, ctx: DistContext) -> Any:
    """Rank 0's ``obj`` on every rank (e.g. the run folder rank 0 created)."""
    if not ctx.distributed:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def barrier(ctx: DistContext) -> None:
    """Wait for every rank (e.g. until rank 0 has written a checkpoint)."""
    if ctx.distributed:
        dist.barrier()


def any_rank(flag: bool) -> bool:
    """Whether ``flag`` is true on any rank (each rank must call it at the same point); the
    flag itself when not distributed. Used so that all ranks stop at the same batch."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return flag
    device = "cuda" if dist.get_backend() == "nccl" else "cpu"
    t = torch.tensor([1 if flag else 0], device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item())
