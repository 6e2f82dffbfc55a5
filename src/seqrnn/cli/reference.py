"""``seqrnn reference ...``: the NumPy reference RNN/LSTM/GRU (train, generate, gradcheck,
vanishing, counts)."""

from __future__ import annotations

import click

from seqrnn.cli.common import friendly_errors, setup_logging
from seqrnn.cli.types import NON_NEGATIVE, NON_NEGATIVE_INT, POSITIVE, POSITIVE_INT, SEED
from seqrnn.config import from_dict

CELLS = click.Choice(["rnn", "lstm", "gru"])


@click.group("reference")
def reference_group() -> None:
    """The NumPy reference implementation: equations, BPTT, gradient check, experiments."""


@reference_group.command("train")
@click.argument("data")
@click.option(
    "--format", "fmt", default="chars", show_default=True, help="chars, ids, sessions or tokens."
)
@click.option("--limit", type=POSITIVE_INT, help="chars: use only the first N characters.")
@click.option("--cell", type=CELLS, default="rnn", show_default=True)
@click.option("--hidden", "hidden_size", type=POSITIVE_INT, default=64, show_default=True)
@click.option("--seq-length", type=POSITIVE_INT, default=25, show_default=True, help="BPTT chunk.")
@click.option("--batch-size", type=POSITIVE_INT, default=16, show_default=True)
@click.option("--epochs", type=POSITIVE_INT, default=10, show_default=True)
@click.option(
    "--optimizer", type=click.Choice(["sgd", "adagrad"]), default="adagrad", show_default=True
)
@click.option("--lr", "learning_rate", type=POSITIVE, default=0.1, show_default=True)
@click.option("--clip", "grad_clip", type=NON_NEGATIVE, default=5.0, show_default=True)
@click.option(
    "--window", type=POSITIVE_INT, default=25, show_default=True, help="Context length L."
)
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Model file to write.")
@click.option(
    "--sample", type=NON_NEGATIVE_INT, default=0, help="Print a sample of this length afterwards."
)
@click.option("-v", "--verbose", is_flag=True)
@friendly_errors
def train_cmd(data, fmt, limit, out, sample, verbose, **options):
    """Train a one-layer NumPy model on DATA (pure NumPy BPTT) and save it to --out."""
    from seqrnn.reference import workflow
    from seqrnn.reference.model import save_model
    from seqrnn.reference.train import ReferenceTrainConfig

    setup_logging(verbose)
    config = from_dict(ReferenceTrainConfig, options, "options")
    sequences = workflow.read_symbols(data, fmt, limit)

    def show(row: dict) -> None:
        click.echo(f"epoch {row['epoch']}: loss {row['loss']:.4f} nats/symbol", err=True)

    model, history = workflow.train_model(sequences, config, fmt, show)
    save_model(out, model, {"train_config": options, "history": history})
    click.echo(f"wrote {out}: {model.describe()}, vocabulary {len(model.vocab)}")
    if sample:
        click.echo(repr(workflow.sample_text(model, "", sample, 0.8, seed=config.seed)))


@reference_group.command("generate")
@click.argument("model")
@click.option("--prime", default="", help="Text (chars models) or symbols to start from.")
@click.option("--length", type=POSITIVE_INT, default=200, show_default=True)
@click.option("--temperature", type=NON_NEGATIVE, default=0.8, show_default=True)
@click.option("--seed", type=SEED)
@friendly_errors
def generate_cmd(model, prime, length, temperature, seed):
    """Sample from a NumPy reference MODEL (characters are joined as text)."""
    from seqrnn.reference.model import load_model
    from seqrnn.reference.workflow import sample_text

    click.echo(prime + sample_text(load_model(model), prime, length, temperature, seed))


