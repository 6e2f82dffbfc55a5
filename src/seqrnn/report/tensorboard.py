"""TensorBoard logging as a trainer callback (``--tensorboard``): every number of each
history row becomes a scalar, so TensorBoard shows the same curves as ``history.csv``.

``torch.utils.tensorboard`` needs the ``tensorboard`` package (optional extra
``tensorboard``); it is imported when training starts, never by ``seqrnn train`` without
the flag.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

from seqrnn.errors import ConfigError
from seqrnn.train.callbacks import Callback

logger = logging.getLogger(__name__)


class TensorBoardLogger(Callback):
    """Write ``loss``, ``val_loss``, ``accuracy``, ``lr``, ``time``... per epoch, and the
    training loss per step, to ``log_dir`` (default: ``RUN/tensorboard``)."""

    def __init__(self, log_dir: str | Path | None = None, every: int = 20):
        self.log_dir = None if log_dir is None else Path(log_dir)
        self.every = every  # batches between step scalars
        self.writer: Any = None
        self.step = 0

    def on_fit_start(self, trainer: Any) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise ConfigError(
                "--tensorboard needs the tensorboard package: pip install 'seqrnn[tensorboard]'"
            ) from None
        run_dir = getattr(trainer, "run_dir", None)
        log_dir = self.log_dir or Path(run_dir or "runs") / "tensorboard"
        self.writer = SummaryWriter(log_dir=str(log_dir))
        logger.info("TensorBoard logs in %s", log_dir)

    def on_batch_end(self, trainer: Any, batch: int, loss: float) -> None:
        self.step += 1
        if self.writer is not None and self.step % self.every == 0 and math.isfinite(loss):
            self.writer.add_scalar("batch/loss", loss, self.step)

    def on_epoch_end(self, trainer: Any, row: dict[str, Any]) -> None:
        if self.writer is None:
            return
        epoch = int(row.get("epoch", 0))
        for key, value in row.items():
            if key != "epoch" and isinstance(value, int | float) and math.isfinite(value):
                self.writer.add_scalar(f"epoch/{key}", value, epoch)
        self.writer.flush()  # a Ctrl-C later still leaves every finished epoch on disk

    def on_fit_end(self, trainer: Any) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
