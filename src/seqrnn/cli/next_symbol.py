"""CLI verbs for next-symbol models: train, evaluate, predict, generate, score, summary, demo."""

from __future__ import annotations

import json
from pathlib import Path

import click

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
from seqrnn.cli.types import (
    FRACTION,
    NON_NEGATIVE,
    NON_NEGATIVE_INT,
    POSITIVE_INT,
    PROBABILITY,
    SEED,
)
from seqrnn.data.formats import InputFormat
from seqrnn.data.readers import decode_lines
from seqrnn.io.runs import save_metrics
from seqrnn.models.kinds import load_checkpoint_of
from seqrnn.models.neural import KIND, load_model
from seqrnn.models.registry import load_next_symbol_model, resolve_model_path
from seqrnn.next_symbol import training as ns
from seqrnn.next_symbol import use
from seqrnn.train.distributed import is_main_process

FORMATS = click.Choice([f.value for f in InputFormat])


def _train_options(fn):
    opts = [
        CONFIG_OPTION,
        click.option("--train", "data__train", help="Training file or glob."),
        click.option(
            "--val",
            "data__val",
            help="Validation file or glob (default: hold out --val-fraction of the training data).",
        ),
        click.option("--val-fraction", "data__val_fraction", type=FRACTION),
        click.option("--format", "data__format", type=FORMATS, help="Input format."),
        click.option("--window", "data__window", type=POSITIVE_INT, help="Window length L."),
        click.option("--step", "data__step", type=POSITIVE_INT, help="Keep every step-th window."),
        click.option("--random-offset/--no-random-offset", "data__random_offset", default=None),
        click.option("--cell", "model__encoder__cell", type=click.Choice(["rnn", "lstm", "gru"])),
        click.option("--hidden", "model__encoder__hidden_size", type=POSITIVE_INT),
        click.option("--layers", "model__encoder__num_layers", type=POSITIVE_INT),
        click.option("--dropout", "model__encoder__dropout", type=FRACTION),
        click.option(
            "--bidirectional/--unidirectional", "model__encoder__bidirectional", default=None
        ),
        click.option(
            "--embedding-dim",
            "model__embedding_dim",
            type=NON_NEGATIVE_INT,
            help="0 = one-hot inputs.",
        ),
        click.option("--head", "model__head", type=click.Choice(["last", "per_step"])),
        *train_options("epochs", "batch_size"),
        click.option(
            "--optimizer",
            "train__optimizer",
            type=click.Choice(["adam", "adamw", "rmsprop", "sgd", "adagrad"]),
        ),
        *train_options("lr", "clip", "patience", "seed", "device"),
        *train_options("runs_dir", "name", "tensorboard"),
    ]
    return apply_options(fn, opts)


@click.command("train")
@_train_options
@RESUME_OPTION
@THREADS_OPTION
@click.option("--progress/--no-progress", default=True, help="Progress bar on stderr.")
@click.option("-v", "--verbose", is_flag=True)
@friendly_errors
def train_cmd(config_file, resume, threads, progress, verbose, **flags):
    """Train a next-symbol model; writes a run folder and prints where."""
    setup_logging(verbose)
    use_threads(threads)
    if resume:
        load_checkpoint_of(resolve_model_path(resume), [KIND], "`seqrnn train --resume`")
        config = ns.resume_config(resume)
    else:
        config = ns.run_config_from_dict(merge_config(config_file, flags))
    callbacks = train_callbacks(progress)  # none on the other ranks under torchrun
    result = interruptible("train", lambda: ns.train(config, callbacks, resume=resume))
    if not is_main_process():
        return
    last = result.history[-1] if result.history else {}
    click.echo(f"run folder: {result.run_dir}")
    click.echo(
        "last epoch: "
        + json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in last.items()})
    )


@click.command("evaluate")
@click.argument("model")
@click.argument("data")
@click.option("--format", "fmt", type=FORMATS, help="Default: the model's training format.")
@click.option(
    "--top-k", type=POSITIVE_INT, default=3, show_default=True, help="Report top-1..K accuracy."
)
@click.option("--out", type=click.Path(file_okay=False), help="Write metrics.json here.")
@friendly_errors
def evaluate_cmd(model, data, fmt, top_k, out):
    """Cross-entropy, perplexity and top-k accuracy of MODEL (file or run folder) on DATA."""
    metrics = use.evaluate(load_next_symbol_model(model, "`seqrnn evaluate`"), data, fmt, top_k)
    for key, value in metrics.to_dict().items():
        click.echo(f"{key}: {value}")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        save_metrics(Path(out), metrics.to_dict())


