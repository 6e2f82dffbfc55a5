"""A trainer that does not know the model: ``fit -> run_epoch -> train_step -> task.step``.

The trainer owns the loop, the optimizer, gradient clipping, validation, the history CSV,
best/last checkpoints and resuming. The *task* owns the loss and what counts as correct; the
*network* is any ``nn.Module``. Checkpoints are the one seqrnn format (``io.checkpoint``); the
caller passes the ``meta`` that lets a loader rebuild the model (kind, config, vocabulary).

Resuming is exact on CPU: the epoch order of batches depends only on ``(seed, epoch)``, the RNG
state is saved with the weights, and a checkpoint written on Ctrl-C records how many batches of
the current epoch were done, so ``fit(resume=True)`` continues from the very next batch.
"""

from __future__ import annotations

import copy
import csv
import io
import logging
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import torch
from torch import nn

from seqrnn.errors import CheckpointError, TrainingError
from seqrnn.io.atomic import atomic_write_text
from seqrnn.io.checkpoint import (
    Checkpoint,
    load_checkpoint,
    load_state_strict,
    optimizer_from_checkpoint,
    optimizer_to_checkpoint,
    save_checkpoint,
)
from seqrnn.train.callbacks import Callback, EarlyStopping
from seqrnn.train.config import TrainConfig, build_optimizer, resolve_device
from seqrnn.train.distributed import all_reduce_sums, any_rank, is_main_process
from seqrnn.train.precision import use_bf16
from seqrnn.train.signals import StopRequest, TrainingInterrupted

logger = logging.getLogger(__name__)

HISTORY_FIELDS = ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "time"]


@dataclass
class StepOutput:
    """What a task returns for one batch: the mean loss (to back-propagate), how many targets
    it averaged over, and how many were predicted right (``None`` when accuracy means
    nothing, as in regression)."""

    loss: torch.Tensor
    count: int
    correct: int | None = None


class Task(Protocol):
    """Loss and metrics for one kind of problem."""

    def step(self, net: nn.Module, batch: Any, train: bool) -> StepOutput:
        """Forward one batch (already on the device) and compute its loss."""
        ...


class BatchSource(Protocol):
    """Batches of one epoch; the order must depend only on ``epoch`` (and fixed settings)."""

    def batches(self, epoch: int) -> Iterator[Any]:
        """The batches of epoch ``epoch``."""
        ...

    def __len__(self) -> int:
        """Batches per epoch."""
        ...


@dataclass
class TrainState:
    """Everything beyond weights that a resumed run needs to continue exactly."""

    epoch: int = 0  # epochs fully done
    batch: int = 0  # batches done in the current (unfinished) epoch
    best_val: float = math.inf
    epochs_since_best: int = 0
    partial: dict[str, float] = field(default_factory=dict)  # sums of the unfinished epoch
    history: list[dict[str, Any]] = field(default_factory=list)


