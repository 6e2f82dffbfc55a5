"""Reproduce the LSTM tutorial's airline table, next to the naive baselines and seqrnn's
recommended configuration, as mean and spread over several seeds.

Run by hand (about 15-25 minutes on one busy CPU core; ``--quick`` for a smoke run)::

    python bench/airline_table.py [--seeds 5] [--quick]

Every row uses the tutorial's split (first 67% = 96 months train) and test RMSE in passengers
(thousands). Tutorial rows use its settings: min-max scaling, ``create_dataset`` targets
(windows inside each part, last value unused), Adam (lr 1e-3), MSE, batch size 1, 100 epochs
(MLP: 400 epochs, batch 2), no gradient clipping. seqrnn differs on purpose in one respect:
the scaler is fitted on the training part only (the tutorial fitted it on the whole series).
The baselines and the recommended configuration are scored on the tutorial's look_back=1
test targets (months 97..142), the targets on which seasonal naive scores 42.32.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

import seqrnn.forecast.workflow as fw
from seqrnn.forecast import evaluate, read_series
from seqrnn.forecast.evaluation import Split, WindowMode
from seqrnn.forecast.transforms import Scaler
from seqrnn.forecast.workflow import compare_baselines, config_from_dict, train

DATA = Path(__file__).resolve().parents[1] / "src/seqrnn/sample_data/airline/airline.csv"
TUTORIAL_TRAIN = {"batch_size": 1, "epochs": 100, "learning_rate": 1e-3, "grad_clip": 0.0}
TUTORIAL_DATA = {"windows": "tutorial", "season": 12}
LSTM4 = {"cell": "lstm", "hidden_size": 4, "num_layers": 1}


def tutorial(framing: str, look_back: int, layers: int = 1) -> dict:
    """A tutorial row's config: LSTM(4) per layer, min-max, no transform."""
    return {
        "data": TUTORIAL_DATA,
        "model": {
            "framing": framing,
            "look_back": look_back,
            "encoder": {**LSTM4, "num_layers": layers},
            "transform": "none",
            "scaler": "minmax",
        },
        "train": TUTORIAL_TRAIN,
    }


ROWS: list[tuple[str, float | None, dict]] = [
    (
        "MLP window (look_back 3)",
        47.38,
        {
            "data": TUTORIAL_DATA,
            "model": {
                "architecture": "mlp",
                "mlp_hidden": [12, 8],
                "look_back": 3,
                "transform": "none",
                "scaler": "minmax",
            },
            "train": {**TUTORIAL_TRAIN, "epochs": 400, "batch_size": 2},
        },
    ),
    (
        "MLP window (3), unscaled",  # as the MLP chapter itself ran it: raw passengers
        47.38,
        {
            "data": TUTORIAL_DATA,
            "model": {"architecture": "mlp", "look_back": 3, "transform": "none", "scaler": "none"},
            "train": {**TUTORIAL_TRAIN, "epochs": 400, "batch_size": 2},
        },
    ),
    ("LSTM look_back 1", 47.53, tutorial("features", 1)),
    ("LSTM window as features (3)", 58.03, tutorial("features", 3)),
    ("LSTM time steps (3)", 58.88, tutorial("timesteps", 3)),
    ("LSTM stateful (3)", 52.23, tutorial("stateful", 3)),
    ("LSTM stacked stateful (3)", 56.35, tutorial("stateful", 3, layers=2)),
    ("MLP, recommended preprocessing", None, {"model": {"architecture": "mlp"}}),
    ("seqrnn recommended (LSTM)", None, {}),
]


def whole_series_scaler(series) -> type[Scaler]:
    """The tutorial's leak, for ``--scaler-fit all`` only: min-max fitted on all 144 values
    (test included). seqrnn itself always fits on the training part."""

    class WholeSeries(Scaler):
        @classmethod
        def fit(cls, kind, train):
            return Scaler.fit(kind, series.values[:, None])

    return WholeSeries


def run_row(series, split_targets: np.ndarray, spec: dict, seed: int, quick: bool) -> float:
    """Test RMSE of one configuration and seed."""
    spec = {
        **spec,
        "data": {"season": 12, **spec.get("data", {})},
        "train": {**spec.get("train", {}), "seed": seed},
        "runs_dir": "",
        "mlp_baseline": False,
    }
    if quick:
        spec["train"]["epochs"] = max(1, spec["train"].get("epochs", 100) // 10)
    config = config_from_dict(spec)
    result = train(config, series=series)
    if config.data.windows is WindowMode.TUTORIAL:
        return result.evaluations[0].metrics["test"]["rmse"]
    ev = evaluate(result.forecaster, series, result.split, 1, 12, test_origins=split_targets)
    return ev.metrics["test"]["rmse"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a tenth of the epochs (smoke run)")
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", help="run only the rows whose name contains this")
    parser.add_argument(
        "--scaler-fit",
        choices=["train", "all"],
        default="train",
        help="'all' refits the tutorial rows' scaler on the whole series, as the tutorial did",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    series = read_series(args.data)
    split = Split.by_fraction(len(series), 0.67, WindowMode.TUTORIAL)
    targets = split.origins("test", 1, 1, look_back=1)  # months 97..142
    base = {e.name: e.metrics["test"]["rmse"] for e in compare_baselines(series, split, 12, 1)}
    snaive = base["seasonal naive"]
    print(
        f"airline, {len(series)} months, train {split.n_train}, seeds 0..{args.seeds - 1}, "
        f"tutorial rows' scaler fitted on: {args.scaler_fit}"
    )
    print(
        f"{'row':34s} {'published':>9s} {'mean':>7s} {'std':>6s} {'min':>7s} {'max':>7s}"
        f" {'/snaive':>7s} {'s/run':>6s}"
    )
    for name, value in base.items():
        pub = {"seasonal naive": 42.32, "persistence": 48.66}.get(name)
        pub_s = f"{pub:9.2f}" if pub else f"{'-':>9s}"
        print(
            f"{name:34s} {pub_s} {value:7.2f} {0:6.2f} {value:7.2f} {value:7.2f}"
            f" {value / snaive:7.3f} {0:6.1f}"
        )
    for name, published, spec in ROWS:
        if args.only and args.only not in name:
            continue
        tutorial_row = spec.get("data", {}).get("windows") == "tutorial"
        fw.Scaler = (
            whole_series_scaler(series) if args.scaler_fit == "all" and tutorial_row else Scaler
        )
        began = time.perf_counter()
        scores = np.array(
            [run_row(series, targets, spec, s, args.quick) for s in range(args.seeds)]
        )
        per_run = (time.perf_counter() - began) / args.seeds
        pub_s = f"{published:9.2f}" if published else f"{'-':>9s}"
        std = scores.std(ddof=1) if len(scores) > 1 else 0.0
        print(
            f"{name:34s} {pub_s} {scores.mean():7.2f} {std:6.2f} {scores.min():7.2f}"
            f" {scores.max():7.2f} {scores.mean() / snaive:7.3f} {per_run:6.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
