"""Text classification: configure, fit, save, load, evaluate, predict, cross-validate.

Each public function is what one ``seqrnn classify`` verb (or a benchmark) calls; none prints.
:func:`fit` works in memory on :class:`LabelledTexts` (cross-validation and hyper-parameter
search call it many times); :func:`train` adds reading the files, the validation split and a run
folder (``config.json``, ``history.csv``, ``best.safetensors``/``model.safetensors``,
``metrics.json``, ``confusion.png``).
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from seqrnn.classify.batching import ClassificationTask, TextBatches
from seqrnn.classify.encoders import prepare_encoder
from seqrnn.classify.finetune import FineTuning, layer_groups
from seqrnn.classify.metrics import ClassificationMetrics, classification_metrics
from seqrnn.classify.models import (
    BowClassifier,
    BowConfig,
    BowKind,
    NeuralTextClassifier,
    TextClassifier,
    nb_counts,
    predict_labels,
)
from seqrnn.classify.net import TextClassifierNet, TextNetConfig
from seqrnn.classify.pretrain import PretrainConfig, PretrainedEncoder, PretrainMethod
from seqrnn.classify.readers import LabelledTexts, SourceFormat, read_labelled
from seqrnn.classify.text import TextConfig, Tokenizer
from seqrnn.classify.transfer import (
    aligned,
    has_recurrent_stacks,
    install,
    merged_vocab,
)
from seqrnn.config import merge, replace, resolve, to_dict
from seqrnn.errors import ConfigError, InputError
from seqrnn.train import lifecycle
from seqrnn.train.callbacks import Callback
from seqrnn.train.config import TrainConfig

logger = logging.getLogger(__name__)


class ModelKind(enum.StrEnum):
    """Which classifier to fit."""

    RNN = "rnn"  # the recurrent network (TextNetConfig says which variant)
    NAIVE_BAYES = "nb"  # bag-of-words baseline
    LOGREG = "logreg"  # bag-of-words baseline
    NBSVM = "nbsvm"  # bag-of-words baseline: NB-scaled logistic regression
    RNN_NB = "rnn+nb"  # the network's and naive Bayes' probabilities, averaged
    RNN_NBSVM = "rnn+nbsvm"  # the network's and NBSVM's probabilities, averaged
    AUTO = "auto"  # whichever of the above wins a cross-validation on the training part


#: the bag-of-words partner of each averaged kind
PARTNER = {ModelKind.RNN_NB: BowKind.NAIVE_BAYES, ModelKind.RNN_NBSVM: BowKind.NBSVM}


@dataclass(frozen=True)
class DataConfig:
    """Where the labelled texts are (see :func:`~seqrnn.classify.readers.read_labelled`)."""

    train: list[str] = field(default_factory=list)
    val: list[str] | None = None  # explicit validation data; else val_fraction is held out
    format: SourceFormat = SourceFormat.AUTO
    text_column: str = "text"
    label_column: str = "label"
    val_fraction: float = 0.1

    def __post_init__(self) -> None:
        if not 0.0 <= self.val_fraction < 1.0:
            raise ConfigError(f"data.val_fraction must be in [0, 1), got {self.val_fraction}")


@dataclass(frozen=True)
class ClassifyConfig:
    """Everything one classification run needs; saved as the run's ``config.json``."""

    data: DataConfig = field(default_factory=DataConfig)
    text: TextConfig = field(default_factory=TextConfig)
    model: ModelKind = ModelKind.AUTO  # chosen by CV on the training part (classify.select)
    select_folds: int = 3  # folds of that choice
    net: TextNetConfig = field(default_factory=lambda: preset("bilstm-prior"))  # recommended
    bow: BowConfig = field(default_factory=BowConfig)
    train: TrainConfig = field(
        default_factory=lambda: TrainConfig(epochs=4, batch_size=64, learning_rate=2e-3, patience=2)
    )
    pretrain: PretrainConfig = field(default_factory=PretrainConfig)
    runs_dir: str | None = "runs"
    name: str | None = None

    def __post_init__(self) -> None:
        if self.select_folds < 2:
            raise ConfigError(f"select_folds must be >= 2, got {self.select_folds}")


