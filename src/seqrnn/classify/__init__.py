"""Sequence classification of text: readers, tokenizer, recurrent classifiers (LSTM, GRU,
BiLSTM, CNN+LSTM) on the shared recurrent encoder, bag-of-words baselines, metrics and
cross-validation.

Public API (see docs/api.md): :func:`train` (a :class:`ClassifyConfig` in, a run folder and a
:class:`TrainResult` out), :func:`fit` (in memory), :func:`cross_validate`, :func:`load_model`,
:func:`predict` and :func:`evaluate`; pretraining the encoder on unlabelled text
(:class:`PretrainConfig`, :func:`pretrain_encoder`, :func:`save_encoder`, :func:`load_encoder`)
and the default ``model = "auto"`` (:mod:`seqrnn.classify.select`).
"""

from seqrnn.classify.crossval import CVResult, cross_validate
from seqrnn.classify.metrics import ClassificationMetrics
from seqrnn.classify.models import TextClassifier
from seqrnn.classify.models import predict_labels as predict
from seqrnn.classify.net import PRESETS
from seqrnn.classify.pretrain import PretrainConfig, PretrainedEncoder, pretrain_encoder
from seqrnn.classify.readers import LabelledTexts, read_labelled
from seqrnn.classify.runs import TrainResult, load_model, resume_config, train
from seqrnn.classify.select import AveragedClassifier
from seqrnn.classify.transfer import load_encoder, save_encoder
from seqrnn.classify.workflow import (
    ClassifyConfig,
    FitResult,
    config_from_dict,
    evaluate,
    fit,
    preset,
)

__all__ = [
    "PRESETS",
    "AveragedClassifier",
    "CVResult",
    "ClassificationMetrics",
    "ClassifyConfig",
    "FitResult",
    "LabelledTexts",
    "PretrainConfig",
    "PretrainedEncoder",
    "TextClassifier",
    "TrainResult",
    "config_from_dict",
    "cross_validate",
    "evaluate",
    "fit",
    "load_encoder",
    "load_model",
    "predict",
    "preset",
    "pretrain_encoder",
    "read_labelled",
    "resume_config",
    "save_encoder",
    "train",
]
