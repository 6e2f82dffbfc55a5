"""The default panel forecaster: choose, by a backtest on the training part only, between the
global network, the statistical references and their combinations, then forecast.

The backtest (:mod:`~seqrnn.forecast.origins`) cuts the training part (never a test value:
the caller passes training values only) at ``origins`` rolling origins, forecasts the ``H``
values after each with every candidate, and keeps the one with the lowest mean sMAPE (with
absolute values, see :mod:`~seqrnn.forecast.scoring`), or a per-series rule where a nested
backtest prefers it. Besides the medians and plain means, a mean weighted by the backtest
(:mod:`~seqrnn.forecast.weights`) is a candidate, scored at each origin with weights fitted on
the other origins, so that its score is as out-of-sample as the others'. The 95 % interval
is widened or narrowed by the factor that gave the best MSIS on the same held-out values.
Then the network is trained again on the whole training part (``refit``) and every method
forecasts the ``H`` steps after it.

Series the network cannot take (fewer than ``min_input + H`` values, or a value <= 0, where
its log scale fails) are forecast by Theta under every network-based method, and listed.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from seqrnn.errors import ConfigError
from seqrnn.forecast.global_model import GlobalConfig, GlobalForecaster, fit_global
from seqrnn.forecast.metrics import mase_scale
from seqrnn.forecast.origins import Decision, cut_origins, decide, error_matrix
from seqrnn.forecast.quantiles import HIGH95, LEVELS, LOW95, MEDIAN, interval_score
from seqrnn.forecast.scoring import score_panel
from seqrnn.forecast.stats import references
from seqrnn.forecast.weights import combine, cross_fitted, fit_weights

logger = logging.getLogger(__name__)

COMBINATIONS = {  # medians of point forecasts (of two: the mean)
    "network+theta": ("network", "theta"),
    "network+theta+naive2": ("network", "theta", "naive2"),
    "network+dotm": ("network", "dotm"),
    "network+theta+dotm": ("network", "theta", "dotm"),
    "network+theta+ets": ("network", "theta", "ets"),
}
MEANS = {  # plain means of point forecasts
    "mean network+dotm+ets": ("network", "dotm", "ets"),
}
WEIGHTED = {  # means weighted by the backtest (forecast.weights), scored cross-fitted
    "weighted network+dotm+ets": ("network", "dotm", "ets"),
}
FACTORS = np.round(np.arange(0.6, 2.01, 0.1), 2)


@dataclass(frozen=True)
class SelectionConfig:
    """What the default may choose from, and whether to train again on the whole part."""

    model: GlobalConfig = field(default_factory=GlobalConfig)
    ets: bool = True  # ETS as a candidate (~0.07 s of CPU per M3 monthly series and fit)
    refit: bool = True
    calibrate: bool = True
    origins: int = 3  # rolling origins of the backtest, ``origin_step`` values apart
    origin_step: int = 6
    per_series: bool = True  # a per-series rule where the nested backtest prefers it
    origin_networks: bool = False  # train the network again at every origin (else once)
    weighted: bool = True  # the WEIGHTED combinations as candidates (needs >= 2 origins)

    def __post_init__(self) -> None:
        if self.origins < 1 or self.origin_step < 1:
            raise ConfigError("origins and origin_step must be >= 1")


@dataclass
class PanelForecast:
    """Forecasts of every method (``points[name]`` ``[S, H]``), the default's point forecast
    ``[S, H]`` (``methods[i]``'s forecast of series ``i``) and quantiles ``[S, H, Q]``, the
    network's own quantiles, and the reasons. ``chosen`` is the method, or the per-series
    rule, that the backtest chose."""

    points: dict[str, np.ndarray]
    point: np.ndarray
    methods: list[str]
    quantiles: np.ndarray
    network_quantiles: np.ndarray
    chosen: str
    reason: str
    backtest: pd.DataFrame
    factor: float
    fallback: dict[str, str]
    seconds: dict[str, float] = field(default_factory=dict)
    net: GlobalForecaster | None = None  # the network of the final forecasts (to save)
    weights: dict[str, list[float]] = field(default_factory=dict)  # of WEIGHTED[name]'s parts


def network_eligible(train: list[np.ndarray], config: GlobalConfig) -> dict[int, str]:
    """Series the network cannot take, by position, with the reason."""
    out = {}
    for i, y in enumerate(train):
        if len(y) < config.min_input + config.horizon:
            out[i] = f"{len(y)} values < min_input + horizon = {config.min_input + config.horizon}"
        elif np.any(~np.isfinite(y)) or np.any(y <= 0):
            out[i] = "values <= 0 (the network works on the log scale)"
    return out


def run_methods(
    train: list[np.ndarray],
    season: int,
    config: SelectionConfig,
    net: GlobalForecaster | None,
    categories: list[str] | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray, GlobalForecaster | None, dict[int, str]]:
    """Point forecasts of every method and combination, the network's quantiles (Theta's
    point with the median's spread where the network cannot go), the fitted network (fitted
    here when ``net`` is None)."""
    H = config.model.horizon
    points: dict[str, np.ndarray] = {}
    for name, fn in references(config.ets).items():
        points[name] = fn(train, H, season)
    skip = network_eligible(train, config.model)
    keep = [i for i in range(len(train)) if i not in skip]
    cats = None if categories is None else [categories[i] for i in keep]
    if keep and net is None:
        net = fit_global([train[i] for i in keep], season, config.model, cats)
    q = np.repeat(points["theta"][..., None], len(LEVELS), axis=-1)  # Theta, no spread
    if keep and net is not None:
        q[keep] = net.predict([train[i] for i in keep], season, cats)
    points["network"] = q[..., MEDIAN]
    for combos, how in ((COMBINATIONS, np.median), (MEANS, np.mean)):
        for name, parts in combos.items():
            if all(p in points for p in parts):
                points[name] = how([points[p] for p in parts], axis=0)
    return points, q, net, skip


def shifted(q: np.ndarray, point: np.ndarray, factor: float) -> np.ndarray:
    """The network's quantiles moved to ``point`` (as the median) and widened by ``factor``
    on the log scale where all values are positive."""
    med = q[..., MEDIAN : MEDIAN + 1]
    pos = (q > 0).all(axis=-1, keepdims=True) & (point[..., None] > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_q = np.log(point[..., None]) + factor * (np.log(q) - np.log(med))
        lin_q = point[..., None] + factor * (q - med)
    return np.where(pos, np.exp(log_q), lin_q)


def score_candidates(
    y_val: np.ndarray, points: dict[str, np.ndarray], train: list[np.ndarray], season: int
) -> dict[str, pd.DataFrame]:
    """Per-series backtest scores of every candidate (rows as in ``y_val``)."""
    return {name: score_panel(y_val, f, train, season) for name, f in points.items()}


def mean_table(scores: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Mean metrics per candidate, best (lowest ``smape_abs``) first: see scoring, the M3
    sMAPE would reward a forecast below zero."""
    rows = {name: s.mean(numeric_only=True) for name, s in scores.items()}
    return pd.DataFrame(rows).T.sort_values("smape_abs")


