"""NBSVM recipes against Wang & Manning 2012, chosen on the training part only.

For each round of classify_bench.py's splits (rt: the 10 folds; imdb: the fixed 80/20 split) a
stratified 3-fold CV *inside the training part* scores each recipe (``inner``, what a choice may
read); the recipe fitted on the whole training part is then scored on the test part once
(``outer``, to report); the summary also scores a choice among the recipes made per round by
the inner CV (nested). Recipes: naive Bayes; the logistic loss (liblinear, C 0.1 / 1 / 4) and
the L2-loss SVM (C 0.1 / 1) on NB-scaled binary n-gram presence, each also with the paper's
interpolation ``w' = 0.75 mean|w| + 0.25 w`` (``b.25``). ``lr C1.0`` is ``--model nbsvm``.

    python bench/nbsvm_variants.py --dataset rt --out nbsvm_rt.jsonl
    python bench/nbsvm_variants.py --dataset rt --out nbsvm_rt.jsonl --summarize
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from classify_bench import load, splits
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

from seqrnn.classify.text import TextConfig, Tokenizer


def features(args: argparse.Namespace, train: np.ndarray, test: np.ndarray):
    """Binary presence of word n-grams 1..``args.ngrams`` ([N, F] sparse, train and test)."""
    tokenizer = Tokenizer(TextConfig(max_length=0, punctuation=args.punctuation))
    vec = CountVectorizer(
        tokenizer=tokenizer.tokenize,
        lowercase=False,
        token_pattern=None,
        ngram_range=(1, args.ngrams),
        binary=True,
        max_features=args.max_features,
        dtype=np.float64,
    )
    return vec.fit_transform(train), vec.transform(test)


def predictions(X, y: np.ndarray, X_test) -> dict[str, np.ndarray]:
    """Each recipe's predicted class (0/1) of the ``X_test`` rows, fitted on ``X``, ``y``."""
    p = 1 + np.asarray(X[y == 1].sum(0)).ravel()  # [F]
    q = 1 + np.asarray(X[y == 0].sum(0)).ravel()
    r = np.log(p / p.sum()) - np.log(q / q.sum())  # the log-count ratio, alpha = 1
    Xr, Xr_test = X.multiply(r).tocsr(), X_test.multiply(r).tocsr()
    out = {"mnb": MultinomialNB(alpha=1.0).fit(X, y).predict(X_test)}
    fits = [
        (f"lr C{c}", LogisticRegression(C=c, solver="liblinear", max_iter=2000, random_state=0))
        for c in (0.1, 1.0, 4.0)
    ]
    fits += [(f"svm C{c}", LinearSVC(C=c, max_iter=5000, random_state=0)) for c in (0.1, 1.0)]
    for name, model in fits:
        model.fit(Xr, y)
        w, b = model.coef_[0], model.intercept_[0]
        out[name] = (Xr_test @ w + b > 0).astype(int)
        w = 0.25 * w + 0.75 * np.abs(w).mean()  # Wang & Manning's interpolation, beta 0.25
        out[f"{name} b.25"] = (Xr_test @ w + b > 0).astype(int)
    return out


def run(args: argparse.Namespace) -> None:
    data = load(args.dataset)
    texts = np.array(data.texts, dtype=object)
    y = (np.array(data.labels) == sorted(set(data.labels))[1]).astype(int)
    for rnd, _, tr, te in splits(args.dataset, data, 10, 1):
        began = time.process_time()
        inner: dict[str, list[float]] = {}
        folds = StratifiedKFold(3, shuffle=True, random_state=0)
        for a, b in folds.split(tr, y[tr]):
            X, X_test = features(args, texts[tr[a]], texts[tr[b]])
            for name, pred in predictions(X, y[tr[a]], X_test).items():
                inner.setdefault(name, []).append(float((pred == y[tr[b]]).mean()))
        X, X_test = features(args, texts[tr], texts[te])
        outer = {k: float((p == y[te]).mean()) for k, p in predictions(X, y[tr], X_test).items()}
        row = {
            "round": rnd,
            "features": X.shape[1],
            "cpu_seconds": round(time.process_time() - began, 1),
            "inner": {k: round(float(np.mean(v)), 4) for k, v in inner.items()},
            "outer": outer,
        }
        with open(args.out, "a") as fh:
            fh.write(json.dumps(row) + "\n")
        print(json.dumps(row), flush=True)


def summarize(path: str) -> None:
    """Mean inner and outer accuracy of each recipe over the rounds."""
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line]
    print(f"{len(rows)} rounds; {'recipe':<14} inner   outer")
    for name in rows[0]["inner"]:
        inner = np.mean([r["inner"][name] for r in rows])
        outer = np.mean([r["outer"][name] for r in rows])
        print(f"{'':>10}{name:<14} {inner:.4f}  {outer:.4f}")
    grids = {"lr C x b.25": [k for k in rows[0]["inner"] if k.startswith("lr")], "all": None}
    for grid, names in grids.items():  # the inner CV chooses per round (nested)
        picks = [max(names or r["inner"], key=r["inner"].get) for r in rows]
        outer = np.mean([r["outer"][k] for r, k in zip(rows, picks, strict=True)])
        print(f"nested choice among {grid}: outer {outer:.4f}, picks {picks}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["rt", "imdb"], required=True)
    parser.add_argument("--ngrams", type=int, default=2)
    parser.add_argument("--punctuation", choices=["split", "keep"], default="split")
    parser.add_argument("--max-features", type=int, help="Cap on n-grams [none].")
    parser.add_argument("--out", required=True)
    parser.add_argument("--summarize", action="store_true")
    args = parser.parse_args()
    if not args.summarize:
        run(args)
    summarize(args.out)


if __name__ == "__main__":
    main()
