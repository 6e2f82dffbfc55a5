"""CLI verbs for text classification: ``seqrnn classify train|evaluate|predict``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from seqrnn.classify.crossval import cross_validate
from seqrnn.classify.metrics import format_report, plot_confusion
from seqrnn.classify.models import predict_labels
from seqrnn.classify.net import PRESETS
from seqrnn.classify.pretrain import PretrainMethod
from seqrnn.classify.readers import SourceFormat, read_labelled
from seqrnn.classify.runs import load_model, resume_config, train
from seqrnn.classify.workflow import (
    ModelKind,
    config_from_dict,
    evaluate,
    read_data,
)
from seqrnn.cli.common import (
    CONFIG_OPTION,
    RESUME_OPTION,
    THREADS_OPTION,
    apply_options,
    friendly_errors,
    interruptible,
    merge_config,
    setup_logging,
    train_callbacks,
    train_options,
    use_threads,
)
from seqrnn.cli.types import FRACTION, NON_NEGATIVE_INT, POSITIVE, POSITIVE_INT
from seqrnn.data.readers import decode_lines
from seqrnn.io.runs import save_metrics
from seqrnn.train.distributed import is_main_process

FORMATS = click.Choice([f.value for f in SourceFormat])
_COLUMNS = [
    click.option("--text-column", "data__text_column", help="Text column of a table [text]."),
    click.option("--label-column", "data__label_column", help="Label column of a table [label]."),
    click.option("--format", "data__format", type=FORMATS, help="Input layout [auto]."),
]


def _options(opts):
    def wrap(fn):
        return apply_options(fn, opts)

    return wrap


_TRAIN = [
    CONFIG_OPTION,
    click.option(
        "--train",
        "data__train",
        multiple=True,
        help="Table file, class folder, or one lines-file per class (LABEL=PATH); repeatable.",
    ),
    click.option("--val", "data__val", multiple=True, help="Validation data (same layout)."),
    click.option("--val-fraction", "data__val_fraction", type=FRACTION),
    *_COLUMNS,
    click.option(
        "--model",
        "model",
        type=click.Choice([k.value for k in ModelKind]),
        help="auto (default): chosen by cross-validation on the training part.",
    ),
    click.option(
        "--unlabelled",
        "pretrain__unlabelled",
        multiple=True,
        help="Unlabelled text (a table's text column, or one text per line) to learn word "
        "vectors from (or to pretrain the encoder on, --pretrain-method lm); repeatable.",
    ),
    click.option(
        "--pretrain-method",
        "pretrain__method",
        type=click.Choice([m.value for m in PretrainMethod]),
        help="vectors (default): PPMI-SVD word vectors start the embedding (seconds); "
        "lm: forward and backward language models start the encoder (hours on a CPU).",
    ),
    click.option(
        "--encoder",
        "pretrain__encoder",
        help="Start from a pretrained encoder: an earlier run (its encoder.safetensors) or a "
        "word-level `seqrnn text train` run. One with recurrent stacks brings the fine-tuning "
        "defaults; word vectors keep the plain ones.",
    ),
    click.option("--pretrain-epochs", "pretrain__epochs", type=POSITIVE_INT),
    click.option(
        "--pretrain-minutes", "pretrain__minutes", type=POSITIVE, help="Per LM direction."
    ),
    click.option(
        "--preset", "net__preset", type=click.Choice(list(PRESETS)), help="A named network."
    ),
    click.option("--cell", "net__encoder__cell", type=click.Choice(["rnn", "lstm", "gru"])),
    click.option("--hidden", "net__encoder__hidden_size", type=POSITIVE_INT),
    click.option("--layers", "net__encoder__num_layers", type=POSITIVE_INT),
    click.option("--dropout", "net__encoder__dropout", type=FRACTION, help="Between layers."),
    click.option("--bidirectional/--unidirectional", "net__encoder__bidirectional", default=None),
    click.option("--embedding-dim", "net__embedding_dim", type=POSITIVE_INT),
    click.option("--input-dropout", "net__input_dropout", type=FRACTION),
    click.option("--output-dropout", "net__output_dropout", type=FRACTION),
    click.option(
        "--pooling", "net__pooling", type=click.Choice(["last", "max", "mean", "max_mean"])
    ),
    click.option(
        "--conv-filters", "net__conv_filters", type=NON_NEGATIVE_INT, help="0 = no CNN front end."
    ),
    click.option("--prior/--no-prior", "net__prior_features", default=None, help="NB channels."),
    click.option("--mode", "text__mode", type=click.Choice(["word", "char"])),
    click.option("--lowercase/--keep-case", "text__lowercase", default=None),
    click.option(
        "--punctuation", "text__punctuation", type=click.Choice(["split", "drop", "keep"])
    ),
    click.option(
        "--max-length", "text__max_length", type=NON_NEGATIVE_INT, help="0 = no truncation."
    ),
    click.option("--truncate", "text__truncate", type=click.Choice(["head", "tail"])),
    click.option("--min-count", "text__min_count", type=POSITIVE_INT),
    click.option("--max-vocab", "text__max_vocab", type=POSITIVE_INT),
    click.option("--ngrams", "bow__ngram_max", type=POSITIVE_INT, help="Baselines: n-grams 1..N."),
    *train_options("epochs", "batch_size", "lr", "patience", "seed", "device"),
    *train_options("runs_dir", "name", "tensorboard"),
]


def _build_config(config_file, flags):
    flags = {k: (list(v) or None) if isinstance(v, tuple) else v for k, v in flags.items()}
    return config_from_dict(merge_config(config_file, flags))


@click.command("train")
@_options(_TRAIN)
@click.option(
    "--folds",
    type=click.IntRange(min=2),
    help="Run k-fold cross-validation instead (no run folder).",
)
@RESUME_OPTION
@THREADS_OPTION
@click.option("--progress/--no-progress", default=True, help="Progress bar on stderr.")
@click.option("-v", "--verbose", is_flag=True)
@friendly_errors
def train_cmd(config_file, folds, resume, threads, progress, verbose, **flags):
    """Train a text classifier (or cross-validate it with --folds)."""
    setup_logging(verbose)
    use_threads(threads)
    config = resume_config(resume) if resume else _build_config(config_file, flags)
    if folds:
        result = cross_validate(config, read_data(config.data), folds, config.train.seed)
        for k, (m, chose) in enumerate(zip(result.metrics, result.chosen, strict=True), 1):
            said = f" (chose {chose})" if chose else ""
            click.echo(f"fold {k}: accuracy {m.accuracy:.4f} macro_f1 {m.macro_f1:.4f}{said}")
        click.echo(json.dumps({k: round(v, 4) for k, v in result.summary().items()}))
        return
    callbacks = train_callbacks(progress)
    result = interruptible("classify train", lambda: train(config, callbacks, resume))
    if not is_main_process():  # under torchrun, rank 0 speaks for all
        return
    click.echo(f"run folder: {result.run_dir}")
    if result.chosen:
        click.echo(result.chosen)
    if result.val_metrics is not None:
        click.echo(format_report(result.val_metrics))
    click.echo(f"training time: {result.seconds:.1f} s")


@click.command("evaluate")
@click.argument("model")
@click.argument("data", nargs=-1, required=True)
@_options(_COLUMNS)
@click.option("--out", type=click.Path(file_okay=False), help="Write metrics.json, confusion.png.")
@friendly_errors
def evaluate_cmd(model, data, out, **flags):
    """Accuracy, per-class and macro precision/recall/F1 and the confusion matrix of MODEL
    (file or run folder) on labelled DATA."""
    texts = read_labelled(
        list(data),
        flags["data__format"] or SourceFormat.AUTO,
        flags["data__text_column"] or "text",
        flags["data__label_column"] or "label",
    )
    metrics = evaluate(load_model(model), texts)
    click.echo(format_report(metrics))
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        save_metrics(Path(out), metrics.to_dict())
        plot_confusion(metrics, Path(out) / "confusion.png")
        click.echo(f"wrote {out}/metrics.json and {out}/confusion.png")


@click.command("predict")
@click.argument("model")
@click.argument("input", default="-", type=click.File("rb"))
@click.option("--with-text/--no-text", default=False, help="Echo each input line after it.")
@friendly_errors
def predict_cmd(model, input, with_text):
    """Label each line of INPUT (a file, or stdin when '-' or absent): prints
    ``label<TAB>probability`` per line."""
    classifier = load_model(model)
    lines = decode_lines(input, getattr(input, "name", "<stdin>"))
    if not lines:
        return
    labels, probs = predict_labels(classifier, lines)
    out = sys.stdout
    for label, p, text in zip(labels, probs, lines, strict=True):
        out.write(f"{label}\t{p:.4f}" + (f"\t{text}" if with_text else "") + "\n")


@click.group("classify")
def classify_group() -> None:
    """Text classification: recurrent networks (LSTM, GRU, BiLSTM, CNN+LSTM) and
    bag-of-words baselines (naive Bayes, logistic regression)."""


classify_group.add_command(train_cmd)
classify_group.add_command(evaluate_cmd)
classify_group.add_command(predict_cmd)


def register(group: click.Group) -> None:
    """Add ``classify`` to the ``seqrnn`` command group."""
    group.add_command(classify_group)
