"""CLI verbs for forecasting: ``seqrnn forecast train|evaluate|predict|compare|backtest``."""

from __future__ import annotations

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
from seqrnn.cli.forecast_global import global_cmd
from seqrnn.cli.types import FRACTION, OPEN_FRACTION, POSITIVE_INT
from seqrnn.config import replace
from seqrnn.forecast import workflow as fw
from seqrnn.forecast.assess import backtest, evaluate_saved, write_evaluation
from seqrnn.forecast.default import load_default
from seqrnn.forecast.evaluation import Split, evaluate
from seqrnn.forecast.intervals import level_names
from seqrnn.forecast.metrics import METRICS
from seqrnn.forecast.plots import horizon_figure
from seqrnn.train.distributed import is_main_process


def _choice(values: list[str]) -> click.Choice:
    return click.Choice(values)


def _train_options(fn):
    opts = [
        CONFIG_OPTION,
        click.option("--data", "data__path", help="CSV (header row) or one number per line."),
        click.option("--value-column", "data__value_column", help="Name or 0-based index."),
        click.option("--date-column", "data__date_column", help="Name or 0-based index."),
        click.option(
            "--covariate",
            "data__covariates",
            multiple=True,
            default=None,
            help="Extra input column (repeatable).",
        ),
        click.option(
            "--fill",
            "data__fill",
            type=_choice(["none", "ffill", "interpolate"]),
            help="Missing cells: refuse (default), carry forward, interpolate.",
        ),
        click.option(
            "--season", "data__season", type=POSITIVE_INT, help="Seasonal period (12 = monthly)."
        ),
        click.option("--train-fraction", "data__train_fraction", type=OPEN_FRACTION),
        click.option(
            "--val-fraction",
            "data__val_fraction",
            type=FRACTION,
            help="Hold out the last part of the training windows (val_loss).",
        ),
        click.option("--windows", "data__windows", type=_choice(["full", "tutorial"])),
        click.option("--arch", "model__architecture", type=_choice(["rnn", "mlp"])),
        click.option(
            "--framing", "model__framing", type=_choice(["features", "timesteps", "stateful"])
        ),
        click.option("--cell", "model__encoder__cell", type=_choice(["rnn", "lstm", "gru"])),
        click.option("--hidden", "model__encoder__hidden_size", type=POSITIVE_INT),
        click.option("--layers", "model__encoder__num_layers", type=POSITIVE_INT),
        click.option("--dropout", "model__encoder__dropout", type=FRACTION),
        click.option("--look-back", "model__look_back", type=POSITIVE_INT),
        click.option("--horizon", "model__horizon", type=POSITIVE_INT),
        click.option("--strategy", "model__strategy", type=_choice(["recursive", "direct"])),
        click.option(
            "--transform",
            "model__transform",
            type=_choice(["none", "diff", "seasonal_diff", "seasonal_diff+diff"]),
        ),
        click.option("--scaler", "model__scaler", type=_choice(["minmax", "standard", "none"])),
        *train_options("epochs", "batch_size", "lr", "clip", "patience", "seed", "device"),
        *train_options("runs_dir", "name", "tensorboard"),
        click.option("--mlp-baseline/--no-mlp-baseline", "mlp_baseline", default=None),
        click.option(
            "--choose/--no-choose",
            "choose",
            default=None,
            help="Backtest the network against the naive forecasts on the training part and "
            "forecast with the winner (default: on).",
        ),
    ]
    return apply_options(fn, opts)


def _config(config_file: str | None, flags: dict) -> fw.ForecastConfig:
    flags = {k: (list(v) or None) if isinstance(v, tuple) else v for k, v in flags.items()}
    return fw.config_from_dict(merge_config(config_file, flags))


def _echo_table(evaluations, parts=("train", "test")) -> None:
    """One line per forecaster and part: the five metrics in original units."""
    width = max(len(e.name) for e in evaluations)
    click.echo(f"{'forecaster':{width}s} {'part':5s} " + " ".join(f"{m:>8s}" for m in METRICS))
    for e in evaluations:
        for part in parts:
            row = e.metrics[part]
            click.echo(
                f"{e.name:{width}s} {part:5s} " + " ".join(f"{row[m]:8.3f}" for m in METRICS)
            )


@click.command("train")
@_train_options
@RESUME_OPTION
@THREADS_OPTION
@click.option("--progress/--no-progress", default=False, help="Per-epoch lines on stderr.")
@click.option("-v", "--verbose", is_flag=True)
@friendly_errors
def train_cmd(config_file, resume, threads, progress, verbose, **flags):
    """Train a forecaster; prints the run folder and its metrics beside the baselines."""
    setup_logging(verbose)
    use_threads(threads)
    config = fw.resume_config(resume) if resume else _config(config_file, flags)
    callbacks = train_callbacks(progress)
    result = interruptible("forecast train", lambda: fw.train(config, callbacks, resume=resume))
    if not is_main_process():
        return
    click.echo(f"run folder: {result.run_dir}")
    if result.choice is not None and result.default is not None:
        click.echo(f"default: {result.choice.chosen} ({result.choice.reason})")
        _echo_table([result.default, *result.evaluations])
        _echo_intervals(result)
    else:
        _echo_table(result.evaluations)


