"""Text classification benchmark: every model against the bag-of-words baselines.

    rt_polarity (10,662 sentences): stratified 10-fold cross-validation
    imdb_movie_review_5000:          one fixed stratified 80/20 split, 5 seeds

Loops are fold-major (seed-major): all models finish fold 1 before any starts fold 2, so a
run cut short still compares every model on the same folds. Each result is appended to a
JSONL file as soon as it exists; ``--summarize`` prints the table from that file.

    python bench/classify_bench.py --dataset rt --out /tmp/classify_rt.jsonl
    python bench/classify_bench.py --dataset imdb --out /tmp/classify_imdb.jsonl
    python bench/classify_bench.py --dataset rt --out /tmp/classify_rt.jsonl --summarize
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.model_selection import StratifiedKFold, train_test_split

from seqrnn.classify.readers import LabelledTexts, read_labelled
from seqrnn.classify.workflow import (
    ClassifyConfig,
    ModelKind,
    evaluate,
    fit,
    preset,
    split_validation,
)
from seqrnn.config import replace
from seqrnn.train.config import TrainConfig

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BASELINES = ("nb", "logreg", "nbsvm")


def models(dataset: str) -> dict[str, ClassifyConfig]:
    """The compared configurations (small: 2 shared CPU cores)."""
    long = dataset == "imdb"
    text = {"max_length": 300 if long else 0}
    train = TrainConfig(epochs=4, batch_size=64, learning_rate=2e-3, patience=2)
    base = ClassifyConfig(model="rnn", train=train)
    base = replace(base, text=replace(base.text, **text))
    rnn = {
        "lstm": preset("lstm"),
        "gru": preset("gru"),
        "bilstm": preset("bilstm"),
        "cnn-lstm": preset("cnn-lstm"),
        "cnn-bilstm+prior": preset("cnn-bilstm-prior"),
        "bilstm+prior": preset(
            "bilstm", prior_features=True, pooling="max_mean" if long else "max"
        ),
    }
    out = {name: replace(base, model=name) for name in BASELINES}
    out.update({name: replace(base, net=net) for name, net in rnn.items()})
    return out


def load(dataset: str) -> LabelledTexts:
    if dataset == "rt":
        d = DATA / "rt_polarity"
        return read_labelled([f"pos={d}/rt-polarity.pos", f"neg={d}/rt-polarity.neg"])
    path = DATA / "imdb_movie_review_5000" / "imdb_movie_review_5000.tsv.gz"
    return read_labelled(path, text_column="review", label_column="sentiment")


def splits(dataset: str, data: LabelledTexts, folds: int, seeds: int):
    """(round, seed, train index, test index): folds for rt, seeds on one split for imdb."""
    if dataset == "rt":
        kf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
        for k, (tr, te) in enumerate(kf.split(np.zeros(len(data)), data.labels)):
            yield k, 0, tr, te
    else:
        tr, te = train_test_split(
            np.arange(len(data)), test_size=0.2, random_state=0, stratify=data.labels
        )
        for seed in range(seeds):
            yield seed, seed, tr, te


def run(args: argparse.Namespace) -> None:
    data = load(args.dataset)
    configs = models(args.dataset)
    chosen = args.models.split(",") if args.models else list(configs)
    for rnd, seed, tr, te in splits(args.dataset, data, args.folds, args.seeds):
        if rnd < args.first_round or (args.last_round is not None and rnd > args.last_round):
            continue
        for name in chosen:
            cfg = configs[name]
            is_rnn = ModelKind(cfg.model) is ModelKind.RNN
            if not is_rnn and args.dataset == "imdb" and rnd > 0:
                continue  # the baselines are deterministic: one run on the fixed split
            cfg = replace(cfg, train=replace(cfg.train, seed=seed))
            train_part, val_part = data.subset(tr), None
            if is_rnn:
                train_part, val_part = split_validation(train_part, 0.1, seed)
            fitted = fit(cfg, train_part, val_part)
            m = evaluate(fitted.model, data.subset(te))
            row = result_row(args.dataset, name, rnd, m, fitted.seconds, len(fitted.history))
            append_row(args.out, row)


def result_row(dataset: str, name: str, rnd: int, m, seconds: float, epochs: int | None) -> dict:
    """One result as the summary reads it."""
    return {
        "dataset": dataset,
        "model": name,
        "round": rnd,
        "accuracy": m.accuracy,
        "macro_f1": m.macro_f1,
        "seconds": round(seconds, 1),
        "epochs": epochs,
    }


def append_row(path: str, row: dict) -> None:
    """Append ``row`` to the JSONL file at ``path`` and print it."""
    with open(path, "a") as fh:
        fh.write(json.dumps(row) + "\n")
    print(json.dumps(row), flush=True)


def plot(stats: dict[str, tuple], title: str, path: str) -> None:
    """Bar chart of mean accuracy with one standard deviation, baselines in grey."""
    from seqrnn.plots.figures import new_figure, save_figure

    names = list(stats)
    fig, ax = new_figure(size=(7, 3.2))
    colors = ["0.6" if n in BASELINES else "tab:blue" for n in names]
    means = [stats[n][1] for n in names]
    ax.bar(names, means, yerr=[stats[n][2] for n in names], color=colors, capsize=4)
    for i, n in enumerate(names):
        ax.text(i, means[i] + 0.012, f"{means[i]:.3f}\n(n={stats[n][0]})", ha="center", size=8)
    ax.set_ylim(0.5, 1.0)
    ax.set_ylabel("test accuracy")
    ax.set_title(title)
    save_figure(fig, path)


def paired_ratio(rows: list[dict], name: str, base: str) -> float:
    """Mean accuracy of ``name`` over mean accuracy of ``base`` on the rounds both ran (the
    imdb baselines are deterministic, so their one run stands for every seed)."""
    acc = {(r["model"], r["round"]): r["accuracy"] for r in rows}
    rounds = [r for (m, r) in acc if m == name]
    base_acc = [acc.get((base, r), acc.get((base, 0))) for r in rounds]
    if rows[0]["dataset"] == "rt":
        rounds = [r for r in rounds if (base, r) in acc]
        base_acc = [acc[(base, r)] for r in rounds]
    return float(np.mean([acc[(name, r)] for r in rounds]) / np.mean(base_acc))


def print_per_round(rows: list[dict], names: list[str], width: int = 19) -> None:
    """Each model's accuracy on each fold (seed) it ran, in round order."""
    rounds = sorted({r["round"] for r in rows})
    if len(rounds) < 2:
        return
    acc = {(r["model"], r["round"]): r["accuracy"] for r in rows}
    print(f"{'per fold/seed':<{width}}" + " ".join(f"{k + 1:>6}" for k in rounds))
    for name in names:
        cells = [f"{acc[(name, k)]:.4f}" if (name, k) in acc else "     -" for k in rounds]
        print(f"{name:<{width}}" + " ".join(cells))


