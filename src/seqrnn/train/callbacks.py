"""Callbacks: hooks into the training loop, each a no-op unless overridden."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from seqrnn.train.trainer import Trainer


class Callback:
    """Override the hooks you need; every hook does nothing by default."""

    def on_fit_start(self, trainer: Trainer) -> None:
        """Before the first epoch (after a resume, if any)."""

    def on_epoch_start(self, trainer: Trainer, epoch: int) -> None:
        """Before each epoch."""

    def on_batch_end(self, trainer: Trainer, batch: int, loss: float) -> None:
        """After each optimisation step."""

    def on_epoch_end(self, trainer: Trainer, row: dict[str, Any]) -> None:
        """After validation; ``row`` is the history line. Set ``trainer.should_stop`` to
        end training early."""

    def on_fit_end(self, trainer: Trainer) -> None:
        """After the last epoch (not after an interruption)."""


class EarlyStopping(Callback):
    """Stop when ``val_loss`` (or ``loss`` without validation) has not improved by
    ``min_delta`` for ``patience`` epochs. Its counters live in the trainer's state so that a
    resumed run stops where the uninterrupted one would."""

    def __init__(self, patience: int, min_delta: float = 0.0):
        self.patience = patience
        self.min_delta = min_delta

    def on_epoch_end(self, trainer: Trainer, row: dict[str, Any]) -> None:
        if trainer.state.epochs_since_best >= self.patience:
            trainer.should_stop = True