@click.command("predict")
@click.argument("model")
@click.argument("prefix", nargs=-1)
@click.option(
    "--input", "input_file", type=click.File("rb"), help="Read one prefix per line (- for stdin)."
)
@click.option("--top-k", type=POSITIVE_INT, default=5, show_default=True)
@friendly_errors
def predict_cmd(model, prefix, input_file, top_k):
    """The top-k next symbols after PREFIX (whitespace-separated symbols) with probabilities."""
    m = load_next_symbol_model(model, "`seqrnn predict`")
    prefixes = [" ".join(prefix)] if prefix else []
    if input_file is not None:
        prefixes += decode_lines(input_file, getattr(input_file, "name", "<stdin>"))
    if not prefixes:
        raise click.UsageError("give a PREFIX or --input")
    for text in prefixes:
        guesses = use.predict(m, text.split(), top_k)
        click.echo(f"{text} -> " + ", ".join(f"{g.symbol} ({g.prob:.3f})" for g in guesses))


@click.command("generate")
@click.argument("model")
@click.option(
    "--prime",
    help="Start from this: text for text models (characters as typed), whitespace-separated "
    "symbols otherwise. Default: a line break for text models, nothing otherwise.",
)
@click.option(
    "--length", type=POSITIVE_INT, default=200, show_default=True, help="Symbols to generate."
)
@click.option(
    "--temperature", default=1.0, show_default=True, type=NON_NEGATIVE, help="0 = greedy."
)
@click.option("--top-k", type=POSITIVE_INT, help="Draw only among the k most likely symbols.")
@click.option(
    "--top-p", type=PROBABILITY, help="Draw only among the most likely symbols totalling p."
)
@click.option("--num-samples", type=POSITIVE_INT, default=1, show_default=True)
@click.option("--seed", type=SEED, help="Same seed, same samples.")
@click.option("--stream/--no-stream", default=True, help="Write one sample as it is produced.")
@friendly_errors
def generate_cmd(model, prime, length, temperature, top_k, top_p, num_samples, seed, stream):
    """Sample continuations from MODEL with temperature / top-k / top-p.

    Text models print the prime and its continuation as text (characters joined without
    spaces); other models print the new symbols separated by spaces.
    """
    from seqrnn.generation import TextStream, generate

    m = load_next_symbol_model(model, "`seqrnn generate`")
    is_text = hasattr(m, "detokenize")
    tokenize = m.tokenize if is_text else str.split
    detokenize = m.detokenize if is_text else " ".join
    prime = ("\n" if is_text else "") if prime is None else prime
    prefix = tokenize(prime) if is_text else []
    args = (m, m.vocab.encode(tokenize(prime)), length, temperature, top_k, top_p)
    if stream and num_samples == 1:
        click.echo(detokenize(prefix), nl=False)
        writer = TextStream(m.vocab, detokenize, lambda s: click.echo(s, nl=False), prefix)
        generate(*args, 1, seed, on_step=writer)
        click.echo()
        return
    for i, row in enumerate(generate(*args, num_samples, seed)):
        if is_text and num_samples > 1:
            click.echo(f"--- sample {i + 1} ---")
        click.echo(detokenize(prefix + m.vocab.decode(row)))


@click.command("score")
@click.argument("model")
@click.argument("data")
@click.option("--format", "fmt", type=FORMATS)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    required=True,
    help="Folder for scores.csv, metrics.json and the two plots.",
)
@friendly_errors
def score_cmd(model, data, fmt, out):
    """For every position of DATA: p(true next symbol), its rank and -log p, as CSV + plots."""
    m = load_next_symbol_model(model, "`seqrnn score`")
    metrics, paths = use.write_scores(out, m, use.score(m, data, fmt))
    click.echo(
        f"scored {metrics.positions:,} positions: cross-entropy {metrics.cross_entropy:.4f}, "
        f"top-1 {metrics.top_k_accuracy[1]:.4f}"
    )
    for p in paths:
        click.echo(f"wrote {p}")


@click.command("summary")
@click.argument("model")
@friendly_errors
def summary_cmd(model):
    """Each layer of MODEL with its parameter count; the total equals sum(p.numel())."""
    from seqrnn.nn.summary import layer_table

    m = load_model(model)
    rows = layer_table(m.net)
    width = max(len(r.name) for r in rows)
    click.echo(f"{'layer':<{width}}  {'parameters':>10}  description")
    for r in rows:
        click.echo(f"{r.name:<{width}}  {r.parameters:>10,}  {r.description}")
    total = sum(p.numel() for p in m.net.parameters())
    click.echo(f"{'total':<{width}}  {total:>10,}")
    click.echo(f"model: {m.describe()}, vocabulary {len(m.vocab)}")


def register(group: click.Group) -> None:
    """Add this module's verbs to the top-level group."""
    for cmd in (train_cmd, evaluate_cmd, predict_cmd, generate_cmd, score_cmd, summary_cmd):
        group.add_command(cmd)
