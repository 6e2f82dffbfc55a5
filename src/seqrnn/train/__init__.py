"""The training engine: knows batches, losses and checkpoints, not models or tasks."""

from seqrnn.train.callbacks import Callback, EarlyStopping
from seqrnn.train.config import OptimizerName, TrainConfig
from seqrnn.train.trainer import BatchSource, StepOutput, Task, Trainer, TrainingInterrupted

__all__ = [
    "BatchSource",
    "Callback",
    "EarlyStopping",
    "OptimizerName",
    "StepOutput",
    "Task",
    "TrainConfig",
    "Trainer",
    "TrainingInterrupted",
]
