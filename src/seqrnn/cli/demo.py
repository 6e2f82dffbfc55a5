"""``seqrnn demo``: the main job on bundled data, no download, a few seconds on a laptop."""

from __future__ import annotations

import tempfile

import click

from seqrnn.cli.common import (
    THREADS_OPTION,
    ProgressBar,
    friendly_errors,
    setup_logging,
    use_threads,
)
from seqrnn.cli.types import POSITIVE_INT
from seqrnn.data.samples import sample_path
from seqrnn.evaluation.metrics import summarize
from seqrnn.evaluation.scoring import score_sequences
from seqrnn.next_symbol import training as ns


@click.command("demo")
@click.option("--epochs", type=POSITIVE_INT, default=8, show_default=True)
@click.option(
    "--runs-dir",
    type=click.Path(file_okay=False),
    help="Where to keep the run folder (default: a temporary folder).",
)
@THREADS_OPTION
@click.option("--progress/--no-progress", default=True)
@click.option("-v", "--verbose", is_flag=True)
@friendly_errors
def demo_cmd(epochs, runs_dir, threads, progress, verbose):
    """Train a DeepLog-style LSTM on bundled HDFS log-key sessions and print its evaluation."""
    setup_logging(verbose)
    use_threads(threads)
    runs_dir = runs_dir or tempfile.mkdtemp(prefix="seqrnn-demo-")
    config = ns.run_config_from_dict(
        {
            "data": {"train": str(sample_path("hdfs", "train_normal.txt")), "window": 10},
            "model": {
                "embedding_dim": 16,
                "encoder": {"cell": "lstm", "hidden_size": 64, "num_layers": 2},
            },
            "train": {"epochs": epochs, "batch_size": 128, "learning_rate": 0.005, "seed": 0},
            "runs_dir": runs_dir,
            "name": "demo",
        }
    )
    click.echo("Training a 2x64 LSTM (window 10) on 2,000 normal HDFS sessions (bundled)...")
    result = ns.train(config, [ProgressBar()] if progress else [])
    click.echo(f"run folder: {result.run_dir}")
    for name in ("test_normal", "test_abnormal"):
        seqs = ns.encode_file(result.model, str(sample_path("hdfs", f"{name}.txt")))
        m = summarize(score_sequences(result.model, seqs), max_k=9)
        acc = ", ".join(f"top-{k} {m.top_k_accuracy[k]:.3f}" for k in (1, 3, 9))
        click.echo(
            f"{name:>13}: {len(seqs):>4} sessions, {m.positions:>6,} positions, "
            f"cross-entropy {m.cross_entropy:.3f} nats, perplexity {m.perplexity:.2f}, "
            f"{acc}"
        )
    _detection_figures(result.model)


def _detection_figures(model) -> None:
    """DeepLog-style detection on the bundled test sessions: top-g, g = 9."""
    from seqrnn.anomaly.inputs import read_session_set
    from seqrnn.anomaly.workflow import DetectConfig, detect

    sessions = read_session_set(sample_path("hdfs", "test_normal.txt"), 0)
    sessions.extend(read_session_set(sample_path("hdfs", "test_abnormal.txt"), 1))
    m = detect(model, sessions, DetectConfig(g=9)).metrics
    click.echo(
        f"detection (top-g, g=9): {m.normal} normal + {m.abnormal} abnormal sessions: "
        f"P {m.precision:.3f} R {m.recall:.3f} F1 {m.f1:.3f} (TP {m.tp}, FP {m.fp}, "
        f"FN {m.fn}, TN {m.tn})"
    )


def register(group: click.Group) -> None:
    """Add ``demo``."""
    group.add_command(demo_cmd)
