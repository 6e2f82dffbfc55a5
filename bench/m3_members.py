"""Which network members and which combination: the M3 monthly backtest of the *training* part,
one member at a time, each member's forecasts cached so that ensembles and combinations are
scored without training again.

Run by hand (``OMP_NUM_THREADS=1``; about 20 CPU-s per member, see bench/README.md)::

    python bench/m3_members.py --cache /tmp/m3cache --members 24:y:pinball:0 36:n:smape:0
    python bench/m3_members.py --cache /tmp/m3cache --ensemble 24:y:pinball:0,36:n:smape:0
    python bench/m3_members.py --cache /tmp/m3cache --stats ets ces --combine median:dotm+ets+ces
    python bench/m3_members.py --cache /tmp/m3cache --stats ets ces \
        --ensemble 24:y:pinball:0,36:n:smape:0 --combine median:net+dotm+ets

A member is ``look-back:deseasonalised (y/n):loss:seed[:option...]`` (options in
:func:`member_config`, e.g. ``cK``: ``K`` values per recurrent step instead of the
default's). The test part (last 18 values) is
cut off before anything else and never read: every series is cut at the 3 rolling origins of
``seqrnn forecast global``'s backtest (6 values apart, the last one 18 values before the end of
the training part), the member is trained on the values before the first origin and forecasts
from all three, as in :func:`seqrnn.forecast.selection.backtest`. Scores: mean ``smape_abs``
over every (origin, series), as the default chooses.
"""

from __future__ import annotations

import argparse
import logging
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from seqrnn.forecast.global_model import GlobalConfig, fit_global
from seqrnn.forecast.origins import cut_origins
from seqrnn.forecast.panel import read_m3
from seqrnn.forecast.quantiles import MEDIAN
from seqrnn.forecast.selection import network_eligible
from seqrnn.forecast.stats import references
from seqrnn.nn.encoder import Cell

DATA = Path(__file__).resolve().parents[2] / "shared/data/m3_monthly/M3C_Monthly.csv"
H, ORIGINS, STEP = 18, 3, 6


def main() -> None:
    args = parse()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    import torch

    torch.set_num_threads(1)
    train = read_m3(args.data).head(H)  # the test part is cut off first, never read
    cuts = cut_origins(train.values, H, ORIGINS, STEP)
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    stats = statistics(cuts, train.season, cache)
    for name in args.stats:
        stats[name] = statistic(name, cuts, train.season, cache)
    for spec in args.members:
        member(spec, cuts, train.season, cache, train.categories or [])
    truth = cuts.truth.reshape(-1, H)
    rows = {name: scores(truth, f) for name, f in stats.items()}
    for k, text in enumerate(args.ensemble):
        net = ensemble(text.split(","), cache, stats["theta"])
        rows[f"net{k}[{text}]"] = scores(truth, net)
        for others in (("dotm",), ("theta",), ("theta", "dotm")):
            parts = [net, *(stats[o] for o in others)]
            rows[f"  mean net{k}+{'+'.join(others)}"] = scores(truth, np.mean(parts, axis=0))
            if len(parts) > 2:
                rows[f"  median net{k}+{'+'.join(others)}"] = scores(
                    truth, np.median(parts, axis=0)
                )
        for text in args.combine:
            how, parts = text.split(":")
            if "net" not in parts.split("+"):
                continue
            f = combine(how, [net if p == "net" else stats[p] for p in parts.split("+")])
            rows[f"  {how} net{k}+{parts.replace('net+', '')}"] = scores(truth, f)
        w = nested_weight(truth, net, stats["dotm"])
        rows[f"  nested weight net{k}/dotm"] = (np.nan, np.nan, np.nan, w)
    for text in args.combine:
        how, parts = text.split(":")
        if "net" not in parts.split("+"):
            f = combine(how, [stats[p] for p in parts.split("+")])
            rows[f"{how} {parts}"] = scores(truth, f)
    print(f"{'all':>8} {'o1':>8} {'o2':>8} {'o3':>8}  (mean smape_abs: all origins, each one)")
    for name, row in rows.items():
        print(" ".join(f"{v:8.3f}" for v in row) + f"  {name}")


def scores(truth: np.ndarray, f: np.ndarray) -> tuple[float, ...]:
    """Mean ``smape_abs`` over all origins, then over each origin."""
    S = len(truth) // ORIGINS
    each = [smape_abs(truth[o * S : (o + 1) * S], f[o * S : (o + 1) * S]) for o in range(ORIGINS)]
    return (smape_abs(truth, f), *each)


def combine(how: str, parts: list[np.ndarray]) -> np.ndarray:
    """The ``median`` or ``mean`` of point forecasts ``[O * S, H]``."""
    if how not in ("median", "mean"):
        raise SystemExit(f"--combine: {how!r} is not median or mean")
    return np.median(parts, axis=0) if how == "median" else np.mean(parts, axis=0)


def statistics(cuts, season: int, cache: Path) -> dict[str, np.ndarray]:
    """Theta, DOTM, Naive2 and seasonal naive at every origin ``[O * S, H]`` (cached)."""
    path = cache / "stats.npz"
    if path.exists():
        return dict(np.load(path))
    began = time.process_time()
    out = {}
    for name, fn in references(ets=False).items():
        out[name] = np.concatenate([fn(head, H, season) for head in cuts.heads])
    np.savez(path, **out)
    logging.info("statistics: %.0f CPU-s", time.process_time() - began)
    return out


