"""`seqrnn forecast train`'s default on public monthly series it was never tuned on, beside the
naive forecasts (persistence, seasonal naive) measured in the same run.

Run by hand (``OMP_NUM_THREADS=1``; a few minutes)::

    python bench/monthly_singles.py [--seeds 0 1 2]

The series ship inside statsmodels' wheel (installed with the extra ``stats``), read offline:
Mauna Loa CO2 (``stl`` test data, 1959-1987), euro-area electrical equipment orders
(``elec_equip``, 1995-2016), El Nino sea-surface temperature (``elnino``, 1950-2010), US
unemployment rate and Moody's BAA yield (Schwert's monthly series, ``tsa`` test data); the
airline series ships with seqrnn. Every run uses the README's command as a library call
(``season=12``, everything else default: 67/33 split, one-step test RMSE in original units).
It also prints how much of the test part the default's prediction intervals cover (made from
the training part's backtest errors; steps +1..+12 from every test origin), against the
nominal 95 % and 80 %.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from seqrnn.forecast import Series, config_from_dict, read_series, train

AIRLINE = Path(__file__).resolve().parents[1] / "src/seqrnn/sample_data/airline/airline.csv"
NAIVE = ("persistence", "seasonal naive")


def series() -> dict[str, np.ndarray]:
    """The six series by name, from files inside installed wheels (no download)."""
    import statsmodels  # the extra ``stats`` brings it (statsforecast depends on it)

    root = Path(statsmodels.__file__).parent
    elnino = pd.read_csv(root / "datasets/elnino/elnino.csv").iloc[:, 1:].to_numpy().ravel()
    return {
        "airline": read_series(AIRLINE).values,
        "co2 (Mauna Loa)": pd.read_csv(root / "tsa/stl/tests/results/stl_co2.csv", header=None)[
            0
        ].to_numpy(float),
        "elec_equip": pd.read_csv(root / "datasets/elec_equip/elec_equip.csv")
        .iloc[:, 1]
        .to_numpy(float),
        "elnino SST": elnino.astype(float),
        "US unemployment": pd.read_csv(root / "tsa/tests/results/UN.csv")
        .iloc[:, 0]
        .to_numpy(float),
        "BAA yield": pd.read_csv(root / "tsa/tests/results/BAA.csv").iloc[:, 0].to_numpy(float),
    }


def run(name: str, y: np.ndarray, seed: int) -> dict[str, float]:
    """Test RMSE of the default network and of every baseline on one series, and the test
    coverage of the default's 95 % and 80 % intervals (percent)."""
    settings = {"data": {"season": 12}, "train": {"seed": seed}, "runs_dir": ""}
    config = config_from_dict({**settings, "mlp_baseline": False})  # the MLP row: not needed
    result = train(config, series=Series(values=y, name=name))
    rmse = {e.name: e.metrics["test"]["rmse"] for e in result.evaluations}
    print(f"{name}, seed {seed}: default {result.choice.chosen} ({result.choice.reason})")
    default = result.default.metrics["test"]["rmse"]
    cover = {f"{k}% covers": result.coverage.get(k, np.nan) for k in ("95", "80")}
    return {"default": default, "network": rmse[result.evaluations[0].name], **rmse, **cover}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = p.parse_args()
    logging.basicConfig(level=logging.WARNING)
    torch.set_num_threads(1)
    rows = {}
    for name, y in series().items():
        runs = [run(name, y, s) for s in args.seeds]
        row = pd.DataFrame(runs).mean()
        best = min(NAIVE, key=lambda n: row[n])
        rows[name] = {
            "n": len(y),
            "default": row["default"],
            "network": row["network"],
            "best naive": row[best],
            "which naive": best,
            "ratio": row["default"] / row[best],
            "network ratio": row["network"] / row[best],
            "95% covers": row["95% covers"],
            "80% covers": row["80% covers"],
        }
    table = pd.DataFrame(rows).T
    print(f"\ntest RMSE (one step ahead, 67/33 split), mean of seeds {args.seeds}:")
    print(table.to_string())
    print(f"\nmean ratio default / best naive: {table['ratio'].astype(float).mean():.3f}")
    print(f"mean ratio network / best naive: {table['network ratio'].astype(float).mean():.3f}")
    covers = table[["95% covers", "80% covers"]].astype(float).mean()
    print(
        f"mean test coverage of the default's intervals: 95% interval {covers.iloc[0]:.1f}%, "
        f"80% interval {covers.iloc[1]:.1f}%"
    )


if __name__ == "__main__":
    main()