#: the defaults of a run that starts from a pretrained language model (``pretrain.unlabelled``
#: with ``pretrain.method = "lm"``, or a ``pretrain.encoder`` with recurrent stacks), under
#: the user's own settings: the wider network a language model needs, and 5 epochs on the
#: slanted triangular schedule (warm-up, then linear decay), so gradual unfreezing leaves
#: epochs to train the whole network. It is the fine-tuning recipe
#: ``bench/classify_pretrain.py`` measures (``lm-bilstm+prior``).
FINE_TUNING_DEFAULTS: dict[str, Any] = {
    "net": {"preset": "lm-bilstm-prior"},
    "train": {
        "epochs": 5,
        "learning_rate": 3e-3,
        "schedule": {"decay": "linear", "warmup_steps": 30, "final_fraction": 0.05},
    },
}


def config_from_dict(data: dict[str, Any]) -> ClassifyConfig:
    """Build and check a :class:`ClassifyConfig`: ``data`` over the classification defaults
    (the BiLSTM with prior channels, 4 epochs at lr 2e-3 with early stopping; with a
    pretrained language model :data:`FINE_TUNING_DEFAULTS` first; word vectors, learned here or
    loaded from an encoder file without recurrent stacks, only start the embedding and keep
    these defaults), so a partial table keeps every
    other default; ``{"net": {"preset": "lstm"}}`` starts the network from that preset
    instead (unknown keys get a suggestion)."""
    pretrain = data.get("pretrain") or {}
    if isinstance(pretrain, dict):
        lm = pretrain.get("method", PretrainConfig.method) == PretrainMethod.LM
        encoder = pretrain.get("encoder")
        if (encoder and has_recurrent_stacks(encoder)) or (pretrain.get("unlabelled") and lm):
            data = merge(FINE_TUNING_DEFAULTS, data)
    return resolve(ClassifyConfig, data)


def network_config_from_dict(data: dict[str, Any]) -> ClassifyConfig:
    """:func:`config_from_dict` for tuning the network: ``model`` is ``"rnn"`` unless given
    (only the network trains in epochs with a validation loss)."""
    return config_from_dict({"model": ModelKind.RNN.value, **data})


def preset(name: str, **overrides: Any) -> TextNetConfig:
    """A named network (:data:`~seqrnn.classify.net.PRESETS`) with ``overrides`` laid over it
    (nested tables such as ``encoder={"hidden_size": 8}`` keep their other keys)."""
    return resolve(TextNetConfig, merge({"preset": name}, overrides), f"preset {name}")


# -- fitting -------------------------------------------------------------------------------


@dataclass
class FitResult:
    """A fitted classifier, its per-epoch history (empty for baselines) and the wall time."""

    model: TextClassifier
    history: list[dict[str, Any]]
    seconds: float
    meta: dict[str, Any] = field(default_factory=dict)
    run_dir: Path | None = None  # the network's run folder, when it trained in one
    encoder: PretrainedEncoder | None = None  # the pretrained encoder it started from


def encode_labels(data: LabelledTexts, labels: list[str], where: str) -> np.ndarray:
    """Label strings -> indices into ``labels``; a label never seen in training is an error."""
    index = {lab: i for i, lab in enumerate(labels)}
    unknown = sorted(set(data.labels) - set(index))
    if unknown:
        raise InputError(f"labels not in the training data: {', '.join(unknown[:5])}", where)
    return np.array([index[lab] for lab in data.labels], dtype=np.int64)