def interval_factor(
    y_val: np.ndarray, q: np.ndarray, point: np.ndarray, train: list[np.ndarray], season: int
) -> float:
    """The factor on the network's spread (around ``point``) with the lowest backtest MSIS."""
    scale = np.array([_scale(y, season) for y in train])[:, None]  # [S, 1]
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN: handled below
        msis = [
            np.nanmean(interval_score(y_val, s[..., LOW95], s[..., HIGH95]) / scale)
            for s in (shifted(q, point, c) for c in FACTORS)
        ]
    if np.all(np.isnan(msis)):  # no series has a usable scale (e.g. exactly periodic)
        return 1.0
    return float(FACTORS[int(np.nanargmin(msis))])


def _scale(y: np.ndarray, season: int) -> float:
    """The MASE scale, NaN where it is undefined or zero."""
    m = season if len(y) > season else 1
    s = mase_scale(y, m) if len(y) > m else float("nan")
    return s if s > 0 else float("nan")


def forecast_panel(
    train: list[np.ndarray],
    season: int,
    config: SelectionConfig,
    ids: list[str] | None = None,
    categories: list[str] | None = None,
) -> PanelForecast:
    """Backtest at rolling origins, choose, refit, forecast; see the module doc."""
    ids = ids or [str(i) for i in range(len(train))]
    t0 = time.perf_counter()
    back = backtest(train, season, config, categories)
    t1 = time.perf_counter()
    net = None if config.refit else back.net
    points, q, net, skip = run_methods(train, season, config, net, categories)
    for name, w in back.weights.items():
        points[name] = combine(w, [points[p] for p in WEIGHTED[name]])
    point = np.stack([points[m][i] for i, m in enumerate(back.decision.methods)])
    reason = back.decision.reason
    for name in sorted(set(back.decision.methods) & set(back.weights)):
        w = ", ".join(f"{v:.2f}" for v in back.weights[name])
        reason += f"; {name}: weights {w} (fitted on the backtest)"
    reason += f"; 95% interval x{back.factor:.1f} (best backtest MSIS)"
    chosen = back.decision.methods[0] if back.decision.rule == "global" else back.decision.rule
    logger.info("chose %s: %s", chosen, reason)
    return PanelForecast(
        points=points,
        point=point,
        methods=back.decision.methods,
        quantiles=shifted(q, point, back.factor),
        network_quantiles=q,
        chosen=chosen,
        reason=reason,
        backtest=back.table,
        factor=back.factor,
        fallback={ids[i]: why for i, why in skip.items()},
        seconds={"backtest": t1 - t0, "final": time.perf_counter() - t1},
        net=net,
        weights={name: [float(v) for v in w] for name, w in back.weights.items()},
    )


