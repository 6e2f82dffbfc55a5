"""Sequence classification of text: readers, tokenizer, recurrent classifiers (LSTM, GRU,
BiLSTM, CNN+LSTM) on the shared recurrent encoder, bag-of-words baselines, metrics and
cross-validation.

Public API (see docs/api.md): :func:`train` (a :class:`ClassifyConfig` in, a run folder and a
:class:`TrainResult` out), :func:`fit` (in memory), :func:`cross_validate`, :func:`load_model`,
:func:`predict` and :func:`evaluate`.
"""

from seqrnn.classify.metrics import ClassificationMetrics
from seqrnn.classify.models import TextClassifier
from seqrnn.classify.models import predict_labels as predict
from seqrnn.classify.net import PRESETS
from seqrnn.classify.readers import LabelledTexts, read_labelled
from seqrnn.classify.runs import TrainResult, load_model, resume_config, train
from seqrnn.classify.workflow import (
    ClassifyConfig,
    CVResult,
    FitResult,
    config_from_dict,
    cross_validate,
    evaluate,
    fit,
    preset,
)

__all__ = [
    "PRESETS",
    "CVResult",
    "ClassificationMetrics",
    "ClassifyConfig",
    "FitResult",
    "LabelledTexts",
    "TextClassifier",
    "TrainResult",
    "config_from_dict",
    "cross_validate",
    "evaluate",
    "fit",
    "load_model",
    "predict",
    "preset",
    "read_labelled",
    "resume_config",
    "train",
]