@reference_group.command("evaluate")
@click.argument("model")
@click.argument("data")
@click.option("--format", "fmt", help="Default: the model's training format.")
@click.option(
    "--skip", type=NON_NEGATIVE_INT, default=0, help="chars: pass over the first N characters."
)
@click.option("--limit", type=POSITIVE_INT, help="chars: use at most N characters.")
@friendly_errors
def evaluate_cmd(model, data, fmt, skip, limit):
    """Cross-entropy, perplexity and top-k accuracy of a NumPy MODEL on DATA (shared scoring)."""
    from seqrnn.reference.model import load_model
    from seqrnn.reference.workflow import evaluate, read_symbols

    m = load_model(model)
    metrics = evaluate(m, read_symbols(data, fmt or m.training_format, limit, skip))
    for key, value in metrics.to_dict().items():
        click.echo(f"{key}: {value}")


@reference_group.command("gradcheck")
@click.option("--cell", type=click.Choice(["all", "rnn", "lstm", "gru"]), default="all")
@click.option("--truncate", type=POSITIVE_INT, help="Check truncated BPTT (k steps back).")
@click.option("--seed", type=SEED, default=0, show_default=True)
@friendly_errors
def gradcheck_cmd(cell, truncate, seed):
    """Compare every parameter's BPTT gradient with central finite differences."""
    from seqrnn.reference.gradcheck import check_network

    cells = ["rnn", "lstm", "gru"] if cell == "all" else [cell]
    worst = 0.0
    for c in cells:
        for r in check_network(c, truncate=truncate, seed=seed):
            worst = max(worst, r.relative_error)
            click.echo(
                f"{c:<4} {r.name:<9} {r.entries:>3} entries  relative error {r.relative_error:.2e}"
            )
    click.echo(f"worst relative error: {worst:.2e} ({'pass' if worst < 1e-6 else 'FAIL'} at 1e-6)")


@reference_group.command("vanishing")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="PNG to write.")
@click.option("--steps", type=click.IntRange(min=2), default=60, show_default=True)
@click.option("--hidden", type=POSITIVE_INT, default=32, show_default=True)
@click.option("--seeds", type=POSITIVE_INT, default=3, show_default=True)
@friendly_errors
def vanishing_cmd(out, steps, hidden, seeds):
    """Gradient norm w.r.t. the input k steps back: plain RNN vs LSTM, as a PNG."""
    from seqrnn.reference.vanishing import VanishingConfig, plot_vanishing, vanishing_experiment

    results = vanishing_experiment(
        config=VanishingConfig(steps=steps, hidden_size=hidden, seeds=seeds)
    )
    marks = [k for k in (0, 5, 10, 20, 40, steps - 1) if k < steps]
    click.echo(f"{'k steps back':<26}" + "".join(f"{k:>10}" for k in marks))
    for label, norms in results.items():
        click.echo(f"{label:<26}" + "".join(f"{norms[k]:>10.1e}" for k in marks))
    click.echo(f"wrote {plot_vanishing(results, out)}")


@reference_group.command("counts")
@click.option(
    "--classes", type=POSITIVE_INT, default=3000, show_default=True, help="C: vocabulary size."
)
@click.option(
    "--hidden", "hidden", type=POSITIVE_INT, default=512, show_default=True, help="H: hidden size."
)
@friendly_errors
def counts_cmd(classes, hidden):
    """Parameter counts by formula, checked against PyTorch's own count."""
    from seqrnn.reference.counts import BiasConvention, parameter_count, torch_parameter_count

    click.echo(f"C = {classes}, H = {hidden}; cell + softmax read-out")
    for cell in ("rnn", "lstm", "gru"):
        for bias in (False, True):
            conv = BiasConvention.TORCH if bias else BiasConvention.NONE
            formula = parameter_count(cell, classes, hidden, conv)
            torch_n = torch_parameter_count(cell, classes, hidden, bias)
            ok = "ok" if formula == torch_n else "MISMATCH"
            click.echo(
                f"{cell:<4} biases={'yes' if bias else 'no ':<3}  "
                f"formula {formula:>12,}  torch {torch_n:>12,}  {ok}"
            )


def register(group: click.Group) -> None:
    """Add the ``reference`` group."""
    group.add_command(reference_group)
