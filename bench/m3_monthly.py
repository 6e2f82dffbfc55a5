"""M3 monthly (1,428 series, h = 18): the global recurrent forecaster beside Theta, ETS,
Naive2 and seasonal naive measured in the same run, and the published figures.

Run by hand (``OMP_NUM_THREADS=1``; minutes, see bench/README.md)::

    python bench/m3_monthly.py [--series 200] [--seeds 0 1 2] [--look-backs 24 36]
                               [--deseasonalise both] [--losses pinball] [--epochs 12]
                               [--no-ets-candidate] [--no-ets] [--no-categories]
                               [--refit-off] [--plot DIR]

Protocol (SOURCE.md): train on the first N-18 values, forecast the last 18, score every series.
The choice of the default (network, Theta, ETS or a combination) and the interval width come
from a rolling-origin backtest on the *training* values only (selection.forecast_panel); the test
values are read once, for the table. ``--series K`` keeps every ``1428/K``-th series (a
development subset, the same for every run).
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from seqrnn.forecast.global_losses import POINT_LOSSES
from seqrnn.forecast.global_model import (
    COSINE,
    SEASONAL_INPUTS,
    GlobalConfig,
    GlobalForecaster,
)
from seqrnn.forecast.panel import read_m3
from seqrnn.forecast.panel_run import fan_charts, holdout
from seqrnn.forecast.quantiles import MEDIAN
from seqrnn.forecast.scoring import score_panel
from seqrnn.forecast.selection import SelectionConfig, backtest, network_eligible
from seqrnn.forecast.stats import references
from seqrnn.nn.encoder import EncoderConfig
from seqrnn.train.config import TrainConfig

DATA = Path(__file__).resolve().parents[2] / "shared/data/m3_monthly/M3C_Monthly.csv"
H = 18
PUBLISHED = {
    "Naive2 (published)": 16.91,
    "ETS (published, R forecast)": 14.29,
    "Theta (published)": 13.85,
    "ForecastPro (published)": 13.86,
    "EXP (published)": 13.43,
    "N-BEATS (published)": 13.11,
}


def main() -> None:
    args = parse()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.set_num_threads(1)
    panel = read_m3(args.data)
    if args.series:
        panel = panel.subset(np.linspace(0, len(panel) - 1, args.series).round().astype(int))
    config = SelectionConfig(
        model=GlobalConfig(
            horizon=H,
            look_backs=tuple(args.look_backs),
            seeds=tuple(args.seeds),
            max_origins=args.max_origins,
            chunk=args.chunk,
            per_epoch=args.per_epoch,
            categories=not args.no_categories,
            deseasonalise=SEASONAL_INPUTS[args.deseasonalise],
            losses=tuple(args.losses),
            encoder=EncoderConfig(hidden_size=args.hidden, num_layers=2),
            train=TrainConfig(
                epochs=args.epochs,
                batch_size=256,
                learning_rate=args.lr,
                device="cpu",
                schedule=COSINE,
            ),
        ),
        ets=not args.no_ets_candidate,
        refit=not args.refit_off,
        origins=args.origins,
        per_series=not args.global_only,
        origin_networks=args.origin_networks,
        weighted=not args.no_weighted,
    )
    began, cpu = time.perf_counter(), time.process_time()
    if args.validate:
        validate(panel.head(H), config)  # the test part is cut off first
        return
    result = holdout(panel, config)
    # the default alone (wall, CPU), without the ETS reference and the one-member row
    seconds = (time.perf_counter() - began, time.process_time() - cpu)
    one_member(panel, result)
    if not args.no_ets and "ets" not in result.scores:
        ets_reference(panel, result)
    report(panel, result, seconds)
    if args.plot:
        Path(args.plot).mkdir(parents=True, exist_ok=True)
        train = panel.head(H)
        picks = [train.ids[i] for i in np.linspace(0, len(train) - 1, 4).round().astype(int)]
        path = Path(args.plot) / "m3_fan_charts.png"
        fan_charts(train.values, result.forecast, train.ids, picks, path, panel.tails(H))
        print(f"fan charts: {path}")


def ets_reference(panel, result) -> None:
    """ETS on the final training part, for the table only (not a candidate of the default)."""
    began = time.perf_counter()
    train = panel.head(H)
    f = references(ets=True)["ets"](train.values, H, panel.season)
    result.scores["ets"] = score_panel(
        panel.tails(H), f, train.values, panel.season, None, train.ids, train.categories
    )
    result.forecast.seconds["ets reference"] = time.perf_counter() - began


def one_member(panel, result) -> None:
    """The final ensemble's first member alone (a single network), for the table only."""
    fc, train = result.forecast, panel.head(H)
    if fc.net is None or len(fc.net.members) < 2:
        return
    single = GlobalForecaster(fc.net.config, fc.net.members[:1], fc.net.vocabulary)
    skip = network_eligible(train.values, fc.net.config)
    keep = [i for i in range(len(train)) if i not in skip]
    q = fc.network_quantiles.copy()
    cats = None if train.categories is None else [train.categories[i] for i in keep]
    q[keep] = single.predict([train.values[i] for i in keep], panel.season, cats)
    lb, net = fc.net.members[0]
    name = f"network, one member (L={lb}, deseasonalised={net.deseasonalised}, {net.loss})"
    result.scores[name] = score_panel(
        panel.tails(H), q[..., MEDIAN], train.values, panel.season, q, train.ids, train.categories
    )


