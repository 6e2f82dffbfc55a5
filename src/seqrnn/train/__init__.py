"""The training engine: knows batches, losses and checkpoints, not models or tasks.

The names below are imported on first use (:mod:`seqrnn.lazy`): importing
``seqrnn.train.callbacks`` does not import the trainer, and with it PyTorch."""

from seqrnn.lazy import lazy_exports

_EXPORTS = {
    "Callback": "seqrnn.train.callbacks",
    "EarlyStopping": "seqrnn.train.callbacks",
    "OptimizerName": "seqrnn.train.config",
    "TrainConfig": "seqrnn.train.config",
    "BatchSource": "seqrnn.train.trainer",
    "StepOutput": "seqrnn.train.trainer",
    "Task": "seqrnn.train.trainer",
    "Trainer": "seqrnn.train.trainer",
    "TrainingInterrupted": "seqrnn.train.signals",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
