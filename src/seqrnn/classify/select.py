"""The default classifier: choose between the network, the bag-of-words baselines and the
network averaged with one of them by cross-validation on the training part only.

With 10k labelled sentences a recurrent network sits near the bag-of-words ceiling, and on
data nobody tuned it for it can lose to naive Bayes. So ``model = "auto"`` runs a small
stratified k-fold (``select_folds``) *inside the training texts it was given* and keeps the
candidate with the best mean held-out accuracy (ties go to the cheaper one, in the order of
:data:`CANDIDATES`); test texts are never read. The choice and every candidate's score are
recorded in the fitted model's metadata (``chosen``, ``selection``) and logged.

Word vectors learned here (``pretrain.method = "vectors"``, seconds) are learned again in
every inner fold from the unlabelled texts and that fold's training texts, never its held-out
ones: the final model's vectors never see a test text either, and a word met only in held-out
texts would otherwise have a vector that flatters the network's score. A pretrained language
model (minutes per direction) or a given encoder is prepared once and shared by the folds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

from seqrnn.classify.models import TextClassifier
from seqrnn.classify.readers import LabelledTexts
from seqrnn.config import replace

if TYPE_CHECKING:
    from seqrnn.classify.encoders import EncoderFor
    from seqrnn.classify.pretrain import PretrainedEncoder
    from seqrnn.classify.workflow import ClassifyConfig, FitResult

logger = logging.getLogger(__name__)

#: the candidates, cheapest first (a tie keeps the earlier one)
CANDIDATES = ("nb", "nbsvm", "logreg", "rnn+nb", "rnn+nbsvm", "rnn")
#: the bag-of-words candidates, each fitted once per fold
BOW = ("nb", "nbsvm", "logreg")


class AveragedClassifier:
    """The mean of several classifiers' probabilities (same labels in the same order)."""

    def __init__(self, members: Sequence[TextClassifier]):
        self.members = list(members)
        self.labels = list(members[0].labels)
        if any(list(m.labels) != self.labels for m in self.members):
            raise ValueError("averaged classifiers must share their labels")

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return np.mean([m.predict_proba(texts) for m in self.members], axis=0)  # [N, K]


def fit_average(
    config: ClassifyConfig,
    train: LabelledTexts,
    val: LabelledTexts | None,
    encoder: PretrainedEncoder | None,
    partner: str = "nb",
) -> FitResult:
    """The network (early-stopped on ``val``, or on a held-out share of ``train``) and the
    bag-of-words ``partner`` (on all of ``train``), averaged."""
    from seqrnn.classify.workflow import FitResult, fit, split_validation

    net_train = train
    if val is None:
        net_train, val = split_validation(train, config.data.val_fraction, config.train.seed)
    net = fit(replace(config, model="rnn"), net_train, val, encoder=encoder)
    bow = fit(replace(config, model=partner), train)
    model = AveragedClassifier([net.model, bow.model])
    meta = {"kind": "average", "members": [net.meta, bow.meta]}
    seconds = net.seconds + bow.seconds
    return FitResult(model, net.history, seconds, meta, net.run_dir, net.encoder)


def choose(
    config: ClassifyConfig,
    train: LabelledTexts,
    encoder: PretrainedEncoder | None,
    encoder_for: EncoderFor | None = None,
) -> tuple[str, dict[str, float]]:
    """The candidate with the best mean accuracy over ``config.select_folds`` folds of
    ``train`` (only ``train`` is read), and every candidate's mean accuracy. The network
    starts from ``encoder_for(fold training texts)`` in each fold when given (word vectors
    that must not read the fold's held-out texts), else from ``encoder``."""
    from seqrnn.classify.workflow import fit, split_validation

    folds = StratifiedKFold(config.select_folds, shuffle=True, random_state=config.train.seed)
    scores: dict[str, list[float]] = {c: [] for c in CANDIDATES}
    for inner_tr, inner_te in folds.split(np.zeros(len(train)), train.labels):
        part, held = train.subset(inner_tr), train.subset(inner_te)
        truth = np.array(held.labels)
        proba: dict[str, np.ndarray] = {}
        labels: list[str] = []
        for kind in BOW:
            fitted = fit(replace(config, model=kind), part)
            proba[kind], labels = fitted.model.predict_proba(held.texts), fitted.model.labels
        net_part, val = split_validation(part, config.data.val_fraction, config.train.seed)
        start = encoder if encoder_for is None else encoder_for(part.texts)
        net = fit(replace(config, model="rnn"), net_part, val, encoder=start)
        proba["rnn"] = net.model.predict_proba(held.texts)
        for bow in ("nb", "nbsvm"):
            proba[f"rnn+{bow}"] = (proba["rnn"] + proba[bow]) / 2
        for kind in CANDIDATES:
            predicted = np.array(labels)[proba[kind].argmax(1)]
            scores[kind].append(float((predicted == truth).mean()))
    means = {k: round(float(np.mean(v)), 4) for k, v in scores.items()}
    best = max(CANDIDATES, key=lambda k: (means[k], -CANDIDATES.index(k)))
    logger.info(
        "model choice by %d-fold CV on the training part: %s -> %s", len(scores["nb"]), means, best
    )
    return best, means


def fit_auto(
    config: ClassifyConfig,
    train: LabelledTexts,
    val: LabelledTexts | None,
    encoder: PretrainedEncoder | None,
) -> FitResult:
    """Choose (:func:`choose`), then fit the chosen candidate on all of ``train``; the
    result's ``seconds`` count the choice too (not a pretraining done here)."""
    from seqrnn.classify.encoders import prepare_encoders
    from seqrnn.classify.workflow import fit, split_validation

    encoder_for = None
    if encoder is None and config.pretrain.active:
        encoder, encoder_for = prepare_encoders(config, train.texts)
    began = time.perf_counter()
    chosen, means = choose(config, train, encoder, encoder_for)
    if chosen == "rnn" and val is None:
        train, val = split_validation(train, config.data.val_fraction, config.train.seed)
    fitted = fit(
        replace(config, model=chosen), train, val if "rnn" in chosen else None, encoder=encoder
    )
    fitted.meta = {**fitted.meta, "chosen": chosen, "selection": means}
    fitted.seconds = time.perf_counter() - began
    return fitted


def selection_report(meta: dict[str, Any]) -> str:
    """One line saying what the default chose and why."""
    means = ", ".join(f"{k} {v:.4f}" for k, v in meta["selection"].items())
    return f"chose {meta['chosen']} (mean accuracy over the training part's folds: {means})"