class Trainer:
    """Fits a network with a task on batch sources; see the module docstring."""

    def __init__(
        self,
        config: TrainConfig,
        callbacks: Sequence[Callback] = (),
        run_dir: str | Path | None = None,
        meta: dict[str, Any] | None = None,
    ):
        self.config = config
        self.callbacks = list(callbacks)
        if config.patience:
            self.callbacks.append(EarlyStopping(config.patience, config.min_delta))
        self.run_dir = Path(run_dir) if run_dir is not None else None
        self.meta = meta or {}
        self.device = resolve_device(config.device)
        self.bf16 = use_bf16(config.precision, self.device)
        self.state = TrainState()
        self.best_weights: dict[str, torch.Tensor] | None = None  # kept when no run folder
        self.stop_request = StopRequest()  # signals ask through it (seqrnn.train.signals)
        self.task: Task | None = None
        self.should_stop = False
        self.net: nn.Module | None = None
        self.optimizer: torch.optim.Optimizer | None = None
        self.global_step = 0

    # -- the loop ---------------------------------------------------------------------------

    def fit(
        self,
        net: nn.Module,
        task: Task,
        train: BatchSource,
        val: BatchSource | None = None,
        resume: bool = False,
    ) -> list[dict[str, Any]]:
        """Train for ``config.epochs`` epochs (or until early stopping or ``should_stop``);
        return the history.

        The global torch RNG is seeded with ``config.seed`` for dropout and shuffling, inside
        :func:`torch.random.fork_rng`, so the caller's own random stream is the same after
        ``fit`` as before it; the process-wide cuDNN switch is restored likewise.
        """
        devices = [self.device] if self.device.type == "cuda" else []
        cudnn_before = torch.backends.cudnn.enabled
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(self.config.seed)
            try:
                if self.device.type == "cuda":
                    torch.backends.cudnn.enabled = self.config.cudnn  # fused recurrent kernels
                return self._fit(net, task, train, val, resume)
            finally:
                torch.backends.cudnn.enabled = cudnn_before

    def _fit(
        self, net: nn.Module, task: Task, train: BatchSource, val: BatchSource | None, resume: bool
    ) -> list[dict[str, Any]]:
        self.net = net.to(self.device)
        self.task = task
        self.optimizer = build_optimizer(self.config, net.parameters())
        if resume:
            self._restore(self.last_path)
        self._emit("on_fit_start", self)
        self.stop_request.armed = True
        try:
            while self.state.epoch < self.config.epochs and not self.should_stop:
                self._emit("on_epoch_start", self, self.state.epoch)
                row = self.run_epoch(task, train, val)
                self._emit("on_epoch_end", self, row)
                if self.stop_request.requested:
                    raise KeyboardInterrupt
        except KeyboardInterrupt:
            path = self._save(self.last_path) if self.run_dir and is_main_process() else None
            raise TrainingInterrupted(path) from None
        finally:
            self.stop_request.armed = False
        self._emit("on_fit_end", self)
        return self.state.history

    def run_epoch(self, task: Task, train: BatchSource, val: BatchSource | None) -> dict[str, Any]:
        """One pass over ``train`` (skipping batches a resumed run already did), then
        validation, history and checkpoints."""
        assert self.net is not None
        st = self.state
        sums = st.partial or {"loss": 0.0, "count": 0, "correct": 0, "time": 0.0}
        began = time.perf_counter() - sums["time"]
        self.net.train()
        for i, batch in enumerate(train.batches(st.epoch)):
            if i < st.batch:
                continue
            out = self.train_step(task, batch)
            loss = float(out.loss.detach())
            if not math.isfinite(loss):
                raise TrainingError(
                    f"training diverged: the loss is {loss} at epoch {st.epoch + 1}, batch {i + 1} "
                    f"(learning rate {self.optimizer.param_groups[0]['lr']:g}); lower the "
                    "learning rate, clip gradients, or check the data for non-finite values"
                )
            sums["loss"] += loss * out.count
            sums["count"] += out.count
            sums["correct"] = None if out.correct is None else sums["correct"] + out.correct
            st.batch = i + 1
            sums["time"] = time.perf_counter() - began
            st.partial = sums
            self._emit("on_batch_end", self, i, loss)
            if any_rank(self.stop_request.requested):  # Ctrl-C / SIGTERM, on any rank
                raise KeyboardInterrupt  # at this clean boundary, the same on every rank
            if self.should_stop:  # a time budget, say: end the epoch here
                break
        row = {"epoch": st.epoch + 1, **_averages(all_reduce_sums(sums), "")}
        if val is not None:
            row.update(_averages(self.evaluate(task, val), "val_"))
        row["lr"] = self.optimizer.param_groups[0]["lr"]
        row["time"] = round(time.perf_counter() - began, 3)
        st.epoch, st.batch, st.partial = st.epoch + 1, 0, {}
        st.history.append(row)
        self._after_epoch(row)
        return row

    def train_step(self, task: Task, batch: Any) -> StepOutput:
        """Forward, backward, clip, step."""
        assert self.net is not None and self.optimizer is not None
        self.optimizer.zero_grad(set_to_none=True)
        with self.autocast():
            out = task.step(self.net, _to_device(batch, self.device), train=True)
        out.loss.backward()
        if self.config.grad_clip:
            nn.utils.clip_grad_norm_(self.net.parameters(), self.config.grad_clip)
        self.optimizer.step()
        self.global_step += 1
        return out

    @torch.no_grad()
    def evaluate(self, task: Task, source: BatchSource) -> dict[str, float]:
        """Loss (and accuracy) sums over a whole source, in eval mode."""
        assert self.net is not None
        was_training = self.net.training
        self.net.eval()
        sums: dict[str, Any] = {"loss": 0.0, "count": 0, "correct": 0}
        for batch in source.batches(0):
            with self.autocast():
                out = task.step(self.net, _to_device(batch, self.device), train=False)
            sums["loss"] += float(out.loss) * out.count
            sums["count"] += out.count
            sums["correct"] = None if out.correct is None else sums["correct"] + out.correct
        self.net.train(was_training)
        return all_reduce_sums(sums)  # the whole source when each rank holds a shard

    def autocast(self) -> torch.autocast:
        """bf16 autocast when ``config.precision`` resolves to it (weights stay float32)."""
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.bf16)

    # -- checkpoints and history ------------------------------------------------------------

    @property
    def last_path(self) -> Path:
        """``run_dir/last.safetensors``: written every epoch and on Ctrl-C."""
        if self.run_dir is None:
            raise CheckpointError("no run folder: nothing to resume from")
        return self.run_dir / "last.safetensors"

    @property
    def best_path(self) -> Path:
        """``run_dir/best.safetensors``: the weights with the lowest validation loss."""
        assert self.run_dir is not None
        return self.run_dir / "best.safetensors"

    def _after_epoch(self, row: dict[str, Any]) -> None:
        st = self.state
        monitored = row.get("val_loss", row["loss"])
        improved = monitored < st.best_val - self.config.min_delta
        if improved:
            st.best_val, st.epochs_since_best = monitored, 0
        else:
            st.epochs_since_best += 1
        logger.info("epoch %d: %s", row["epoch"], _fmt(row))
        if self.run_dir is None:
            if improved:  # no run folder: the best weights are kept in memory
                self.best_weights = {
                    k: v.detach().clone() for k, v in _unwrap(self.net).state_dict().items()
                }
            return
        if not is_main_process():
            return
        self.write_history()
        self._save(self.last_path)
        if improved:
            self._save(self.best_path)

    def write_history(self) -> None:
        """Rewrite ``history.csv`` (atomically) from the in-memory history."""
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=HISTORY_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(self.state.history)
        atomic_write_text(self.run_dir / "history.csv", buf.getvalue())

    def checkpoint(self) -> Checkpoint:
        """Weights, optimizer and RNG state plus ``meta`` and the training state."""
        assert self.net is not None and self.optimizer is not None
        tensors = {f"model.{k}": v for k, v in _unwrap(self.net).state_dict().items()}
        opt_tensors, opt_meta = optimizer_to_checkpoint(self.optimizer)
        tensors.update(opt_tensors)
        carried = getattr(self.task, "state_tensors", None)  # e.g. a stream's recurrent state
        if carried is not None:
            tensors.update({f"task.{k}": v for k, v in carried().items()})
        tensors["rng.torch"] = torch.get_rng_state()
        if torch.cuda.is_available():
            tensors["rng.cuda"] = torch.cuda.get_rng_state()
        meta = copy.deepcopy(self.meta)
        meta.update(
            train_config=_plain(asdict(self.config)),
            train_state=asdict(self.state),
            optimizer=opt_meta,
            global_step=self.global_step,
        )
        return Checkpoint(tensors=tensors, meta=meta)

    def restore_best(self) -> None:
        """Put the best epoch's weights (lowest ``val_loss``, or ``loss`` without validation)
        back into the network: from ``best.safetensors`` in the run folder, or from memory."""
        assert self.net is not None
        bare = _unwrap(self.net)
        if self.run_dir is None:
            if self.best_weights is not None:
                bare.load_state_dict(self.best_weights)
            return
        if self.best_path.exists():
            ckpt = load_checkpoint(self.best_path, kind=self.meta.get("kind"))
            load_state_strict(bare, ckpt.section("model"), str(self.best_path))

    def _save(self, path: Path) -> Path:
        save_checkpoint(path, self.checkpoint())
        return path

    def _restore(self, path: Path) -> None:
        ckpt = load_checkpoint(path, kind=self.meta.get("kind"))
        for key in ("model_config", "vocab"):
            if key in self.meta and ckpt.meta.get(key) != self.meta[key]:
                raise CheckpointError(
                    f"{path}: cannot resume: the checkpoint's {key.replace('_', ' ')} differs "
                    "from this run's (different data or architecture)"
                )
        load_state_strict(_unwrap(self.net), ckpt.section("model"), str(path))
        optimizer_from_checkpoint(self.optimizer, ckpt)
        if hasattr(self.task, "load_state_tensors"):
            carried = {k: v.to(self.device) for k, v in ckpt.section("task").items()}
            self.task.load_state_tensors(carried)
        torch.set_rng_state(ckpt.tensors["rng.torch"])
        if "rng.cuda" in ckpt.tensors and torch.cuda.is_available():
            torch.cuda.set_rng_state(ckpt.tensors["rng.cuda"])
        self.state = TrainState(**ckpt.meta["train_state"])
        self.global_step = int(ckpt.meta.get("global_step", 0))
        logger.info(
            "resumed from %s at epoch %d, batch %d", path, self.state.epoch, self.state.batch
        )

    def _emit(self, hook: str, *args: Any) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(*args)


def _averages(sums: dict[str, Any], prefix: str) -> dict[str, float]:
    n = max(sums["count"], 1)
    out = {f"{prefix}loss": sums["loss"] / n}
    if sums.get("correct") is not None:
        out[f"{prefix}accuracy"] = sums["correct"] / n
    return out


def _to_device(batch: Any, device: torch.device) -> Any:
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, tuple | list):
        return type(batch)(_to_device(b, device) for b in batch)
    if isinstance(batch, dict):
        return {k: _to_device(v, device) for k, v in batch.items()}
    return batch


def _unwrap(net: nn.Module) -> nn.Module:
    """The bare module inside a DistributedDataParallel wrapper (or the module itself)."""
    return getattr(net, "module", net)


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in d.items()}


def _fmt(row: dict[str, Any]) -> str:
    return " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items())
