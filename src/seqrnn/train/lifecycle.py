"""One training life cycle for every task: build -> run folder -> train -> best weights -> report.

Each task (next-symbol models, detectors, forecasters, classifiers, text models) supplies only
what is its own, as a :class:`Recipe`: its data, network, loss (:class:`~seqrnn.train.Task`)
and checkpoint metadata (:class:`Parts`), and what to report at the end. Everything else is
written once, here, so every ``train`` verb gets all of it:

* a run folder (``runs_dir/name``, race-free) holding the resolved ``config.json``,
  ``history.csv`` + ``history.png``, ``best.safetensors`` (lowest validation loss, or training
  loss without validation) and ``last.safetensors`` (every epoch, and on interruption), and
  ``metrics.json`` (the task's report, plus a ``training`` table: epochs, best epoch, seconds,
  precision); a folder whose run failed before its first checkpoint is removed;
* the folder locked while training or resuming, so two processes never write one run;
* Ctrl-C and SIGTERM -> the batch in progress finishes, then a resumable checkpoint and
  :class:`~seqrnn.train.TrainingInterrupted` (:mod:`seqrnn.train.signals`); ``resume=RUN``
  continues from the next batch to the weights of an uninterrupted run;
* data parallelism under ``torchrun``: every process builds the same parts, each takes its
  share of every global batch (:class:`ShardedBatches`), DDP averages the gradients and only
  rank 0 writes;
* a time budget and a learning-rate schedule (``train.minutes``, ``train.schedule``) as
  callbacks; bf16 autocast where the hardware has it (``train.precision = "auto"``);
* the best epoch's weights put back into the network before the report.

Nothing here reseeds the caller's global RNG: parts are built and trained under
:func:`seeded`, which forks the RNG state and restores it afterwards.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import torch
from torch import nn

from seqrnn.config import from_dict, load_config_file
from seqrnn.errors import ConfigError
from seqrnn.io.runs import (
    lock_run_dir,
    new_run_dir,
    remove_failed_run,
    save_config,
    save_metrics,
)
from seqrnn.train import distributed
from seqrnn.train.callbacks import Callback
from seqrnn.train.config import TrainConfig
from seqrnn.train.schedule import LRSchedule, TimeBudget, TrainingClock
from seqrnn.train.signals import stop_requests
from seqrnn.train.trainer import BatchSource, Task, Trainer, TrainingInterrupted

logger = logging.getLogger(__name__)

C = TypeVar("C")  # a task's run config


@dataclass
class Parts:
    """What a task supplies for one run.

    ``train`` and ``val`` yield *global* batches (``train.batch_size`` rows); under torchrun
    each process trains on its slice of every one. ``meta`` goes into every checkpoint and
    must say ``kind`` and whatever rebuilds the model (config, vocabulary, scaler ...).
    ``data_parallel = False`` marks batches that cannot be split across processes (a stateful
    series carried from batch to batch). ``extra`` holds anything the report needs.
    """

    net: nn.Module
    task: Task
    train: BatchSource
    val: BatchSource | None
    meta: dict[str, Any]
    callbacks: list[Callback] = field(default_factory=list)
    data_parallel: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class FinishedRun:
    """A trained network with the best epoch's weights, as handed to :meth:`Recipe.report`."""

    net: nn.Module
    parts: Parts
    history: list[dict[str, Any]]
    run_dir: Path | None
    train_seconds: float


class Recipe(Protocol):
    """A task's part of the life cycle."""

    def build(self, ctx: distributed.DistContext) -> Parts:
        """Read the data, build the network and batch sources (same on every process)."""
        ...

    def report(self, run: FinishedRun) -> dict[str, Any]:
        """Metrics of the finished run (saved as ``metrics.json``); may write figures into
        ``run.run_dir``. Called on rank 0 only."""
        ...


class RunSettings(Protocol):
    """The fields every task's run config has."""

    train: TrainConfig
    runs_dir: str | None
    name: str | None