def fit(
    config: ClassifyConfig,
    train: LabelledTexts,
    val: LabelledTexts | None = None,
    callbacks: Sequence[Callback] = (),
    on_report: Callable[[TextClassifier], dict[str, Any]] | None = None,
    resume: str | Path | None = None,
    in_run_folder: bool = False,
    encoder: PretrainedEncoder | None = None,
) -> FitResult:
    """Fit the classifier ``config.model`` on ``train``.

    The recurrent network trains through the shared life cycle, in memory (cross-validation,
    benchmarks, hyper-parameter search), or with ``in_run_folder`` in a run folder under
    ``config.runs_dir`` (:func:`seqrnn.classify.runs.train` does that). ``val`` (if given) is scored
    after every epoch (``val_loss``, ``val_accuracy`` in the history), drives early stopping
    and picks the weights kept; ``callbacks`` are trainer callbacks (progress bars, pruning);
    ``on_report`` receives the finished model and returns the metrics of ``metrics.json``;
    ``resume`` continues a run folder. With ``config.pretrain`` active (or an ``encoder``
    given, e.g. one pretrained once and shared by every fold) the network starts from a
    pretrained language model and is fine-tuned (:mod:`seqrnn.classify.pretrain`).
    """
    labels = sorted(set(train.labels))
    if len(labels) < 2:
        raise InputError(f"need at least two classes in the training data, got {labels}")
    y = encode_labels(train, labels, "training data")
    began = time.perf_counter()
    kind = ModelKind(config.model)
    if kind is ModelKind.AUTO or kind in PARTNER:
        from seqrnn.classify import select  # it fits its candidates with this function

        if kind is ModelKind.AUTO:
            return select.fit_auto(config, train, val, encoder)
        return select.fit_average(config, train, val, encoder, PARTNER[kind])
    if kind is not ModelKind.RNN:
        kind = BowKind(ModelKind(config.model).value)
        tokenizer = Tokenizer(config.text)
        model = BowClassifier.fit(
            kind, config.bow, tokenizer, train.texts, y, labels, config.train.seed
        )
        meta = bow_meta(model, kind)
        return FitResult(model, [], time.perf_counter() - began, meta)
    if not in_run_folder:
        config = in_memory(config)
    if encoder is None and config.pretrain.active:
        encoder = prepare_encoder(config, train.texts)
    recipe = ClassifyRecipe(config, train, y, labels, val, on_report, encoder)
    run = lifecycle.run(config, recipe, callbacks, resume)
    model = recipe.model or recipe.wrap(run.net)  # other ranks under torchrun: no report
    seconds = time.perf_counter() - began
    return FitResult(model, run.history, seconds, recipe.meta, run.run_dir, encoder)


