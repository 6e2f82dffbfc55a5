"""The default classifier: choose between the network, the bag-of-words baselines and the
network averaged with one of them by cross-validation on the training part only.

With 10k labelled sentences a recurrent network sits near the bag-of-words ceiling, and on
data nobody tuned it for it can lose to naive Bayes. So ``model = "auto"`` runs a small
stratified k-fold (``select_folds``) *inside the training texts it was given* and keeps the
candidate with the best mean held-out accuracy (ties go to the cheaper one, in the order of
:data:`CANDIDATES`); test texts are never read. The choice and every candidate's score are
recorded in the fitted model's metadata (``chosen``, ``selection``) and logged.

The averaged candidates (``rnn+nb``, ``rnn+nbsvm``) pool log-probabilities with a weight on
the network, ``softmax(w log p_net + (1 - w) log p_bow)``, ``w`` from :data:`WEIGHTS`. The
weight is chosen on the same out-of-fold predictions, and *cross-fitted*: an inner fold's
score uses the weight that the other inner folds chose (:func:`cross_fitted_weights`), so a
tuned average is not favoured over the single models by having seen the texts it is scored
on. The weight kept is the one all the inner folds choose (``network_weight`` in the
metadata). A log-odds pool, unlike a mean of probabilities, lets the weight undo a difference
in scale between the two members' confidences.

A pretrained encoder (``pretrain``) is prepared once, on all the training texts, and shared
by the inner folds: its language models read the inner held-out texts without their labels,
as they would read any unlabelled text.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

from seqrnn.classify.models import TextClassifier
from seqrnn.classify.readers import LabelledTexts
from seqrnn.config import replace

if TYPE_CHECKING:
    from seqrnn.classify.pretrain import PretrainedEncoder
    from seqrnn.classify.workflow import ClassifyConfig, FitResult

logger = logging.getLogger(__name__)

#: the candidates, cheapest first (a tie keeps the earlier one)
CANDIDATES = ("nb", "nbsvm", "logreg", "rnn+nb", "rnn+nbsvm", "rnn")
#: the bag-of-words candidates, each fitted once per fold
BOW = ("nb", "nbsvm", "logreg")
#: the averaged candidates and their bag-of-words member
AVERAGED = {"rnn+nb": "nb", "rnn+nbsvm": "nbsvm"}
#: the network's weights an averaged candidate may take (ties go to the one nearest 0.5)
WEIGHTS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


class AveragedClassifier:
    """Several classifiers (same labels in the same order) as one: with no ``weights`` the
    mean of their probabilities; with ``weights`` (one per member, summing to 1) the pool of
    their log-probabilities, ``softmax(sum_i w_i log p_i)``."""

    def __init__(self, members: Sequence[TextClassifier], weights: Sequence[float] | None = None):
        self.members = list(members)
        self.labels = list(members[0].labels)
        if any(list(m.labels) != self.labels for m in self.members):
            raise ValueError("averaged classifiers must share their labels")
        if weights is not None and len(weights) != len(self.members):
            raise ValueError("one weight per averaged classifier")
        self.weights = None if weights is None else [float(w) for w in weights]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        probas = [m.predict_proba(texts) for m in self.members]  # each [N, K]
        if self.weights is None:
            return np.mean(probas, axis=0)
        return log_pool(probas, self.weights)


def log_pool(probas: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """``softmax(sum_i w_i log p_i)`` row by row (``p_i [N, K]``; a 0 counts as 1e-12)."""
    logits = sum(w * np.log(np.clip(p, 1e-12, 1.0)) for p, w in zip(probas, weights, strict=True))
    logits = logits - logits.max(1, keepdims=True)  # [N, K]
    p = np.exp(logits)
    return p / p.sum(1, keepdims=True)


def best_weight(p_net: np.ndarray, p_bow: np.ndarray, truth: np.ndarray) -> float:
    """The network weight of :data:`WEIGHTS` whose pool predicts ``truth`` (class indices
    ``[N]``) best; ties go to the weight nearest 0.5."""

    def accuracy(w: float) -> float:
        return float((log_pool([p_net, p_bow], [w, 1 - w]).argmax(1) == truth).mean())

    return max(WEIGHTS, key=lambda w: (accuracy(w), -abs(w - 0.5)))


def cross_fitted_weights(
    p_net: np.ndarray, p_bow: np.ndarray, truth: np.ndarray, fold: np.ndarray
) -> dict[int, float]:
    """For each fold ``f`` of ``fold [N]``, the weight :func:`best_weight` picks on the
    *other* folds' rows: the weight ``f`` is scored with never read ``f``'s labels."""
    return {
        int(f): best_weight(p_net[fold != f], p_bow[fold != f], truth[fold != f])
        for f in np.unique(fold)
    }


@dataclass
class Choice:
    """What :func:`choose` decided: the candidate, every candidate's mean inner accuracy and
    the network weight of each averaged candidate (and, to compare, the mean inner accuracy
    each average would have had as the plain mean of the two probabilities)."""

    chosen: str
    means: dict[str, float]
    weights: dict[str, float] = field(default_factory=dict)
    equal_means: dict[str, float] = field(default_factory=dict)

    @property
    def network_weight(self) -> float | None:
        """The chosen average's network weight (``None`` for a single model)."""
        return self.weights.get(self.chosen)

    def meta(self) -> dict[str, Any]:
        """What the fitted model's metadata records of the choice."""
        out: dict[str, Any] = {"chosen": self.chosen, "selection": self.means}
        if self.weights:
            out["network_weights"] = self.weights
        return out

    def config(self, config: ClassifyConfig) -> ClassifyConfig:
        """``config`` set to fit the chosen candidate (with its weight)."""
        return replace(config, model=self.chosen, average_weight=self.network_weight)


