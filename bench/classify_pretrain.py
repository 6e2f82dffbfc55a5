"""Text classification with a pretrained encoder (issue 18) against the baselines, same folds.

    rt_polarity (10,662 sentences), stratified 10-fold CV (the folds of classify_bench.py);
        the encoder is pretrained ONCE on the 5,000 IMDB reviews (another data set, so the
        same encoder serves every fold; no rt text is read by pretraining)
    imdb_movie_review_5000, the fixed stratified 80/20 split of classify_bench.py, 5 seeds;
        the encoder is pretrained on the training part's texts only (once, reused by seeds)

Compared on each fold / seed: naive Bayes, logistic regression, NBSVM (``nbsvm``), today's
recommended BiLSTM + prior (``bilstm+prior``), the fine-tuned pretrained network
(``lm-bilstm+prior``), averages of a network with a bag-of-words model (``lm+nb``,
``bilstm+prior+nbsvm``, ...: what ``--model rnn+nb`` / ``rnn+nbsvm`` fit, computed from the
members already fitted) and the default that chooses by 3-fold cross-validation on the
training part (``auto``; ``lm-auto`` when given the encoder). Rows go to a JSONL file as they
finish; the summary is classify_bench.py's.

    OMP_NUM_THREADS=1 python bench/classify_pretrain.py --dataset rt --out rt_lm.jsonl
    python bench/classify_bench.py --dataset rt --out rt_lm.jsonl --summarize
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from classify_bench import BASELINES, DATA, append_row, load, result_row, splits, summarize

from seqrnn.classify.pretrain import PretrainConfig, pretrain_encoder
from seqrnn.classify.readers import read_unlabelled
from seqrnn.classify.select import AveragedClassifier
from seqrnn.classify.text import Tokenizer
from seqrnn.classify.transfer import load_encoder, save_encoder
from seqrnn.classify.workflow import ClassifyConfig, evaluate, fit, preset, split_validation
from seqrnn.config import replace
from seqrnn.train.config import TrainConfig
from seqrnn.train.schedule import Decay, ScheduleConfig

#: rows that average two fitted members (what model "rnn+nb" fits, without fitting again)
AVERAGES = {
    "lm+nb": ("lm-bilstm+prior", "nb"),
    "lm+nbsvm": ("lm-bilstm+prior", "nbsvm"),
    "bilstm+prior+nb": ("bilstm+prior", "nb"),
    "bilstm+prior+nbsvm": ("bilstm+prior", "nbsvm"),
    "lm+bilstm+prior+nbsvm": ("lm-bilstm+prior", "bilstm+prior", "nbsvm"),
}
IMDB = DATA / "imdb_movie_review_5000" / "imdb_movie_review_5000.tsv.gz"


def configs(dataset: str) -> dict[str, ClassifyConfig]:
    """The compared settings (baselines and today's network as in classify_bench.py)."""
    long = dataset == "imdb"
    base = ClassifyConfig(
        model="rnn", train=TrainConfig(epochs=4, batch_size=64, learning_rate=2e-3, patience=2)
    )
    base = replace(base, text=replace(base.text, max_length=300 if long else 0))
    today = preset("bilstm", prior_features=True, pooling="max_mean" if long else "max")
    schedule = ScheduleConfig(decay=Decay.LINEAR, warmup_steps=30, final_fraction=0.05)
    tune = TrainConfig(epochs=5, batch_size=64, learning_rate=3e-3, patience=2, schedule=schedule)
    lm = replace(base, net=preset("lm-bilstm-prior"), train=tune)
    return {
        "nb": replace(base, model="nb"),
        "logreg": replace(base, model="logreg"),
        "nbsvm": replace(base, model="nbsvm"),
        "bilstm+prior": replace(base, net=today),
        "lm-bilstm+prior": lm,
        "auto": replace(base, net=today, model="auto"),  # the default, no pretraining
        "lm-auto": replace(lm, model="auto"),  # the default given the pretrained encoder
    }


def encoder_for(args: argparse.Namespace, texts: list[str], tag: str):
    """The cached pretrained encoder, pretrained here (and cached) on first use."""
    path = Path(args.cache) / f"{tag}.safetensors"
    if path.is_file():
        return load_encoder(path)
    net = preset("lm-bilstm-prior")
    cfg = PretrainConfig(epochs=args.lm_epochs, minutes=args.lm_minutes)
    began = time.perf_counter()
    enc = pretrain_encoder(
        cfg,
        Tokenizer(configs(args.dataset)["nb"].text),
        net.embedding_dim,
        net.encoder,
        texts,
        {"bench": tag},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    save_encoder(enc, path)
    row = {"pretrain": tag, "seconds": round(time.perf_counter() - began, 1), **enc.describe()}
    append_row(args.out, row)
    return enc


def run(args: argparse.Namespace) -> None:
    data = load(args.dataset)
    compared = configs(args.dataset)
    chosen = args.models.split(",")
    encoder = None
    for rnd, seed, tr, te in splits(args.dataset, data, args.folds, args.seeds):
        if rnd < args.first_round or (args.last_round is not None and rnd > args.last_round):
            continue
        if encoder is None and any(n.startswith("lm") for n in chosen):
            if args.dataset == "rt":
                encoder = encoder_for(args, read_unlabelled(IMDB, "review"), "imdb5000")
            else:
                encoder = encoder_for(args, data.subset(tr).texts, "imdb_train_part")
        if args.pretrain_only:
            return
        fitted: dict[str, Any] = {}
        for name in chosen:
            if name in AVERAGES:  # the members' own fits, averaged (= model "rnn+nb")
                members = [fitted[m] for m in AVERAGES[name]]
                model = AveragedClassifier([f.model for f in members])
                _record(args, name, rnd, model, data.subset(te), sum(f.seconds for f in members))
                continue
            cfg = compared[name]
            again = cfg.model in BASELINES and args.dataset == "imdb" and rnd > 0
            if again and not any(name in members for members in AVERAGES.values()):
                continue  # deterministic: one run on the fixed split (unless averaged below)
            cfg = replace(cfg, train=replace(cfg.train, seed=seed))
            train_part, val_part = data.subset(tr), None
            if cfg.model == "rnn":
                train_part, val_part = split_validation(train_part, 0.1, seed)
            uses = name.startswith("lm")
            fitted[name] = f = fit(cfg, train_part, val_part, encoder=encoder if uses else None)
            if not again:
                _record(args, name, rnd, f.model, data.subset(te), f.seconds, f)


def _record(args, name, rnd, model, test, seconds, fitted=None) -> None:
    """Score ``model`` on ``test`` and append the row to ``args.out``."""
    epochs = len(fitted.history) if fitted else None
    row = result_row(args.dataset, name, rnd, evaluate(model, test), seconds, epochs)
    if fitted is not None and "chosen" in fitted.meta:
        row.update(chosen=fitted.meta["chosen"], selection=fitted.meta["selection"])
    append_row(args.out, row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["rt", "imdb"], required=True)
    parser.add_argument(
        "--models", default="nb,logreg,bilstm+prior,lm-bilstm+prior,lm+nb,bilstm+prior+nb"
    )
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-round", type=int, default=0)
    parser.add_argument("--last-round", type=int)
    parser.add_argument("--lm-epochs", type=int, default=2)
    parser.add_argument("--lm-minutes", type=float, help="Time budget per LM direction.")
    parser.add_argument("--cache", default="runs/bench_encoders", help="Pretrained encoders.")
    parser.add_argument("--out", required=True)
    parser.add_argument("--pretrain-only", action="store_true", help="Cache the encoder, stop.")
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    began = time.perf_counter()
    run(args)
    if args.pretrain_only:
        return
    print(f"total {time.perf_counter() - began:.0f} s; load {os.getloadavg()}")
    rows = [json.loads(x) for x in Path(args.out).read_text().splitlines() if x]
    scored = Path(args.out).with_suffix(".scores.jsonl")
    scored.write_text("".join(json.dumps(r) + "\n" for r in rows if "accuracy" in r))
    summarize(str(scored))
    np.set_printoptions()


if __name__ == "__main__":
    main()