class ClassifyRecipe:
    """The recurrent classifier's part of the life cycle: vocabulary, network (and its prior
    channels) and batch sources from the training texts."""

    def __init__(
        self,
        config: ClassifyConfig,
        train: LabelledTexts,
        y: np.ndarray,
        labels: list[str],
        val: LabelledTexts | None,
        on_report: Callable[[TextClassifier], dict[str, Any]] | None = None,
        encoder: PretrainedEncoder | None = None,
    ):
        self.config, self.train, self.y, self.labels, self.val = config, train, y, labels, val
        self.on_report = on_report
        self.encoder = encoder
        self.model: NeuralTextClassifier | None = None
        self.meta: dict[str, Any] = {}

    def build(self, ctx: Any) -> lifecycle.Parts:
        config, labels, enc = self.config, self.labels, self.encoder
        self.tokenizer = tokenizer = Tokenizer(config.text)
        self.vocab = vocab = tokenizer.build_vocab(self.train.texts)
        net_cfg = config.net
        if enc is not None:  # the encoder's words and sizes (see seqrnn.classify.transfer)
            self.vocab = vocab = merged_vocab(enc, vocab)
            net_cfg = aligned(net_cfg, enc)
        ids = tokenizer.encode(self.train.texts, vocab)
        net_cfg = replace(net_cfg, vocab_size=len(vocab), num_classes=len(labels))
        net = TextClassifierNet(net_cfg)
        if net_cfg.prior_features:
            net.set_prior(*nb_counts(ids, self.y, len(vocab), len(labels), net_cfg.prior_buckets))
        callbacks = []
        if enc is not None:
            logger.info("starting from the pretrained encoder: %s", install(net, enc, vocab))
        if enc is not None and enc.stacks:  # word vectors alone are a start, not a model to spare
            p = config.pretrain
            callbacks.append(FineTuning(layer_groups(net), p.layer_lr_decay, p.gradual_unfreezing))
        self.meta = {
            "kind": NEURAL_KIND,
            "model_config": to_dict(net_cfg),
            "text_config": to_dict(config.text),
            "vocab": vocab.to_list(),
            "labels": labels,
            "pretrained": None if enc is None else enc.describe(),
        }
        bs, seed = config.train.batch_size, config.train.seed
        train_src = TextBatches(ids, self.y, bs, shuffle=True, seed=seed)
        val_src = None
        if self.val is not None and len(self.val):
            val_y = encode_labels(self.val, labels, "validation data")
            val_ids = tokenizer.encode(self.val.texts, vocab)
            val_src = TextBatches(val_ids, val_y, bs * 4, shuffle=False)
        task = ClassificationTask()
        return lifecycle.Parts(net, task, train_src, val_src, self.meta, callbacks)

    def wrap(self, net: Any) -> NeuralTextClassifier:
        """The trained network as a classifier (every process; the report is rank 0's)."""
        self.model = NeuralTextClassifier(net.cpu(), self.tokenizer, self.vocab, self.labels)
        return self.model

    def report(self, run: lifecycle.FinishedRun) -> dict[str, Any]:
        model = self.wrap(run.net)
        return self.on_report(model) if self.on_report is not None else {}


NEURAL_KIND = "text_classifier"
BOW_KIND = "text_classifier_bow"


def bow_meta(model: BowClassifier, kind: BowKind) -> dict[str, Any]:
    """The checkpoint metadata that rebuilds a bag-of-words model."""
    return {
        "kind": BOW_KIND,
        "bow_kind": BowKind(kind).value,
        "bow_config": to_dict(model.config),
        "text_config": to_dict(model.tokenizer.config),
        "labels": model.labels,
        "ngrams": model.ngrams,
    }


# -- evaluation ----------------------------------------------------------------------------


def evaluate(model: TextClassifier, data: LabelledTexts) -> ClassificationMetrics:
    """Metrics of ``model`` on ``data``; true labels the model never saw count as errors."""
    predicted, _ = predict_labels(model, data.texts)
    extra = sorted(set(data.labels) - set(model.labels))
    return classification_metrics(data.labels, predicted, list(model.labels) + extra)


def split_validation(
    data: LabelledTexts, fraction: float, seed: int
) -> tuple[LabelledTexts, LabelledTexts | None]:
    """Hold out a stratified ``fraction`` of ``data`` for validation (none when 0)."""
    if fraction == 0:
        return data, None
    index = np.arange(len(data))
    tr, va = train_test_split(
        index, test_size=fraction, random_state=seed, stratify=_stratify(data.labels)
    )
    return data.subset(tr), data.subset(va)


def in_memory(config: ClassifyConfig) -> ClassifyConfig:
    """``config`` without a run folder (for fits that leave no files)."""
    return replace(config, runs_dir=None)


def _stratify(labels: list[str]) -> list[str] | None:
    """Stratify when every class has at least two texts (sklearn needs that)."""
    _, counts = np.unique(labels, return_counts=True)
    return labels if counts.min() >= 2 else None


def read_data(config: DataConfig, which: str = "train") -> LabelledTexts:
    """Read ``config.train`` or ``config.val`` with the configured format and columns."""
    paths = getattr(config, which)
    if not paths:
        raise ConfigError(f"data.{which}: no input given")
    return read_labelled(paths, config.format, config.text_column, config.label_column)