def statistic(name: str, cuts, season: int, cache: Path) -> np.ndarray:
    """One more statsforecast model (``ets``, ``ces``, ``arima``) at every origin ``[O * S, H]``
    (cached, its CPU logged)."""
    path = cache / f"stat_{name}.npy"
    if path.exists():
        return np.load(path)
    began = time.process_time()
    fn = references(ets=False, extra=(name,))[name]
    out = np.concatenate([fn(head, H, season) for head in cuts.heads])
    np.save(path, out)
    logging.info("%s: %.0f CPU-s (%d origins)", name, time.process_time() - began, ORIGINS)
    return out


def member(spec: str, cuts, season: int, cache: Path, categories: list[str]) -> None:
    """Train one member before the first origin, save its log quantiles at every origin
    ``[O * S, H, Q]`` (NaN where the network cannot take the series)."""
    path = cache / f"{spec.replace(':', '_')}.npy"
    if path.exists():
        return
    config = member_config(spec)
    cats = categories if config.categories else None
    if "shuf" in spec.split(":")[4:]:  # a control: the categories dealt out to random series
        cats = [categories[i] for i in np.random.default_rng(0).permutation(len(categories))]
    began = time.process_time()
    first = cuts.heads[0]
    keep = eligible(first, config)
    net = fit_global([first[i] for i in keep], season, config, pick(cats, keep))
    out = []
    for head in cuts.heads:
        q = np.full((len(head), H, 5), np.nan)
        keep = eligible(head, config)
        q[keep] = np.log(net.predict([head[i] for i in keep], season, pick(cats, keep)))
        out.append(q)
    np.save(path, np.concatenate(out))
    logging.info("member %s: %.0f CPU-s", spec, time.process_time() - began)


def pick(categories: list[str] | None, keep: list[int]) -> list[str] | None:
    return None if categories is None else [categories[i] for i in keep]


def member_config(spec: str) -> GlobalConfig:
    """``look-back:y|n:loss:seed[:option...]``; options (the default's value when absent):
    ``cK`` chunk, ``oN`` max_origins, ``mN`` min_input, ``eN`` epochs, ``hN`` hidden size,
    ``dX`` dropout between layers, ``pN`` windows per epoch, ``lrX`` learning rate, ``gru``
    GRU cells, ``cat`` the category as an input, ``shuf`` the same with the categories
    shuffled among the series (a control: the same number of each, no information)."""
    look_back, flag, loss, seed, *options = spec.split(":")
    base = GlobalConfig()
    fields: dict = {}
    encoder, train = {}, {}
    for o in options:
        if o == "gru":
            encoder["cell"] = Cell.GRU
        elif o in ("cat", "shuf"):
            fields.update(categories=True, category_every=1)
        elif o.startswith("lr"):
            train["learning_rate"] = float(o[2:])
        elif o[0] in "comp":
            key = {"c": "chunk", "o": "max_origins", "m": "min_input", "p": "per_epoch"}[o[0]]
            fields[key] = int(o[1:])
        elif o[0] == "e":
            train["epochs"] = int(o[1:])
        elif o[0] in "hd":
            key, cast = ("hidden_size", int) if o[0] == "h" else ("dropout", float)
            encoder[key] = cast(o[1:])
        else:
            raise SystemExit(f"member {spec!r}: unknown option {o!r}")
    return GlobalConfig(
        horizon=H,
        look_backs=(int(look_back),),
        seeds=(int(seed),),
        deseasonalise=(flag == "y",),
        losses=(loss,),
        encoder=replace(base.encoder, **encoder),
        train=replace(base.train, **train),
        **fields,
    )


def eligible(head: list[np.ndarray], config: GlobalConfig) -> list[int]:
    """Positions of the series the network can take."""
    skip = network_eligible(head, config)
    return [i for i in range(len(head)) if i not in skip]


def ensemble(specs: list[str], cache: Path, fill: np.ndarray) -> np.ndarray:
    """The members' median forecast: mean of their log quantiles, as GlobalForecaster does
    (Theta where the network cannot go)."""
    logs = np.mean([np.load(cache / f"{s.replace(':', '_')}.npy") for s in specs], axis=0)
    point = np.exp(np.sort(logs, axis=-1)[..., MEDIAN])
    return np.where(np.isfinite(point), point, fill)


def smape_abs(truth: np.ndarray, f: np.ndarray) -> float:
    """Mean over scored rows of each row's mean ``200 |y - f| / (|y| + |f|)``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        e = 200 * np.abs(truth - f) / (np.abs(truth) + np.abs(f))
        rows = np.nanmean(np.where(np.isfinite(truth), e, np.nan), axis=1)
    return float(np.nanmean(rows))


def nested_weight(truth: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """The weight of ``a`` in ``w a + (1 - w) b`` chosen on the first two origins, scored on
    the last (one weight for all steps, grid of 0.1)."""
    S = len(truth) // ORIGINS
    early, last = slice(0, (ORIGINS - 1) * S), slice((ORIGINS - 1) * S, None)
    grid = np.round(np.arange(0, 1.01, 0.1), 2)
    scores = [smape_abs(truth[early], w * a[early] + (1 - w) * b[early]) for w in grid]
    w = grid[int(np.argmin(scores))]
    logging.info("nested weight of the network: %.1f", w)
    return smape_abs(truth[last], w * a[last] + (1 - w) * b[last])


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default=str(DATA))
    p.add_argument("--cache", required=True, help="folder of the cached forecasts")
    p.add_argument("--members", nargs="*", default=[], help="look-back:y|n:loss:seed ...")
    p.add_argument("--ensemble", nargs="*", default=[], help="comma-separated members")
    p.add_argument("--stats", nargs="*", default=[], help="statsforecast models: ets ces arima")
    p.add_argument(
        "--combine",
        nargs="*",
        default=[],
        help="more combinations of each ensemble, e.g. median:net+dotm+ets mean:net+dotm+ces "
        "(those without net are scored once)",
    )
    return p.parse_args()


if __name__ == "__main__":
    main()