def summarize(path: str, plot_path: str | None = None) -> None:
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line]
    names = list(dict.fromkeys(r["model"] for r in rows))
    stats = {}
    for name in names:
        acc = np.array([r["accuracy"] for r in rows if r["model"] == name])
        f1 = np.array([r["macro_f1"] for r in rows if r["model"] == name])
        sec = np.array([r["seconds"] for r in rows if r["model"] == name])
        sd = acc.std(ddof=1) if len(acc) > 1 else 0.0
        stats[name] = (len(acc), acc.mean(), sd, f1.mean(), sec.mean())
    best_base = max((n for n in names if n in BASELINES), key=lambda n: stats[n][1], default=None)
    width = max(19, *(len(n) + 1 for n in names))  # the longest name and a space
    print(
        f"{'model':<{width}} runs  accuracy (mean ± sd)  macro-F1  train s/run  "
        "ratio to best baseline on the same folds/seeds"
    )
    for name in names:
        n, mean, sd, f1, sec = stats[name]
        ratio = f"{paired_ratio(rows, name, best_base):.3f}x" if best_base else "-"
        cells = f"{n:4d}  {mean:.4f} ± {sd:.4f}       {f1:.4f}  {sec:10.1f}  {ratio}"
        print(f"{name:<{width}}" + cells)
    if best_base:
        print(f"best baseline: {best_base} ({stats[best_base][1]:.4f})")
    print_per_round(rows, names, width)
    if plot_path:
        dataset = rows[0]["dataset"]
        plot(stats, f"{dataset}: mean test accuracy ± sd (n = folds or seeds)", plot_path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["rt", "imdb"], required=True)
    parser.add_argument("--models", help="Comma-separated subset (default: all).")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-round", type=int, default=0, help="Skip earlier folds/seeds.")
    parser.add_argument("--last-round", type=int, help="Stop after this fold/seed.")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", required=True, help="JSONL file the results are appended to.")
    parser.add_argument("--summarize", action="store_true", help="Only print the table.")
    parser.add_argument("--plot", help="Also draw the table as a bar chart (PNG) here.")
    args = parser.parse_args()
    if args.summarize:
        summarize(args.out, args.plot)
        return
    torch.set_num_threads(args.threads)
    logging.basicConfig(level=logging.WARNING)
    began = time.perf_counter()
    run(args)
    print(f"total {time.perf_counter() - began:.0f} s")
    summarize(args.out, args.plot)


if __name__ == "__main__":
    main()