@dataclass
class RunResult:
    """What a finished run left: the network (best weights, on its training device), the
    history, the metrics and the run folder (``None`` for an in-memory run)."""

    net: nn.Module
    parts: Parts
    history: list[dict[str, Any]]
    metrics: dict[str, Any]
    run_dir: Path | None
    train_seconds: float


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Run a block with torch's global RNG seeded to ``seed``, then put the caller's RNG
    state back (so library calls never change a user's random stream)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def run(
    config: RunSettings,
    recipe: Recipe,
    callbacks: Sequence[Callback] = (),
    resume: str | Path | None = None,
    clock: TrainingClock | None = None,
) -> RunResult:
    """Train ``recipe`` as ``config.train`` says, in a new run folder under
    ``config.runs_dir`` (none when it is empty: an in-memory run, as cross-validation and
    backtests use), or continue the run folder ``resume``.

    ``callbacks`` are the caller's (progress bars, pruning); ``clock`` shares the training
    clock with a caller that wants to exclude its own work from a time budget.
    """
    with distributed.session(config.train.device) as ctx:
        if ctx.distributed:
            ctx.per_rank_batch(config.train.batch_size)  # equal shares, or a clear error
        with seeded(config.train.seed):
            parts = recipe.build(ctx)
        if ctx.distributed and not parts.data_parallel:
            raise ConfigError(
                "this model carries its state from batch to batch and cannot be "
                "trained data-parallel: run it in one process (without torchrun)"
            )
        run_dir = _open_run_dir(config, resume, ctx)
        lock = (
            lock_run_dir(run_dir)
            if run_dir is not None and ctx.is_main
            else contextlib.nullcontext()
        )
        with lock:
            return _run(config, recipe, parts, callbacks, resume, clock, run_dir, ctx)


def _run(
    config: RunSettings,
    recipe: Recipe,
    parts: Parts,
    callbacks: Sequence[Callback],
    resume: str | Path | None,
    clock: TrainingClock | None,
    run_dir: Path | None,
    ctx: distributed.DistContext,
) -> RunResult:
    """:func:`run` once the parts are built and the run folder is open and locked."""
    clock = clock or TrainingClock()
    own = budget_callbacks(config.train, clock, len(parts.train))
    net = distributed.wrap(parts.net, ctx)
    try:
        trainer = Trainer(config.train, [*own, *parts.callbacks, *callbacks], run_dir, parts.meta)
        if run_dir is not None and resume is None and ctx.is_main:
            save_config(run_dir, config)
        with stop_requests(trainer.stop_request):
            history = trainer.fit(
                net,
                parts.task,
                ShardedBatches.of(parts.train, ctx),
                ShardedBatches.of(parts.val, ctx),
                resume=resume is not None,
            )
    except TrainingInterrupted:
        raise
    except BaseException:
        if run_dir is not None and resume is None and ctx.is_main:
            remove_failed_run(run_dir)
        raise
    distributed.barrier(ctx)
    bare = getattr(net, "module", net)
    metrics: dict[str, Any] = {}
    if ctx.is_main:
        trainer.restore_best()
        finished = FinishedRun(bare, parts, history, run_dir, clock.seconds)
        metrics = dict(recipe.report(finished) or {})
        metrics["training"] = _training_summary(history, clock.seconds, trainer)
        if run_dir is not None:
            save_metrics(run_dir, metrics)
            if history:
                from seqrnn.plots.history import plot_history  # matplotlib only when needed

                plot_history(history, run_dir / "history.png")
    return RunResult(bare, parts, history, metrics, run_dir, clock.seconds)


def _open_run_dir(
    config: RunSettings, resume: str | Path | None, ctx: distributed.DistContext
) -> Path | None:
    """The run folder: ``resume`` as given, or a new one made by rank 0 and shared."""
    if resume is not None:
        path = Path(resume)
        if not (path / "last.safetensors").is_file():
            raise ConfigError(f"{path}: nothing to resume (no last.safetensors in this folder)")
        return path
    if not config.runs_dir:
        return None
    path = new_run_dir(config.runs_dir, config.name) if ctx.is_main else None
    return Path(distributed.broadcast_object(str(path), ctx))