def _echo_intervals(result: fw.ForecastResult) -> None:
    """Where the default's intervals come from and how much of the test part they cover."""
    if result.intervals is None:
        click.echo("intervals: none (the training part was too short to backtest)")
        return
    cov, i = result.coverage, result.intervals
    click.echo(f"intervals: {i.count} backtest errors per step, steps +1..+{i.steps}")
    if cov.get("values"):
        click.echo(
            f"test part, steps +1..+{i.steps}: the 95% interval covers {cov['95']:.1f}%, "
            f"the 80% interval {cov['80']:.1f}% of {int(cov['values'])} values"
        )


@click.command("evaluate")
@click.argument("model")
@click.option("--data", help="Series to evaluate on (default: the one it was trained on).")
@click.option("--out", type=click.Path(file_okay=False), help="Write metrics.json and a PNG.")
@friendly_errors
def evaluate_cmd(model, data, out):
    """Metrics of MODEL (file or run folder) on its split, beside the baselines."""
    evals, series = evaluate_saved(model, data)
    _echo_table(evals)
    if out:
        for p in write_evaluation(out, evals, series):
            click.echo(f"wrote {p}")


@click.command("predict")
@click.argument("model")
@click.option("--data", help="History to forecast from (default: the training file).")
@click.option("--horizon", type=POSITIVE_INT, help="Steps ahead (default: the model's horizon).")
@click.option("--plot", type=click.Path(dir_okay=False), help="Save the forecast as PNG.")
@friendly_errors
def predict_cmd(model, data, horizon, plot):
    """Forecast the steps after the end of the series with the run's default (the network, or
    the naive forecast its training backtest chose): a header, then one line per step, tab
    separated: step, point forecast and the quantiles q0.025 q0.1 q0.5 q0.9 q0.975 (the 95 %
    and 80 % intervals and the median, from the backtest's errors; '-' where there are none)."""
    run = load_default(model)
    data_cfg = replace(run.data, path=data) if data else run.data
    series = fw.load_series(data_cfg)
    if run.choice is not None and run.choice.chosen != "network":
        click.echo(f"default: {run.choice.chosen} ({run.choice.reason})", err=True)
    p = run.predict(series, horizon)
    if p.quantiles is None:
        click.echo(p.note, err=True)
    click.echo("\t".join(["step", "forecast", *level_names()]))
    for k, value in enumerate(p.point):
        q = p.quantiles[k] if p.quantiles is not None else [float("nan")] * len(level_names())
        cells = [f"{v:.4f}" if v == v else "-" for v in q]  # NaN: no interval that far
        click.echo("\t".join([f"+{k + 1}", f"{value:.4f}", *cells]))
    if plot:
        horizon_figure(series, p.point, len(series), plot, run.forecaster.name)


@click.command("compare")
@click.argument("data")
@click.argument("models", nargs=-1)
@click.option("--season", type=POSITIVE_INT, default=1, show_default=True)
@click.option("--train-fraction", type=OPEN_FRACTION, default=0.67, show_default=True)
@click.option("--windows", type=_choice(["full", "tutorial"]), default="full", show_default=True)
@click.option("--horizon", type=POSITIVE_INT, default=1, show_default=True)
@friendly_errors
def compare_cmd(data, models, season, train_fraction, windows, horizon):
    """The naive baselines (and any trained MODELS) on DATA, same split, same targets."""
    series = fw.load_series(fw.DataConfig(path=data))
    split = Split.by_fraction(len(series), train_fraction, windows)
    evals = []
    for path in models:
        f, _ = fw.load_model(path)
        evals.append(evaluate(f, series, split, horizon, season, 1))
    evals += fw.compare_baselines(series, split, season, horizon)
    _echo_table(evals)


@click.command("backtest")
@_train_options
@click.option("--folds", type=POSITIVE_INT, default=5, show_default=True)
@click.option(
    "--initial",
    type=POSITIVE_INT,
    help="Training length of the first fold (default: the train fraction of the series).",
)
@click.option("--step", "step_", type=POSITIVE_INT, default=1, show_default=True)
@click.option(
    "--steps-ahead", type=POSITIVE_INT, default=1, show_default=True, help="Forecast horizon."
)
@friendly_errors
def backtest_cmd(config_file, folds, initial, step_, steps_ahead, **flags):
    """Rolling-origin backtest: refit on a growing history, forecast the next steps."""
    config = _config(config_file, {**flags, "runs_dir": ""})
    results = backtest(config, None, folds, initial, step_, steps_ahead)
    width = max(len(r.name) for r in results)
    click.echo(f"{'forecaster':{width}s} " + " ".join(f"{m:>8s}" for m in METRICS) + "  RMSE/fold")
    for r in results:
        folds_txt = " ".join(f"{row['rmse']:.1f}" for row in r.folds)
        click.echo(
            f"{r.name:{width}s} "
            + " ".join(f"{r.mean[m]:8.3f}" for m in METRICS)
            + f"  {folds_txt}"
        )


def register(cli: click.Group) -> None:
    """Add the ``forecast`` group to the ``seqrnn`` command."""

    @cli.group("forecast")
    def forecast() -> None:
        """Time-series forecasting with recurrent networks, beside naive baselines."""

    for cmd in (train_cmd, evaluate_cmd, predict_cmd, compare_cmd, backtest_cmd):
        forecast.add_command(cmd)
    forecast.add_command(global_cmd)  # many series at once (cli/forecast_global.py)
