"""HDFS: does ``train-detector --target-fpr F`` hold its false-alarm budget on unseen normal data?

    OMP_NUM_THREADS=1 python bench/hdfs_calibration.py [--budgets 0.001,0.01] [--small 20,100]
                                                      [--restarts N] [--data DIR]

1. All 4,855 sessions of ``hdfs_train``: the held-out scores are computed once, as
   ``--target-fpr`` does (``seqrnn.anomaly.fit.HeldOut``: the sessions owning a (window, next
   key) row no other session has are cut into 5 groups, each scored by a model trained
   without it; the others by the final model, which is exactly what a model without them
   would be), and a ``-log p`` threshold fitted for each budget. ``--restarts`` sets the
   members of every model (default: the tool's default). Printed per budget: the
   threshold, the held-out rate, and the false-positive rate on the 7,000 normal test
   sessions with the recall on the 16,838 abnormal ones; the baseline in the same run is the
   uncalibrated top-9 detector, and ``--kfold`` adds plain 5-fold cross-fitting (every
   session in the folds, the method before) as a second baseline.
2. ``--small``: models trained on n random sessions of ``hdfs_train`` (NumPy seed 0): their
   top-9 rate and recall, what ``--target-fpr`` says for each budget (refusals are printed as
   the tool prints them), and the smallest budget n sessions support, calibrated and measured.

No threshold, budget or setting is chosen from the test sessions; they are read to report.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from hdfs_deeplog import test_sessions  # the protocol's test set (bench/ is on the path)

from seqrnn.anomaly import DetectConfig, detect, detector_config_from_dict, train_detector
from seqrnn.anomaly.calibration import check_enough, fit_budget, fold_indices, min_sessions
from seqrnn.anomaly.fit import HeldOut
from seqrnn.anomaly.inputs import SessionSet
from seqrnn.data.readers import read_sessions
from seqrnn.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def measure(model, test: SessionSet, config: DetectConfig) -> str:
    m = detect(model, test, config).metrics
    return f"test FPR {m.fpr:.5f} (FP {m.fp} of {m.normal:,}), recall {m.recall:.4f}"


def calibrate(config, sessions, budgets, label, test, kfold: bool = False) -> None:
    """Held-out scores once, the final model, then each budget: fitted, or the refusal."""
    began = time.perf_counter()
    held = HeldOut.plan(config, sessions)
    if kfold:
        held = HeldOut(config, sessions, fold_indices(len(sessions), 5, 0), None)
    held.score_groups()
    wall, cpu = time.perf_counter(), time.process_time()
    model = train_detector(config).model
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{len(sessions):,} training sessions: final model in {wall:.1f} s ({cpu:.1f} s CPU)")
    print(f"  uncalibrated top-9: {measure(model, test, DetectConfig())}")
    scores = held.scores(model)
    grouped = "all" if held.grouped is None else f"{held.grouped:,}"
    print(f"  held-out: {grouped} sessions in {len(held.groups)} group models")
    for budget in budgets:
        try:
            check_enough(len(sessions), budget, label)
            cal = fit_budget(scores, budget, "nll", config.calibration.folds, held.grouped)
        except ConfigError as exc:
            print(f"  --target-fpr {budget:g}: refused: {exc}")
            continue
        detect_config = DetectConfig(method="nll", threshold=cal.threshold)
        print(
            f"  --target-fpr {budget:g}: -log p > {cal.threshold:.3f}, held-out rate "
            f"{cal.heldout_fpr:.5f}; {measure(model, test, detect_config)}"
        )
    print(f"  (held-out models and final model: {time.perf_counter() - began:.1f} s)")


def run(train_file: Path, sessions: list, budgets, restarts, test, kfold=False) -> None:
    settings = {"data": {"train": str(train_file)}, "runs_dir": ""}
    if restarts is not None:
        settings["restarts"] = {"count": restarts}
    config = detector_config_from_dict(settings)
    print(f"{train_file.name}: {config.restarts.count} member(s) per model")
    calibrate(config, sessions, budgets, str(train_file), test)
    if kfold:
        print("  baseline, plain 5-fold cross-fitting:")
        calibrate(config, sessions, budgets, str(train_file), test, kfold=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "hdfs_deeplog"))
    parser.add_argument("--budgets", default="0.001,0.01")
    parser.add_argument("--small", default="20,100")
    parser.add_argument("--restarts", type=int, default=None, help="Members per model.")
    parser.add_argument("--kfold", action="store_true", help="Also plain 5-fold (baseline).")
    parser.add_argument("--skip-full", action="store_true", help="Only the small training sets.")
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = Path(args.data)
    budgets = [float(b) for b in args.budgets.split(",")]
    test = test_sessions(data)
    full = read_sessions(data / "hdfs_train", integer=True)
    if not args.skip_full:
        run(data / "hdfs_train", full, budgets, args.restarts, test, args.kfold)
    tmp = Path(tempfile.mkdtemp(prefix="hdfs-calibration-"))
    for n in (int(x) for x in args.small.split(",") if x):
        pick = np.random.default_rng(0).choice(len(full), n, replace=False)
        subset = [full[i] for i in sorted(pick)]
        path = tmp / f"hdfs_train_{n}.txt"
        path.write_text("".join(" ".join(map(str, s)) + "\n" for s in subset))
        smallest = 3.0 / n
        print(
            f"(n = {n}: a budget needs {min_sessions(budgets[0]):,} sessions for "
            f"{budgets[0]:g}; the smallest budget n supports is {smallest:.3g})"
        )
        run(path, subset, [*budgets, smallest], args.restarts, test)
    print(f"sessions files in {tmp}")


if __name__ == "__main__":
    main()