def resume_config(cls: type[C], run_dir: str | Path) -> C:
    """The settings a run folder was trained with (its ``config.json``, as a ``cls``), to
    resume it."""
    path = Path(run_dir) / "config.json"
    if not path.is_file():
        raise ConfigError(f"{run_dir}: not a run folder (no config.json)")
    return from_dict(cls, load_config_file(path), str(path))


def budget_callbacks(
    train: TrainConfig, clock: TrainingClock, steps_per_epoch: int
) -> list[Callback]:
    """The clock, the time budget (``train.minutes``) and the learning-rate schedule
    (``train.schedule``, following the budget when there is one, else the planned steps)."""
    out: list[Callback] = [clock]
    if train.minutes is not None:
        budget = TimeBudget(clock, train.minutes * 60)
        out.append(budget)
        progress = lambda trainer: budget.progress()  # noqa: E731
    else:
        total = max(1, train.epochs * steps_per_epoch)
        progress = lambda trainer: trainer.global_step / total  # noqa: E731
    if train.schedule.active:
        out.append(LRSchedule(train.schedule, train.learning_rate, progress))
    return out


def _training_summary(
    history: list[dict[str, Any]], seconds: float, trainer: Trainer
) -> dict[str, Any]:
    """Epochs run, best epoch, training seconds and the precision used, for metrics.json."""
    key = "val_loss" if history and "val_loss" in history[0] else "loss"
    best = min(history, key=lambda row: row[key]) if history else None
    return {
        "epochs": len(history),
        "best_epoch": None if best is None else best["epoch"],
        f"best_{key}": None if best is None else best[key],
        "train_seconds": round(seconds, 3),
        "precision": "bf16" if trainer.bf16 else "fp32",
    }


class ShardedBatches:
    """This process's slice of every global batch of ``source``.

    ``torch.tensor_split`` cuts each batch tensor (rows first) into ``world_size`` nearly equal
    parts and rank ``r`` takes part ``r``::

        global batch j:   [ row 0 ... row B-1 ]
        rank 0 takes      [ 0 .. B/2 )            rank 1 takes  [ B/2 .. B )

    DDP averages the gradients of the parts, which is the gradient of the whole batch when the
    parts are equal (they are, when ``B`` is a multiple of the number of processes; otherwise
    the last rows weigh slightly more). Every process sees the same batches in the same order,
    so all take the same number of steps; a batch with fewer rows than processes is skipped by
    all. Non-tensor items and tensors without the batch dimension pass unchanged. Stream
    batches keep their columns: rank ``r`` always gets the same columns, so carried recurrent
    state stays with its column.
    """

    def __init__(self, source: BatchSource, rank: int, world_size: int):
        self.source = source
        self.rank = rank
        self.world_size = world_size

    @classmethod
    def of(cls, source: BatchSource | None, ctx: distributed.DistContext) -> BatchSource | None:
        """``source`` itself in a single process, else its shard for ``ctx.rank``."""
        if source is None or not ctx.distributed:
            return source
        return cls(source, ctx.rank, ctx.world_size)

    def batches(self, epoch: int) -> Iterator[Any]:
        for batch in self.source.batches(epoch):
            rows = _rows(batch)
            if rows is not None and rows < self.world_size:
                continue
            yield _slice(batch, rows, self.rank, self.world_size)

    def __len__(self) -> int:
        return len(self.source)


def _rows(batch: Any) -> int | None:
    """The batch size: the first dimension of the first tensor in the batch."""
    if isinstance(batch, torch.Tensor):
        return batch.size(0) if batch.dim() else None
    if isinstance(batch, tuple | list):
        for item in batch:
            rows = _rows(item)
            if rows is not None:
                return rows
    return None


def _slice(batch: Any, rows: int | None, rank: int, world: int) -> Any:
    if isinstance(batch, torch.Tensor) and batch.dim() and batch.size(0) == rows:
        return torch.tensor_split(batch, world)[rank]
    if isinstance(batch, tuple | list):
        return type(batch)(_slice(item, rows, rank, world) for item in batch)
    return batch