def validate(train, config) -> None:
    """Settings are chosen here: the rolling-origin backtest on training values only."""
    back = backtest(train.values, train.season, config, train.categories)
    print(back.table.round(3).to_string())
    print(f"decision: {back.decision.reason}; interval factor {back.factor}")
    print(f"methods: {pd.Series(back.decision.methods).value_counts().to_dict()}")


def report(panel, result, seconds) -> None:
    """Print the tables (the only printing: this is a script)."""
    fc = result.forecast
    table = result.table()
    table["smape/theta"] = table["smape"] / table.loc["theta", "smape"]
    wall, cpu = seconds
    print(
        f"M3 monthly, {len(panel)} series, h={H}; backtest + fit + forecast: {wall:.0f} s wall, "
        f"{cpu:.0f} s CPU (one thread; {len(fc.net.members) if fc.net else 0} network members)"
    )
    print(f"chosen: {fc.chosen}: {fc.reason}")
    print(f"time: {', '.join(f'{k} {v:.0f} s' for k, v in fc.seconds.items())}")
    print(f"network fallback (Theta) for {len(fc.fallback)} series: {fc.fallback}")
    print(f"\nmethod per series: {pd.Series(fc.methods).value_counts().to_dict()}")
    print("\nbacktest at the rolling origins of the training part (choice made here):")
    print(fc.backtest.round(3).to_string())
    print("\ntest (last 18 values):")
    print(table.round(3).to_string())
    for metric, digits in (("smape", 2), ("mase", 3)):
        print(f"\n{metric} per category:")
        print(result.table(by_category=True, metric=metric).round(digits).to_string())
    default = next(iter(result.scores.values()))
    worse = (default["smape"] > result.scores["naive2"]["smape"] + 1e-9).mean()
    print(f"\nseries where the default's sMAPE is above Naive2's: {100 * worse:.1f}%")
    print("published sMAPE: " + ", ".join(f"{k} {v}" for k, v in PUBLISHED.items()))


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default=str(DATA))
    p.add_argument("--series", type=int, default=0, help="development subset size (0 = all)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--look-backs", type=int, nargs="+", default=list(GlobalConfig().look_backs))
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--chunk", type=int, default=6, help="values per recurrent step")
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--max-origins", type=int, default=0, help="recent windows per series")
    p.add_argument("--per-epoch", type=int, default=30000, help="windows drawn per epoch")
    p.add_argument("--validate", action="store_true", help="backtest table only (no test)")
    p.add_argument("--no-ets-candidate", action="store_true", help="ETS may not be chosen")
    p.add_argument("--no-ets", action="store_true", help="no ETS reference row either")
    p.add_argument("--refit-off", action="store_true", help="no retraining after the backtest")
    p.add_argument("--deseasonalise", choices=list(SEASONAL_INPUTS), default="both")
    p.add_argument(
        "--losses",
        nargs="+",
        choices=POINT_LOSSES,
        default=list(GlobalConfig().losses),
        help="the median output's loss, one member per loss",
    )
    p.add_argument(
        "--no-categories",
        action="store_true",
        help="no member sees the category (by default every second one does)",
    )
    p.add_argument("--origins", type=int, default=3, help="rolling origins of the backtest")
    p.add_argument("--global-only", action="store_true", help="no per-series rule")
    p.add_argument(
        "--origin-networks", action="store_true", help="the backtest trains a network per origin"
    )
    p.add_argument(
        "--no-weighted", action="store_true", help="no mean weighted by the backtest (candidate)"
    )
    p.add_argument("--plot", default="", help="folder for fan charts of four series")
    return p.parse_args()


if __name__ == "__main__":
    main()