def fit_average(
    config: ClassifyConfig,
    train: LabelledTexts,
    val: LabelledTexts | None,
    encoder: PretrainedEncoder | None,
    partner: str = "nb",
) -> FitResult:
    """The network (early-stopped on ``val``, or on a held-out share of ``train``) and the
    bag-of-words ``partner`` (on all of ``train``), averaged (``config.average_weight``: the
    network's weight in a log-probability pool; none: the mean of the probabilities)."""
    from seqrnn.classify.workflow import FitResult, fit, split_validation

    net_train = train
    if val is None:
        net_train, val = split_validation(train, config.data.val_fraction, config.train.seed)
    net = fit(replace(config, model="rnn"), net_train, val, encoder=encoder)
    bow = fit(replace(config, model=partner), train)
    model = AveragedClassifier([net.model, bow.model], member_weights(config.average_weight))
    meta = {"kind": "average", "members": [net.meta, bow.meta], "weights": model.weights}
    seconds = net.seconds + bow.seconds
    return FitResult(model, net.history, seconds, meta, net.run_dir, net.encoder)


def member_weights(network_weight: float | None) -> list[float] | None:
    """The weights of [network, bag of words] for :class:`AveragedClassifier`."""
    return None if network_weight is None else [network_weight, 1 - network_weight]


def choose(
    config: ClassifyConfig, train: LabelledTexts, encoder: PretrainedEncoder | None
) -> Choice:
    """The candidate with the best mean accuracy over ``config.select_folds`` folds of
    ``train`` (only ``train`` is read), every candidate's mean accuracy and the averaged
    candidates' network weights (cross-fitted, see the module doc)."""
    from seqrnn.classify.workflow import fit, split_validation

    folds = StratifiedKFold(config.select_folds, shuffle=True, random_state=config.train.seed)
    labels = sorted(set(train.labels))
    truth = np.array([labels.index(lab) for lab in train.labels])  # [N]
    fold = np.zeros(len(train), dtype=np.int64)  # [N] the inner fold that holds each text out
    oof = {k: np.zeros((len(train), len(labels))) for k in (*BOW, "rnn")}  # out-of-fold [N, K]
    for f, (inner_tr, inner_te) in enumerate(folds.split(np.zeros(len(train)), train.labels)):
        part, held = train.subset(inner_tr), train.subset(inner_te)
        fold[inner_te] = f
        for kind in BOW:
            oof[kind][inner_te] = _held_out(fit(replace(config, model=kind), part), held, labels)
        net_part, val = split_validation(part, config.data.val_fraction, config.train.seed)
        net = fit(replace(config, model="rnn"), net_part, val, encoder=encoder)
        oof["rnn"][inner_te] = _held_out(net, held, labels)
    return _scores(oof, truth, fold)


