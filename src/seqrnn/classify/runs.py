"""Run folders and model files for text classifiers: :func:`train` (read, split, fit, save,
score the validation data) and :func:`load_model` (either kind, from a file or run folder)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seqrnn.classify.encoders import prepare_encoders
from seqrnn.classify.metrics import ClassificationMetrics, plot_confusion
from seqrnn.classify.models import BowClassifier, BowConfig, NeuralTextClassifier, TextClassifier
from seqrnn.classify.net import TextClassifierNet, TextNetConfig
from seqrnn.classify.select import AveragedClassifier, choose, selection_report
from seqrnn.classify.text import TextConfig, Tokenizer
from seqrnn.classify.transfer import ENCODER_FILE, load_encoder, save_encoder
from seqrnn.classify.workflow import (
    BOW_KIND,
    NEURAL_KIND,
    PARTNER,
    ClassifyConfig,
    FitResult,
    ModelKind,
    evaluate,
    fit,
    read_data,
    split_validation,
)
from seqrnn.config import from_dict, replace
from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import CheckpointError
from seqrnn.io.checkpoint import Checkpoint, load_state_strict, save_checkpoint
from seqrnn.io.runs import new_run_dir, save_config, save_metrics
from seqrnn.models.kinds import load_checkpoint_of
from seqrnn.models.registry import resolve_model_path
from seqrnn.train import lifecycle
from seqrnn.train.callbacks import Callback

logger = logging.getLogger(__name__)

NB_FILE = "nb.safetensors"  # the bag-of-words half of an ``rnn+nb`` / ``rnn+nbsvm`` run folder


@dataclass
class TrainResult:
    """What a finished training run left behind."""

    run_dir: Path | None
    model: TextClassifier
    history: list[dict[str, Any]]
    seconds: float
    val_metrics: ClassificationMetrics | None
    chosen: str | None = None  # what ``model = "auto"`` chose, and why (one line)


def train(
    config: ClassifyConfig,
    callbacks: Sequence[Callback] = (),
    resume: str | Path | None = None,
) -> TrainResult:
    """Train ``config.model`` on ``config.data`` into a new run folder.

    Validation data is ``config.data.val`` or a stratified ``val_fraction`` of the training
    data; the recurrent network records ``val_loss``/``val_accuracy`` per epoch there, and the
    finished model is scored on it (``metrics.json``, ``confusion.png``). The network trains
    through the shared life cycle (checkpoints, signals, ``resume`` continuing a run folder);
    a bag-of-words baseline is fitted at once and saved as ``best.safetensors`` beside its
    config and metrics.
    """
    data = read_data(config.data, "train")
    if config.data.val:
        train_part, val_part = data, read_data(config.data, "val")
    else:
        train_part, val_part = split_validation(data, config.data.val_fraction, config.train.seed)
    logger.info(
        "training %s on %d texts (%d validation)",
        config.model,
        len(train_part),
        0 if val_part is None else len(val_part),
    )
    box: dict[str, Any] = {}

    def on_report(model: TextClassifier) -> dict[str, Any]:
        if val_part is None:
            return {}
        box["metrics"] = metrics = evaluate(model, val_part)
        return {"validation": metrics.to_dict()}

    kind, extra = ModelKind(config.model), {}
    encoder, encoder_for = None, None
    if resume is not None and (Path(resume) / ENCODER_FILE).is_file():
        encoder = load_encoder(Path(resume) / ENCODER_FILE)  # not pretrained again
    elif config.pretrain.active:
        encoder, encoder_for = prepare_encoders(config, train_part.texts)
    if kind is ModelKind.AUTO:  # choose on the training part, then train the choice here
        chosen, means = choose(config, train_part, encoder, encoder_for)
        extra = {"chosen": chosen, "selection": means}
        logger.info("%s", selection_report(extra))
        config, kind = replace(config, model=chosen), ModelKind(chosen)
    if kind is ModelKind.RNN or kind in PARTNER:
        net_cfg = replace(config, model="rnn")
        fitted = fit(net_cfg, train_part, val_part, callbacks, on_report, resume, True, encoder)
        run_dir = fitted.run_dir
        if kind in PARTNER:
            fitted = _add_partner(config, fitted, train_part, on_report, PARTNER[kind])
    else:
        fitted = fit(config, train_part)
        run_dir = _save_baseline_run(config, fitted, on_report)
    metrics = box.get("metrics")
    if run_dir is not None and fitted.encoder is not None and not config.pretrain.encoder:
        save_encoder(fitted.encoder, run_dir / ENCODER_FILE)  # to start other runs from
    if run_dir is not None and (extra or kind in PARTNER):
        save_config(run_dir, replace(config, model=kind.value))
        _record(run_dir, extra, metrics)
    if run_dir is not None and metrics is not None:
        plot_confusion(metrics, run_dir / "confusion.png")
    said = selection_report(extra) if extra else None
    return TrainResult(run_dir, fitted.model, fitted.history, fitted.seconds, metrics, said)


def _add_partner(
    config: ClassifyConfig, net: FitResult, train_part: Any, on_report: Any, partner: str
) -> FitResult:
    """``rnn+nb`` / ``rnn+nbsvm``: the bag-of-words ``partner`` on the same training texts,
    saved beside the network as ``nb.safetensors``; the run's model (and :func:`load_model`
    of the folder) averages both."""
    bow = fit(replace(config, model=partner), train_part)
    model = AveragedClassifier([net.model, bow.model])
    if net.run_dir is not None:
        assert isinstance(bow.model, BowClassifier)
        save_bow(bow.model, bow.meta, net.run_dir / NB_FILE)
    on_report(model)  # the validation metrics are the average's
    meta = {"kind": "average", "members": [net.meta, bow.meta]}
    return FitResult(model, net.history, net.seconds + bow.seconds, meta, net.run_dir, net.encoder)


def _record(run_dir: Path, extra: dict[str, Any], metrics: ClassificationMetrics | None) -> None:
    """Add the model choice (and the final validation metrics) to ``metrics.json``."""
    path = run_dir / "metrics.json"
    saved = json.loads(path.read_text()) if path.is_file() else {}
    if metrics is not None:
        saved["validation"] = metrics.to_dict()
    save_metrics(run_dir, {**saved, **extra})


def resume_config(run_dir: str | Path) -> ClassifyConfig:
    """The config a classifier run folder was trained with (to resume it)."""
    return lifecycle.resume_config(ClassifyConfig, run_dir)


def _save_baseline_run(config: ClassifyConfig, fitted: FitResult, on_report: Any) -> Path | None:
    """A bag-of-words model's run folder: config, model file and metrics, written once the
    model is fitted (so a failed fit leaves no folder)."""
    if not config.runs_dir:
        return None
    run_dir = new_run_dir(config.runs_dir, config.name)
    save_config(run_dir, config)
    assert isinstance(fitted.model, BowClassifier)
    save_bow(fitted.model, fitted.meta, run_dir / "best.safetensors")
    save_metrics(run_dir, {**on_report(fitted.model), "training": {"seconds": fitted.seconds}})
    return run_dir


def save_bow(model: BowClassifier, meta: dict[str, Any], path: Path) -> None:
    """A bag-of-words model as one checkpoint: weights ``[K, F]``, bias ``[K]``, n-grams."""
    tensors = {
        "weight": torch.from_numpy(np.ascontiguousarray(model.weight, dtype=np.float64)),
        "bias": torch.from_numpy(np.ascontiguousarray(model.bias, dtype=np.float64)),
    }
    save_checkpoint(path, Checkpoint(tensors=tensors, meta=meta))


def load_model(path: str | Path, device: str = "cpu") -> TextClassifier:
    """Load a text classifier (recurrent or bag-of-words) from a file or run folder; a run
    folder of ``rnn+nb`` (``rnn+nbsvm``) gives the average of its network and its naive Bayes
    (NBSVM)."""
    if Path(path).is_dir() and (Path(path) / NB_FILE).is_file():
        members = [_load_one(resolve_model_path(path), device), _load_one(Path(path) / NB_FILE)]
        return AveragedClassifier(members)
    return _load_one(resolve_model_path(path), device)


def _load_one(path: Path, device: str = "cpu") -> TextClassifier:
    """One checkpoint file of either kind."""
    ckpt = load_checkpoint_of(path, [NEURAL_KIND, BOW_KIND], "`seqrnn classify`")
    kind = ckpt.meta.get("kind")
    where = str(path)
    text_cfg = from_dict(TextConfig, ckpt.meta.get("text_config", {}), f"{where} text_config")
    labels = ckpt.meta.get("labels")
    if not isinstance(labels, list) or len(labels) < 2:
        raise CheckpointError(f"{where}: no class labels in the checkpoint")
    if kind == BOW_KIND:
        cfg = from_dict(BowConfig, ckpt.meta["bow_config"], f"{where} bow_config")
        weight, bias = ckpt.tensors["weight"].numpy(), ckpt.tensors["bias"].numpy()
        return BowClassifier(cfg, Tokenizer(text_cfg), ckpt.meta["ngrams"], weight, bias, labels)
    net_cfg = from_dict(TextNetConfig, ckpt.meta["model_config"], f"{where} model_config")
    vocab = Vocabulary.from_list(ckpt.meta["vocab"])
    if net_cfg.vocab_size != len(vocab) or net_cfg.num_classes != len(labels):
        raise CheckpointError(f"{where}: vocabulary or labels do not match the network")
    net = TextClassifierNet(net_cfg)
    load_state_strict(net, ckpt.section("model"), where)
    return NeuralTextClassifier(net, Tokenizer(text_cfg), vocab, labels, device)
