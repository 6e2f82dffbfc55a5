"""k-fold cross-validation of a classifier configuration (``seqrnn classify train --folds``)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import StratifiedKFold

from seqrnn.classify.encoders import prepare_encoder
from seqrnn.classify.metrics import ClassificationMetrics
from seqrnn.classify.readers import LabelledTexts
from seqrnn.classify.workflow import (
    ClassifyConfig,
    ModelKind,
    evaluate,
    fit,
    split_validation,
)
from seqrnn.errors import ConfigError

logger = logging.getLogger(__name__)


@dataclass
class CVResult:
    """Per-fold metrics and fit times of a k-fold cross-validation."""

    metrics: list[ClassificationMetrics]
    seconds: list[float]
    chosen: list[str | None] = field(default_factory=list)  # per fold, for model = "auto"

    def summary(self) -> dict[str, float]:
        """Mean and standard deviation (over folds) of accuracy and macro F1, mean time."""
        acc = np.array([m.accuracy for m in self.metrics])
        f1 = np.array([m.macro_f1 for m in self.metrics])
        return {
            "folds": len(acc),
            "accuracy_mean": float(acc.mean()),
            "accuracy_std": float(acc.std(ddof=1)) if len(acc) > 1 else 0.0,
            "macro_f1_mean": float(f1.mean()),
            "macro_f1_std": float(f1.std(ddof=1)) if len(f1) > 1 else 0.0,
            "seconds_mean": float(np.mean(self.seconds)),
        }


def cross_validate(
    config: ClassifyConfig,
    data: LabelledTexts,
    folds: int = 10,
    seed: int = 0,
    only_folds: Sequence[int] | None = None,
) -> CVResult:
    """Stratified k-fold cross-validation of ``config`` on ``data``.

    The recurrent network holds ``config.data.val_fraction`` of each training part out for
    early stopping; the baselines use all of it. ``only_folds`` runs a subset of the folds
    (same split) when time is short. An encoder pretrained without the training texts
    (``pretrain.with_training_texts = False``) is pretrained once and shared by the folds;
    otherwise each fold pretrains on its own training texts (never on its test texts).
    """
    if folds < 2:
        raise ConfigError(f"folds must be >= 2, got {folds}")
    smallest = min(Counter(data.labels).items(), key=lambda kv: kv[1], default=("", 0))
    if smallest[1] < folds:
        raise ConfigError(
            f"folds: {folds} folds need at least {folds} texts of every label; "
            f"label {smallest[0]!r} has {smallest[1]} (of {len(data)} texts)"
        )
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    result = CVResult([], [])
    shared = None
    if config.pretrain.active and not config.pretrain.with_training_texts:
        shared = prepare_encoder(config, [])
    for k, (tr, te) in enumerate(splitter.split(np.zeros(len(data)), data.labels)):
        if only_folds is not None and k not in only_folds:
            continue
        train_part, val_part = data.subset(tr), None
        if ModelKind(config.model) is ModelKind.RNN:
            train_part, val_part = split_validation(
                train_part, config.data.val_fraction, config.train.seed
            )
        fitted = fit(config, train_part, val_part, encoder=shared)
        result.metrics.append(evaluate(fitted.model, data.subset(te)))
        result.seconds.append(fitted.seconds)
        result.chosen.append(fitted.meta.get("chosen"))
        logger.info("fold %d: accuracy %.4f", k + 1, result.metrics[-1].accuracy)
    return result
