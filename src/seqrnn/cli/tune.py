"""CLI verb ``seqrnn tune``: hyper-parameter search with Optuna over a config file's
``[search]`` table; start the same command on many machines to share one study."""

from __future__ import annotations

import click

from seqrnn.cli.common import friendly_errors, setup_logging
from seqrnn.cli.types import POSITIVE, POSITIVE_INT, SEED
from seqrnn.config import load_config_file
from seqrnn.train.trainer import TrainingInterrupted
from seqrnn.tune.tasks import TASKS
from seqrnn.tune.workflow import tune


@click.command("tune")
@click.option(
    "--config",
    "config_file",
    required=True,
    type=click.Path(dir_okay=False),
    help="A task's training config plus [search] and [tune] tables (TOML/YAML/JSON).",
)
@click.option("--task", type=click.Choice(sorted(TASKS)), help="Default: tune.task or next_symbol.")
@click.option(
    "--trials", "n_trials", type=POSITIVE_INT, help="Trials for the whole study (all workers)."
)
@click.option(
    "--storage",
    help="Database URL (default sqlite:///OUT/study.db); workers given the same URL and study "
    "name share one study, e.g. postgresql://user:pw@host/db.",
)
@click.option("--study-name", help="Name of the study in the storage.")
@click.option("--out", type=click.Path(file_okay=False), help="Study folder (default: tune).")
@click.option("--timeout", type=POSITIVE, help="Seconds this worker may start new trials for.")
@click.option("--seed", type=SEED, help="TPE sampler seed (give each worker its own).")
@click.option("-v", "--verbose", is_flag=True, help="Also log every training epoch.")
@friendly_errors
def tune_cmd(config_file, verbose, **flags):
    """Search hyper-parameters; write best_config.json, trials.csv and plots into the study
    folder. Run it again to resume a stopped study."""
    setup_logging(verbose)
    try:
        result = tune(load_config_file(config_file), flags)
    except (KeyboardInterrupt, TrainingInterrupted):
        click.echo("\ninterrupted: run the same command to resume the study", err=True)
        raise SystemExit(130) from None
    rep, cfg = result.report, result.config
    counts = ", ".join(f"{n} {state}" for state, n in rep.counts.items() if n)
    click.echo(f"study {cfg.study_name!r} in {cfg.storage_shown}: {counts or 'no trials'}")
    if rep.best_config is None:
        click.echo("no trial has finished yet: no best config")
    else:
        click.echo(f"best trial {rep.best_number}: val_loss {rep.best_value:.4f}")
        for name, value in rep.best_params.items():
            shown = f"{value:.4g}" if isinstance(value, float) else value
            click.echo(f"  {name} = {shown}")
    for path in [rep.best_config, rep.trials_csv, *rep.plots]:
        if path is not None:
            click.echo(f"wrote {path}")
    if rep.best_config is not None:
        from seqrnn.tune.tasks import get_task

        click.echo(f"train it: {get_task(cfg.task).train_command} {rep.best_config}")


def register(group: click.Group) -> None:
    """Add ``tune`` to the top-level group."""
    group.add_command(tune_cmd)
