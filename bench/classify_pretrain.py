"""Text classification with a pretrained encoder (issue 18) against the baselines, same folds.

    rt_polarity (10,662 sentences), stratified 10-fold CV (the folds of classify_bench.py);
        the encoder is pretrained ONCE on the 5,000 IMDB reviews (another data set, so the
        same encoder serves every fold; no rt text is read by pretraining), or with
        ``--rt-unlabelled imdb-train-part`` on the 4,000 texts of IMDB's training part only
        (the encoder the imdb rows use: one pretraining serves both data sets)
    imdb_movie_review_5000, the fixed stratified 80/20 split of classify_bench.py, 5 seeds;
        the encoder is pretrained on the training part's texts only (once, reused by seeds)

Compared on each fold / seed: naive Bayes, logistic regression, NBSVM (``nbsvm``), today's
recommended BiLSTM + prior (``bilstm+prior``), the fine-tuned pretrained network
(``lm-bilstm+prior``), the same BiLSTM + prior with its embedding started from PPMI-SVD word
vectors (``vec-bilstm+prior``: ``pretrain.method = "vectors"``, learned in seconds per fold
from the unlabelled text plus the fold's training texts, as ``fit`` would), averages of a
network with a bag-of-words model (``lm+nb``, ``bilstm+prior+nbsvm``, ``vec+nbsvm``, ...: what
``--model rnn+nb`` / ``rnn+nbsvm`` fit, computed from the members already fitted) and the
default that chooses by 3-fold cross-validation on the training part (``auto``; ``lm-auto`` /
``vec-auto`` when given the encoder / the word vectors). Rows go to a JSONL file as they
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

from seqrnn.classify import select
from seqrnn.classify.pretrain import PretrainConfig, pretrain_encoder
from seqrnn.classify.readers import read_unlabelled
from seqrnn.classify.select import BOW, AveragedClassifier
from seqrnn.classify.text import Tokenizer
from seqrnn.classify.transfer import load_encoder, save_encoder
from seqrnn.classify.vectors import word_vectors
from seqrnn.classify.workflow import (
    ClassifyConfig,
    FitResult,
    config_from_dict,
    evaluate,
    fit,
    preset,
    split_validation,
)
from seqrnn.config import replace, to_dict
from seqrnn.train.config import TrainConfig

#: rows that average two fitted members (what model "rnn+nb" fits, without fitting again)
AVERAGES = {
    "lm+nb": ("lm-bilstm+prior", "nb"),
    "lm+nbsvm": ("lm-bilstm+prior", "nbsvm"),
    "bilstm+prior+nb": ("bilstm+prior", "nb"),
    "bilstm+prior+nbsvm": ("bilstm+prior", "nbsvm"),
    "lm+bilstm+prior+nbsvm": ("lm-bilstm+prior", "bilstm+prior", "nbsvm"),
    "vec+nb": ("vec-bilstm+prior", "nb"),
    "vec+nbsvm": ("vec-bilstm+prior", "nbsvm"),
    "vec+bilstm+prior+nbsvm": ("vec-bilstm+prior", "bilstm+prior", "nbsvm"),
}
#: the network candidate of each default ("auto" rows), fitted in the same fold
AUTO_NETWORK = {
    "auto": "bilstm+prior",
    "lm-auto": "lm-bilstm+prior",
    "vec-auto": "vec-bilstm+prior",
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
    # what `classify train --unlabelled` fits: FINE_TUNING_DEFAULTS over the defaults (the
    # encoder itself is passed to fit, so the config names none)
    given = {"model": "rnn", "pretrain": {"encoder": "given"}, "text": to_dict(base.text)}
    lm = replace(config_from_dict(given), pretrain=PretrainConfig())
    return {
        "nb": replace(base, model="nb"),
        "logreg": replace(base, model="logreg"),
        "nbsvm": replace(base, model="nbsvm"),
        "bilstm+prior": replace(base, net=today),
        "lm-bilstm+prior": lm,
        "auto": replace(base, net=today, model="auto"),  # the default, no pretraining
        "lm-auto": replace(lm, model="auto"),  # the default given the pretrained encoder
        # what `classify train --unlabelled` fits (pretrain.method "vectors", the default)
        "vec-bilstm+prior": replace(base, net=today),
        "vec-auto": replace(base, net=today, model="auto"),
    }


def encoder_for(args: argparse.Namespace, texts: list[str], tag: str):
    """The cached pretrained encoder, pretrained here (and cached) on first use."""
    path = Path(args.cache) / f"{tag}.safetensors"
    if path.is_file():
        return load_encoder(path)
    net = preset("lm-bilstm-prior")
    cfg = PretrainConfig(epochs=args.lm_epochs, minutes=args.lm_minutes)
    began, cpu = time.perf_counter(), time.process_time()
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
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    row = {"pretrain": tag, "seconds": round(wall, 1), "cpu_seconds": round(cpu, 1)}
    append_row(args.out, {**row, "load": os.getloadavg(), **enc.describe()})
    return enc


def imdb_train_part() -> list[str]:
    """The texts (never the labels) of IMDB's fixed training part (classify_bench's split)."""
    imdb = load("imdb")
    _, _, tr, _ = next(splits("imdb", imdb, 1, 1))
    return imdb.subset(tr).texts


def rt_encoder(args: argparse.Namespace):
    """The encoder the rt folds start from (see the module doc)."""
    if args.rt_unlabelled == "imdb-train-part":
        return encoder_for(args, imdb_train_part(), "imdb_train_part")
    return encoder_for(args, read_unlabelled(IMDB, "review"), "imdb5000")


def vectors_for(
    args: argparse.Namespace, train_texts: list[str], rnd: int, seed: int, inner: bool = False
):
    """PPMI-SVD word vectors (``prepare_encoder`` with ``pretrain.method = "vectors"``): rt on
    the 5,000 IMDB reviews plus the fold's training texts, IMDB on its training part's texts
    only (never the test part's); the SVD is seeded with the run's seed, as ``fit`` does.
    ``inner``: the vectors of one fold of the default's choice (on that fold's training texts,
    as ``select.choose`` learns them), recorded as such."""
    cfg = configs(args.dataset)["vec-bilstm+prior"]
    unlabelled = read_unlabelled(IMDB, "review") if args.dataset == "rt" else []
    began, cpu = time.perf_counter(), time.process_time()
    enc = word_vectors(
        Tokenizer(cfg.text),
        list(train_texts) + unlabelled,
        cfg.net.embedding_dim,
        cfg.net.encoder,
        {"bench": args.dataset, "unlabelled_texts": len(unlabelled)},
        cfg.pretrain.window,  # pretrain.window, as prepare_encoder passes it
        seed=seed,
    )
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    row = {"vectors": rnd, "seconds": round(wall, 1), "cpu_seconds": round(cpu, 1)}
    row.update({"inner": True} if inner else {})
    append_row(args.out, {**row, "load": os.getloadavg(), **enc.describe()})
    return enc


def run(args: argparse.Namespace) -> None:
    data = load(args.dataset)
    compared = configs(args.dataset)
    chosen = args.models.split(",")
    encoders: dict[str, Any] = {}
    for rnd, seed, tr, te in splits(args.dataset, data, args.folds, args.seeds):
        if rnd < args.first_round or (args.last_round is not None and rnd > args.last_round):
            continue
        if "lm" not in encoders and any(n.startswith("lm") for n in chosen):
            if args.dataset == "rt":
                encoders["lm"] = rt_encoder(args)
            else:
                encoders["lm"] = encoder_for(args, data.subset(tr).texts, "imdb_train_part")
        if args.pretrain_only:
            return
        if any(n.startswith("vec") for n in chosen):  # seconds: per fold / seed, as fit would
            encoders["vec"] = vectors_for(args, data.subset(tr).texts, rnd, seed)
        fitted: dict[str, Any] = {}
        for name in chosen:
            if name in AVERAGES:  # the members' own fits, averaged (= model "rnn+nb")
                members = [fitted[m] for m in AVERAGES[name]]
                model = AveragedClassifier([f.model for f in members])
                _record(args, name, rnd, model, data.subset(te), sum(f.seconds for f in members))
                continue
            cfg = replace(compared[name], train=replace(compared[name].train, seed=seed))
            encoder = encoders.get(name.split("-")[0])  # "lm-..." / "vec-..." rows
            if name in AUTO_NETWORK and all(m in fitted for m in (*BOW, AUTO_NETWORK[name])):
                _record_auto(
                    args, name, rnd, cfg, data.subset(tr), data.subset(te), fitted, encoder
                )
                continue
            again = cfg.model in BASELINES and args.dataset == "imdb" and rnd > 0
            needed = any(name in members for members in AVERAGES.values()) or any(
                n in AUTO_NETWORK for n in chosen
            )
            if again and not needed:
                continue  # deterministic: one run on the fixed split (unless averaged below)
            train_part, val_part = data.subset(tr), None
            if cfg.model == "rnn":
                train_part, val_part = split_validation(train_part, 0.1, seed)
            fitted[name] = f = fit(cfg, train_part, val_part, encoder=encoder)
            if not again:
                _record(args, name, rnd, f.model, data.subset(te), f.seconds, f)


def _record_auto(args, name, rnd, cfg, train, test, fitted, encoder) -> None:
    """The default (model "auto"): the 3-fold choice on ``train`` (select.choose, as fit does),
    then the chosen candidate built from the members this fold already fitted on all of
    ``train``: the same fits fit_auto would repeat (same seed, same validation split)."""
    began = time.perf_counter()
    encoder_for = None  # word vectors: learned again in each inner fold, as fit_auto does
    if name.startswith("vec"):
        encoder_for = lambda texts: vectors_for(args, list(texts), rnd, cfg.train.seed, True)  # noqa: E731
    kind, means = select.choose(cfg, train, encoder, encoder_for)
    choosing = time.perf_counter() - began
    parts = [AUTO_NETWORK[name] if p == "rnn" else p for p in kind.split("+")]
    members = [fitted[p] for p in parts]
    model = (
        members[0].model if len(members) == 1 else AveragedClassifier([m.model for m in members])
    )
    seconds = choosing + sum(m.seconds for m in members)
    meta = {"chosen": kind, "selection": means}
    _record(args, name, rnd, model, test, seconds, FitResult(model, [], seconds, meta))


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
    parser.add_argument(
        "--rt-unlabelled",
        choices=["imdb5000", "imdb-train-part"],
        default="imdb5000",
        help="rt's pretraining text: all 5,000 IMDB reviews, or the 4,000 of its training part.",
    )
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
