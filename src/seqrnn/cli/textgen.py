"""``seqrnn text train|evaluate|demo``: character- and word-level language models on text.

Sampling is ``seqrnn generate MODEL`` (the verb every next-symbol model shares).
"""

from __future__ import annotations

import json
import tempfile

import click

from seqrnn.cli.common import (
    CONFIG_OPTION,
    RESUME_OPTION,
    apply_options,
    friendly_errors,
    interruptible,
    merge_config,
    setup_logging,
    train_callbacks,
    train_options,
    use_threads,
)
from seqrnn.cli.types import FRACTION, NON_NEGATIVE_INT, POSITIVE, POSITIVE_INT, UNIT
from seqrnn.generation import generate
from seqrnn.textgen.corpus import stdlib_sources
from seqrnn.textgen.evaluate import TextScores
from seqrnn.textgen.workflow import (
    evaluate_text,
    text_config_from_dict,
    text_resume_config,
    train_text,
)
from seqrnn.train.distributed import is_main_process


def _options(fn):
    opts = [
        CONFIG_OPTION,
        click.option(
            "--train", "data__train", multiple=True, help="Text file or glob (repeatable)."
        ),
        click.option("--level", "data__level", type=click.Choice(["char", "word"])),
        click.option(
            "--val-fraction", "data__val_fraction", type=FRACTION, help="Held out, at the end."
        ),
        click.option(
            "--seq-len", "data__seq_len", type=POSITIVE_INT, help="Truncated-BPTT length."
        ),
        click.option(
            "--fresh-fraction",
            "data__fresh_fraction",
            type=UNIT,
            help="Share of columns restarted from a zero state at each batch.",
        ),
        click.option("--eval-window", "data__eval_window", type=POSITIVE_INT),
        click.option("--min-count", "data__min_count", type=POSITIVE_INT),
        click.option("--max-vocab", "data__max_vocab", type=POSITIVE_INT),
        click.option("--cell", "model__encoder__cell", type=click.Choice(["rnn", "lstm", "gru"])),
        click.option("--hidden", "model__encoder__hidden_size", type=POSITIVE_INT),
        click.option("--layers", "model__encoder__num_layers", type=POSITIVE_INT),
        click.option("--dropout", "model__encoder__dropout", type=FRACTION),
        click.option("--embedding-dim", "model__embedding_dim", type=NON_NEGATIVE_INT),
        *train_options("epochs"),
        click.option(
            "--batch-size", "train__batch_size", type=POSITIVE_INT, help="Parallel columns B."
        ),
        *train_options("lr", "clip", "seed", "device"),
        click.option(
            "--decay", "train__schedule__decay", type=click.Choice(["constant", "linear", "cosine"])
        ),
        click.option("--warmup", "train__schedule__warmup_steps", type=NON_NEGATIVE_INT),
        click.option(
            "--precision",
            "train__precision",
            type=click.Choice(["auto", "fp32", "bf16"]),
            help="auto: bf16 where the device has bfloat16 units.",
        ),
        *train_options("minutes"),
        *train_options("runs_dir", "name", "tensorboard"),
    ]
    return apply_options(fn, opts)


def _echo_scores(scores: TextScores, unit: str) -> None:
    click.echo(
        f"held-out {scores.positions:,} {unit}s: full context {scores.full_context_nats:.4f} "
        f"nats ({scores.full_context_bits:.3f} bits/{unit}), windows of {scores.window} "
        f"{scores.window_nats:.4f} nats ({scores.window_bits:.3f} bits/{unit})"
    )


@click.command("train")
@_options
@click.option(
    "--threads", type=POSITIVE_INT, help="CPU threads for PyTorch (default: its own choice)."
)
@RESUME_OPTION
@click.option("--progress/--no-progress", default=True)
@click.option("-v", "--verbose", is_flag=True)
@friendly_errors
def train_cmd(config_file, threads, resume, progress, verbose, **flags):
    """Train a language model on text (character level by default); print its held-out
    bits per symbol and a sample."""
    setup_logging(verbose)
    use_threads(threads)
    if resume:
        config = text_resume_config(resume)
    else:
        flags["data__train"] = list(flags["data__train"]) or None
        config = text_config_from_dict(merge_config(config_file, flags))
    callbacks = train_callbacks(progress)
    result = interruptible("text train", lambda: train_text(config, callbacks, resume=resume))
    if not is_main_process():
        return
    click.echo(f"run folder: {result.run_dir}")
    click.echo(f"training time: {result.train_seconds:.0f} s, {len(result.history)} epochs")
    if result.scores is not None:
        _echo_scores(result.scores, config.data.level.value)
    _echo_sample(result.model, "\n", 300, 0.5)


def _echo_sample(model, prime: str, length: int, temperature: float) -> None:
    ids = generate(model, model.encode(prime), length, temperature, seed=0)[0]
    click.echo(f"--- sample (temperature {temperature}) ---")
    click.echo(prime + model.decode(ids))


@click.command("evaluate")
@click.argument("model")
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--window",
    type=POSITIVE_INT,
    default=64,
    show_default=True,
    help="Window length for the windowed score.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@friendly_errors
def evaluate_cmd(model, files, window, as_json):
    """Bits per symbol of MODEL on whole text FILES, full context and in windows."""
    from seqrnn.textgen.model import load_text_model

    scores = evaluate_text(model, files, window)
    if as_json:
        click.echo(json.dumps(scores.to_dict(), indent=2))
    else:
        _echo_scores(scores, load_text_model(model).level.value)


@click.command("demo")
@click.option(
    "--minutes", type=POSITIVE, default=1.0, show_default=True, help="Training-time budget."
)
@click.option("--runs-dir", type=click.Path(file_okay=False), help="Default: a temporary folder.")
@click.option("--progress/--no-progress", default=True)
@friendly_errors
def demo_cmd(minutes, runs_dir, progress):
    """Train a character model on the Python standard library's own source (no download)
    for a minute, then print its bits per character and a sample."""
    files = [str(p) for p in stdlib_sources(600_000)]
    config = text_config_from_dict(
        {
            "data": {"train": files},
            "model": {"embedding_dim": 32, "encoder": {"hidden_size": 256, "num_layers": 2}},
            "train": {
                "epochs": 100,
                "batch_size": 64,
                "learning_rate": 3e-3,
                "grad_clip": 1.0,
                "minutes": minutes,
            },
            "runs_dir": runs_dir or tempfile.mkdtemp(prefix="seqrnn-text-demo-"),
            "name": "demo",
        }
    )
    click.echo(
        f"Training a 2x256 LSTM on {len(files)} standard-library modules for {minutes} min..."
    )
    result = interruptible("text train", lambda: train_text(config, train_callbacks(progress)))
    click.echo(f"run folder: {result.run_dir}")
    _echo_scores(result.scores, "char")
    _echo_sample(result.model, "def ", 400, 0.5)


@click.group("text")
def text_group() -> None:
    """Character- and word-level language models: train, evaluate, demo (sample with
    ``seqrnn generate``)."""


def register(group: click.Group) -> None:
    """Add ``seqrnn text ...``."""
    for cmd in (train_cmd, evaluate_cmd, demo_cmd):
        text_group.add_command(cmd)
    group.add_command(text_group)
