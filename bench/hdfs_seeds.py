"""HDFS, DeepLog protocol: the default ``train-detector`` recipe (an ensemble of 3) over seeds.

    OMP_NUM_THREADS=1 python bench/hdfs_seeds.py [--seeds 0,1,2,3,4] [--set KEY=VALUE ...]
                                                [--runs DIR] [--data ../shared/data/hdfs_deeplog]

``seqrnn train-detector --seed s`` trains members with seeds ``s, s+1, s+2`` on all 4,855
sessions of ``hdfs_train`` and answers with the median of their probabilities
(:mod:`seqrnn.anomaly.restarts`). Training is deterministic for a seed, and member ``i`` is
trained exactly as a single run of its seed, so the members of seeds 0-4 are the 7 single
runs of seeds 0-6: this bench trains each once (restarts off, in memory, or kept in
``--runs`` and reused), builds each seed's ensemble from them, prints each model's figures on
the training sessions alone (share flagged, share of swapped orders caught), then judges every
single run and every ensemble with top-9 on the 7,000 normal + 16,838 abnormal test sessions:
projected F1 (553,366 normal sessions) of the default for each seed, next to the single runs
of the same seeds (the baseline). ``--set`` overrides a config key (``train.epochs=20``).
The test set is read only after every model is built.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from hdfs_deeplog import PROJECTED_NORMAL, test_sessions  # bench/ is on the path

from seqrnn.anomaly import (
    DetectConfig,
    detect,
    detector_config_from_dict,
    load_detector,
    train_detector,
)
from seqrnn.anomaly.restarts import criterion
from seqrnn.data.readers import read_sessions
from seqrnn.models.ensemble import EnsembleNextSymbolModel
from seqrnn.nn.ensemble import MedianEnsembleNet

REPO = Path(__file__).resolve().parents[1]


def nested(pairs: list[str]) -> dict:
    """``a.b=1`` pairs as a nested dict (values parsed as JSON when they parse)."""
    out: dict = {}
    for pair in pairs:
        key, _, text = pair.partition("=")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text
        *parents, last = key.split(".")
        node = out
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    return out


def pool_model(data: Path, seed: int, settings: dict, runs: str | None):
    """Candidate ``seed`` of the recipe: one run of the defaults with that seed (restarts
    off), loaded from ``runs/<prefix><seed>`` when an earlier run left it there."""
    folder = Path(runs) / f"seed{seed}" if runs else None
    if folder is not None and (folder / "best.safetensors").is_file():
        return load_detector(folder), None, None
    settings = json.loads(json.dumps(settings))
    settings.setdefault("data", {})["train"] = str(data / "hdfs_train")
    settings.setdefault("train", {})["seed"] = seed
    settings.setdefault("restarts", {})["count"] = 1
    settings["runs_dir"] = runs or ""
    settings["name"] = f"seed{seed}"
    wall, cpu = time.perf_counter(), time.process_time()
    model = train_detector(detector_config_from_dict(settings)).model
    return model, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "hdfs_deeplog"))
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--set", action="append", default=[], help="KEY=VALUE config override")
    parser.add_argument("--runs", default=None, help="Keep (and reuse) candidate runs here.")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = Path(args.data)
    settings = nested(args.set)
    recipe = detector_config_from_dict({**settings, "data": {"train": "-"}}).restarts
    seeds = [int(s) for s in args.seeds.split(",")]
    pool = sorted({s + i for s in seeds for i in range(recipe.count)})
    train = read_sessions(data / "hdfs_train", integer=True)
    models = {}
    for seed in pool:
        model, wall, cpu = pool_model(data, seed, settings, args.runs)
        models[seed] = model
        took = "reused" if wall is None else f"trained in {wall:.1f} s wall, {cpu:.1f} s CPU"
        print(f"member seed {seed}: {took}; {on_training(model, train)}", flush=True)
    for s in seeds:
        name = f"ensemble {s}"
        models[name] = ensemble([models[s + i] for i in range(recipe.count)])
        print(f"ensemble of seeds {s}-{s + recipe.count - 1}: {on_training(models[name], train)}")
    test = test_sessions(data)  # read only now, to report
    print("model            FP    FN  projFP  projF1")
    f1 = {}
    for name, model in models.items():
        m = detect(model, test, DetectConfig()).metrics
        p = m.projected(PROJECTED_NORMAL)
        f1[name] = p.f1
        print(f"{name!s:<14} {m.fp:>4} {m.fn:>5} {p.fp:>7} {p.f1:.4f}")
    chosen = np.array([f1[f"ensemble {s}"] for s in seeds])
    single = np.array([f1[s] for s in seeds])
    print(
        f"default (median of {recipe.count}), seeds {args.seeds}: projected F1 min "
        f"{chosen.min():.4f}, mean {chosen.mean():.4f}"
    )
    print(f"one run each (no restarts):  min {single.min():.4f}, mean {single.mean():.4f}")


def ensemble(members: list) -> EnsembleNextSymbolModel:
    """The default's model for one seed, built from its members' single runs."""
    first = members[0]
    net = MedianEnsembleNet([m.net for m in members])
    return EnsembleNextSymbolModel(net, first.vocab, first.context_length, "cpu")


def on_training(model, train: list) -> str:
    """Figures on the training sessions alone (:func:`seqrnn.anomaly.restarts.criterion`)."""
    c = criterion(model, train, 9)
    return (
        f"training sessions flagged {c['training_flagged']:.4f}, "
        f"swapped orders caught {c['swaps_caught']:.4f}"
    )


if __name__ == "__main__":
    main()
