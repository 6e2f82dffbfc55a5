"""Training by the clock: a time budget and a learning-rate schedule, as trainer callbacks.

A model trained for a fixed wall-clock budget does best when the learning rate decays to (near)
zero exactly when the budget ends, so the schedule can follow the *fraction of the budget used*
rather than a number of epochs. :class:`TrainingClock` counts only the seconds spent in training
steps: validation, checkpoints and anything run inside :meth:`TrainingClock.excluded` (a
mid-run evaluation, say) do not count.
"""

from __future__ import annotations

import contextlib
import enum
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from seqrnn.errors import ConfigError
from seqrnn.train.callbacks import Callback


class Decay(enum.StrEnum):
    """How the learning rate falls after warm-up."""

    CONSTANT = "constant"
    LINEAR = "linear"
    COSINE = "cosine"


@dataclass(frozen=True)
class ScheduleConfig:
    """Warm-up over ``warmup_steps`` steps, then ``decay`` from the configured learning rate
    to ``final_fraction`` of it at the end of training (the time budget when there is one,
    else the last step of the last epoch). The default (constant, no warm-up) leaves the
    learning rate alone."""

    decay: Decay = Decay.CONSTANT
    warmup_steps: int = 0
    final_fraction: float = 0.05

    @property
    def active(self) -> bool:
        """Whether the schedule ever changes the learning rate."""
        return self.decay is not Decay.CONSTANT or self.warmup_steps > 0

    def __post_init__(self) -> None:
        if self.warmup_steps < 0 or not 0.0 <= self.final_fraction <= 1.0:
            raise ConfigError("warmup_steps must be >= 0 and final_fraction in [0, 1]")

    def factor(self, step: int, progress: float) -> float:
        """Learning-rate multiplier at optimisation ``step`` and ``progress`` in [0, 1]."""
        warm = min(1.0, (step + 1) / self.warmup_steps) if self.warmup_steps else 1.0
        p = min(max(progress, 0.0), 1.0)
        if self.decay is Decay.CONSTANT:
            shape = 1.0
        elif self.decay is Decay.LINEAR:
            shape = 1.0 - p
        else:
            shape = 0.5 * (1.0 + math.cos(math.pi * p))
        return warm * (self.final_fraction + (1.0 - self.final_fraction) * shape)


class TrainingClock(Callback):
    """Seconds spent in training steps: from each epoch's start to its last batch, minus
    anything run inside :meth:`excluded`. ``clock`` is ``time.perf_counter`` (wall clock) by
    default; ``time.process_time`` measures CPU time instead."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter):
        self.clock = clock
        self.seconds = 0.0
        self._since: float | None = None

    def on_epoch_start(self, trainer: Any, epoch: int) -> None:
        self._since = self.clock()

    def on_batch_end(self, trainer: Any, batch: int, loss: float) -> None:
        now = self.clock()
        if self._since is not None:
            self.seconds += now - self._since
        self._since = now

    def on_epoch_end(self, trainer: Any, row: dict[str, Any]) -> None:
        self._since = None

    @contextlib.contextmanager
    def excluded(self) -> Iterator[None]:
        """Run a block (an evaluation, say) without counting it as training time."""
        try:
            yield
        finally:
            if self._since is not None:
                self._since = self.clock()


class TimeBudget(Callback):
    """Stop training once ``clock`` has counted ``seconds`` (checked after every batch; the
    batch source ends the epoch through ``trainer.should_stop``)."""

    def __init__(self, clock: TrainingClock, seconds: float):
        if seconds <= 0:
            raise ConfigError(f"the time budget must be positive, got {seconds} s")
        self.clock = clock
        self.seconds = seconds

    def progress(self) -> float:
        """Fraction of the budget used."""
        return self.clock.seconds / self.seconds

    def on_batch_end(self, trainer: Any, batch: int, loss: float) -> None:
        if self.clock.seconds >= self.seconds:
            trainer.should_stop = True


class LRSchedule(Callback):
    """Set every parameter group's learning rate before each step from ``config`` and
    ``progress(trainer)`` (fraction of the time budget or of the planned steps used)."""

    def __init__(self, config: ScheduleConfig, base_lr: float, progress: Callable[[Any], float]):
        self.config = config
        self.base_lr = base_lr
        self.progress = progress

    def _apply(self, trainer: Any) -> None:
        lr = self.base_lr * self.config.factor(trainer.global_step, self.progress(trainer))
        for group in trainer.optimizer.param_groups:
            group["lr"] = lr

    def on_fit_start(self, trainer: Any) -> None:
        self._apply(trainer)

    def on_batch_end(self, trainer: Any, batch: int, loss: float) -> None:
        self._apply(trainer)
