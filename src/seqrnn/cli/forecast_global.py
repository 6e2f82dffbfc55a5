"""``seqrnn forecast global``: one recurrent network for a whole panel of series, chosen
against Theta and the naive references by a backtest on the training values."""

from __future__ import annotations

from pathlib import Path

import click

from seqrnn.cli.common import THREADS_OPTION, friendly_errors, setup_logging, use_threads
from seqrnn.cli.types import POSITIVE_INT, SEED
from seqrnn.forecast.global_io import save_global
from seqrnn.forecast.global_losses import POINT_LOSSES
from seqrnn.forecast.global_model import COSINE, SEASONAL_INPUTS, GlobalConfig
from seqrnn.forecast.panel import read_m3, read_panel
from seqrnn.forecast.panel_run import fan_charts, forecasts_csv, holdout
from seqrnn.forecast.readers import Fill
from seqrnn.forecast.selection import SelectionConfig, forecast_panel
from seqrnn.io.atomic import atomic_write_text
from seqrnn.nn.encoder import EncoderConfig
from seqrnn.train.config import TrainConfig


@click.command("global")
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--m3", is_flag=True, help="DATA is in the M3 wide layout (Series,N,NF,...).")
@click.option("--id-column", default="unique_id", show_default=True)
@click.option("--date-column", default="ds", show_default=True)
@click.option("--value-column", default="y", show_default=True)
@click.option("--fill", type=click.Choice(["none", "ffill", "interpolate"]), default="none")
@click.option("--season", type=POSITIVE_INT, help="Seasonal period (default: from the dates).")
@click.option("--horizon", type=POSITIVE_INT, required=True)
@click.option(
    "--look-back",
    "look_backs",
    type=POSITIVE_INT,
    multiple=True,
    default=GlobalConfig().look_backs,
    show_default=True,
)
@click.option("--seed", "seeds", type=SEED, multiple=True, default=(0,), show_default=True)
@click.option("--epochs", type=POSITIVE_INT, default=12, show_default=True)
@click.option(
    "--chunk", type=POSITIVE_INT, default=6, show_default=True, help="Values per RNN step."
)
@click.option(
    "--deseasonalise",
    type=click.Choice(["both", "yes", "no"]),
    default="both",
    show_default=True,
    help="Members on deseasonalised inputs, on raw log inputs, or one of each kind.",
)
@click.option(
    "--loss",
    "losses",
    type=click.Choice(POINT_LOSSES),
    multiple=True,
    default=GlobalConfig().losses,
    show_default=True,
    help="Training loss of the point (median) output, one member per loss (the other "
    "quantiles: pinball). mase: absolute error in original units over the series' scale.",
)
@click.option(
    "--categories/--no-categories",
    default=GlobalConfig().categories,
    show_default=True,
    help="Each series' category (M3) as an input of every second network member (they err "
    "differently from the others).",
)
@click.option(
    "--ets/--no-ets",
    default=True,
    show_default=True,
    help="ETS and the mean network+DOTM+ETS as candidates (needs statsforecast; ~6 CPU-min "
    "on M3 monthly's 1,428 series).",
)
@click.option(
    "--weighted/--no-weighted",
    default=SelectionConfig().weighted,
    show_default=True,
    help="The mean of network, DOTM and ETS weighted by the backtest as a candidate (its "
    "backtest score cross-fitted: each origin weighted by the others).",
)
@click.option("--holdout", "hold", is_flag=True, help="Score on the last HORIZON values.")
@click.option("--out", type=click.Path(file_okay=False), default="panel_forecast")
@click.option(
    "--save",
    type=click.Path(dir_okay=False),
    help="Write the final network here (a checkpoint: seqrnn.forecast.load_global reads it).",
)
@click.option("--plot", "plots", multiple=True, help="Series id to draw a fan chart of.")
@THREADS_OPTION
@click.option("-v", "--verbose", is_flag=True)
@friendly_errors
def global_cmd(data, m3, id_column, date_column, value_column, fill, season, horizon, **opts):
    """Train one network on every series of DATA, choose the default by backtest, forecast."""
    setup_logging(opts.pop("verbose"))
    use_threads(opts.pop("threads"))
    if m3:
        panel = read_m3(data, season or 12)
    else:
        panel = read_panel(data, id_column, date_column, value_column, Fill(fill), season)
    config = SelectionConfig(
        model=GlobalConfig(
            horizon=horizon,
            look_backs=opts["look_backs"],
            seeds=opts["seeds"],
            chunk=opts["chunk"],
            min_input=min(12, min(opts["look_backs"])),
            categories=opts["categories"],
            deseasonalise=SEASONAL_INPUTS[opts["deseasonalise"]],
            losses=opts["losses"],
            encoder=EncoderConfig(hidden_size=64, num_layers=2),
            train=TrainConfig(
                epochs=opts["epochs"], batch_size=256, learning_rate=3e-3, schedule=COSINE
            ),
        ),
        ets=opts["ets"],
        weighted=opts["weighted"],
    )
    out = Path(opts["out"])
    out.mkdir(parents=True, exist_ok=True)
    if opts["hold"]:
        result = holdout(panel, config)
        click.echo(result.table().round(3).to_string())
        fc, train, test = result.forecast, panel.head(horizon), panel.tails(horizon)
    else:
        train, test = panel, None
        fc = forecast_panel(panel.values, panel.season, config, panel.ids, panel.categories)
    click.echo(f"chosen: {fc.chosen} ({fc.reason})")
    for sid, why in fc.fallback.items():
        click.echo(f"fallback to theta: series {sid}: {why}")
    atomic_write_text(out / "forecasts.csv", forecasts_csv(train.ids, fc))
    if opts["save"] and fc.net is not None:
        save_global(opts["save"], fc.net, panel.season)
        click.echo(f"network: {opts['save']}")
    if opts["plots"]:
        fan_charts(train.values, fc, train.ids, list(opts["plots"]), out / "fan_charts.png", test)
    click.echo(f"forecasts: {out / 'forecasts.csv'}")
