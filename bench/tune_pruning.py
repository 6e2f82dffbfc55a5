"""What pruning buys: the same Optuna study (same seed, same trials) with the median pruner and
without one. Prints epochs trained, wall time and the best validation loss of each, and the
ratios. Run by hand from the repository root:

    OMP_NUM_THREADS=1 python bench/tune_pruning.py --trials 8 --epochs 4
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import optuna
import torch

from seqrnn.tune import tune

SAMPLE = Path(__file__).resolve().parents[1] / "src/seqrnn/sample_data/hdfs/train_normal.txt"


def study(out: Path, pruner: str, trials: int, epochs: int) -> tuple[int, float, float]:
    """(epochs trained over all trials, seconds, best val_loss) of one study."""
    data = {
        "runs_dir": str(out / "runs"),
        "data": {"train": str(SAMPLE), "window": 10, "step": 10},
        "model": {"embedding_dim": 16, "encoder": {"num_layers": 1}},
        "train": {"epochs": epochs, "batch_size": 64, "device": "cpu"},
        "search": {
            "train.learning_rate": {"type": "float", "low": 1e-5, "high": 3e-2, "log": True},
            "model.encoder.hidden_size": {"type": "int", "low": 8, "high": 64, "log": True},
        },
        "tune": {
            "out": str(out / pruner),
            "n_trials": trials,
            "seed": 0,
            "startup_trials": trials,  # random search: both studies draw the same settings
            "pruner": pruner,
            "prune_after_trials": 2,
            "prune_warmup_epochs": 1,
            "plots": False,
        },
    }
    began = time.perf_counter()
    result = tune(data)
    seconds = time.perf_counter() - began
    trained = sum(int(t.user_attrs.get("epochs", 0)) for t in result.study.get_trials())
    return trained, seconds, float(result.study.best_value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args()
    torch.set_num_threads(1)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        rows = {p: study(Path(tmp), p, args.trials, args.epochs) for p in ("none", "median")}
    print(f"{args.trials} trials of up to {args.epochs} epochs on {SAMPLE.name}")
    print(f"{'pruner':8s} {'epochs':>7s} {'seconds':>8s} {'best val_loss':>14s}")
    for name, (epochs, seconds, best) in rows.items():
        print(f"{name:8s} {epochs:7d} {seconds:8.1f} {best:14.4f}")
    (e0, s0, b0), (e1, s1, b1) = rows["none"], rows["median"]
    print(f"median/none: epochs {e1 / e0:.2f}, time {s1 / s0:.2f}, best val_loss {b1 / b0:.3f}")


if __name__ == "__main__":
    main()