def _held_out(fitted: FitResult, held: LabelledTexts, labels: list[str]) -> np.ndarray:
    """``fitted``'s probabilities of the held-out texts, columns in ``labels`` order (a label
    missing from an inner training part gets probability 0)."""
    proba = fitted.model.predict_proba(held.texts)  # [n, K'] in the model's label order
    out = np.zeros((len(held), len(labels)))  # [n, K]
    out[:, [labels.index(lab) for lab in fitted.model.labels]] = proba
    return out


def _scores(oof: dict[str, np.ndarray], truth: np.ndarray, fold: np.ndarray) -> Choice:
    """Every candidate's mean accuracy over the folds from the out-of-fold probabilities."""
    right = {k: oof[k].argmax(1) == truth for k in oof}  # [N] each
    crossed, weights, equal = {}, {}, {}
    for name, bow in AVERAGED.items():
        equal[name] = (oof["rnn"] + oof[bow]).argmax(1) == truth  # the plain mean's hits
        per_fold = cross_fitted_weights(oof["rnn"], oof[bow], truth, fold)
        pooled = np.zeros(len(truth), dtype=bool)
        for f, w in per_fold.items():
            mine = fold == f
            proba = log_pool([oof["rnn"][mine], oof[bow][mine]], [w, 1 - w])
            pooled[mine] = proba.argmax(1) == truth[mine]
        right[name] = pooled
        crossed[name] = per_fold
        weights[name] = best_weight(oof["rnn"], oof[bow], truth)  # the one all folds pick
    folds = np.unique(fold)

    def fold_mean(hits: np.ndarray) -> float:
        return round(float(np.mean([hits[fold == f].mean() for f in folds])), 4)

    means = {k: fold_mean(right[k]) for k in CANDIDATES}
    equal_means = {k: fold_mean(hits) for k, hits in equal.items()}
    best = max(CANDIDATES, key=lambda k: (means[k], -CANDIDATES.index(k)))
    logger.info(
        "model choice by %d-fold CV on the training part: %s -> %s (network weights %s, "
        "per fold %s)",
        len(folds),
        means,
        best,
        weights,
        crossed,
    )
    return Choice(best, means, weights, equal_means)


def fit_auto(
    config: ClassifyConfig,
    train: LabelledTexts,
    val: LabelledTexts | None,
    encoder: PretrainedEncoder | None,
) -> FitResult:
    """Choose (:func:`choose`), then fit the chosen candidate on all of ``train``; the
    result's ``seconds`` count the choice too (not a pretraining done here)."""
    from seqrnn.classify.workflow import fit, prepare_encoder, split_validation

    if encoder is None and config.pretrain.active:
        encoder = prepare_encoder(config, train.texts)
    began = time.perf_counter()
    choice = choose(config, train, encoder)
    if choice.chosen == "rnn" and val is None:
        train, val = split_validation(train, config.data.val_fraction, config.train.seed)
    uses_val = "rnn" in choice.chosen
    fitted = fit(choice.config(config), train, val if uses_val else None, encoder=encoder)
    fitted.meta = {**fitted.meta, **choice.meta()}
    fitted.seconds = time.perf_counter() - began
    return fitted


def selection_report(meta: dict[str, Any]) -> str:
    """One line saying what the default chose and why."""
    means = ", ".join(f"{k} {v:.4f}" for k, v in meta["selection"].items())
    weight = meta.get("network_weights", {}).get(meta["chosen"])
    said = "" if weight is None else f", weight {weight:g} on the network's log-probabilities"
    return f"chose {meta['chosen']}{said} (mean accuracy over the training part's folds: {means})"