@dataclass
class Backtested:
    """The network trained before the first origin (the last origin's with
    ``origin_networks``), the decision, the mean scores of every candidate over all origins,
    the interval factor, and the weights of each weighted combination fitted on all
    origins."""

    net: GlobalForecaster | None
    decision: Decision
    table: pd.DataFrame
    factor: float
    weights: dict[str, np.ndarray] = field(default_factory=dict)


def backtest(
    train: list[np.ndarray],
    season: int,
    config: SelectionConfig,
    categories: list[str] | None = None,
) -> Backtested:
    """Every candidate at every origin: the network trained once, before the first one, or
    with ``config.origin_networks`` again before each (as the statistical methods are)."""
    H, n_o = config.model.horizon, config.origins
    cuts = cut_origins(train, H, n_o, config.origin_step)
    if config.origin_networks:
        runs = [run_methods(head, season, config, None, categories) for head in cuts.heads]
        net = runs[-1][2]  # the latest origin's
    else:
        first = cuts.heads[0]
        skip = network_eligible(first, config.model)  # once: it scans every series
        keep = [i for i in range(len(first)) if i not in skip]
        cats = None if categories is None else [categories[i] for i in keep]
        net = fit_global([first[i] for i in keep], season, config.model, cats) if keep else None
        runs = [run_methods(head, season, config, net, categories) for head in cuts.heads]
    points = {name: np.concatenate([r[0][name] for r in runs]) for name in runs[0][0]}
    q = np.concatenate([r[1] for r in runs])  # [O * S, H, Q]
    y_val, heads = cuts.truth.reshape(-1, H), cuts.stacked_heads
    weights = {}
    for name, parts in WEIGHTED.items():
        if config.weighted and n_o >= 2 and all(p in points for p in parts):
            members = [points[p] for p in parts]
            points[name], per_origin = cross_fitted(y_val, members, n_o)
            weights[name] = fit_weights(y_val, members)
            logger.info("%s: weights %s (cross-fitted: %s)", name, weights[name], per_origin)
    scores = score_candidates(y_val, points, heads, season)
    decision = decide({n: error_matrix(s, n_o) for n, s in scores.items()}, config.per_series)
    chosen = np.stack([points[m][i] for i, m in enumerate(decision.methods * n_o)])
    factor = interval_factor(y_val, q, chosen, heads, season) if config.calibrate else 1.0
    return Backtested(net, decision, mean_table(scores), factor, weights)
