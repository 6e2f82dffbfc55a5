"""The single-series default: the network, or a naive forecast where the network does not
beat it, chosen by a rolling-origin backtest on the training part only.

A network trained on one series of a hundred values can lose to persistence on a random-walk-like
series (interest rates, unemployment) while it wins clearly on seasonal ones. Which case a new
series is cannot be known in advance, so ``seqrnn forecast train`` backtests both before the test
part is looked at::

    training part: [ .............. fit ............ | block 1 | block 2 ]  test part (unseen)
    fold 1: fit on everything before block 1, forecast block 1 one origin at a time
    fold 2: fit on everything before block 2, forecast block 2

and keeps the forecaster with the lowest mean RMSE over the blocks. The network is refitted on
each fold with the run's own settings; the baselines need no fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from seqrnn.forecast.baselines import Forecaster, naive_baselines
from seqrnn.forecast.evaluation import Split, WindowMode, evaluate
from seqrnn.forecast.readers import Series

if TYPE_CHECKING:
    from seqrnn.forecast.workflow import ForecastConfig

NETWORK = "network"


@dataclass(frozen=True)
class Choice:
    """What the default forecasts with, and why: ``chosen`` is ``"network"`` or a baseline's
    name; ``backtest`` is each candidate's mean RMSE over the blocks (empty when the training
    part was too short to backtest, and the network was kept)."""

    chosen: str
    reason: str
    backtest: dict[str, float] = field(default_factory=dict)
    blocks: list[tuple[int, int]] = field(default_factory=list)  # (fit on [0, a), score [a, b))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for ``metrics.json``."""
        return {
            "chosen": self.chosen,
            "reason": self.reason,
            "backtest_rmse": self.backtest,
            "blocks": [list(b) for b in self.blocks],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Choice:
        """The inverse of :meth:`to_dict`."""
        return cls(
            str(data["chosen"]),
            str(data["reason"]),
            {str(k): float(v) for k, v in data.get("backtest_rmse", {}).items()},
            [(int(a), int(b)) for a, b in data.get("blocks", [])],
        )


def backtest_blocks(n_train: int, min_fit: int, folds: int, horizon: int) -> list[tuple[int, int]]:
    """``folds`` consecutive blocks at the end of the training part, each a sixth of it (at least
    ``horizon`` values); empty when the first fit would have fewer than ``min_fit`` values."""
    block = max(horizon, n_train // 6)
    first = n_train - folds * block
    if folds < 1 or first < min_fit:
        return []
    return [(first + k * block, first + (k + 1) * block) for k in range(folds)]


@dataclass(frozen=True)
class BlockFit:
    """One backtest block ``[start, stop)`` of the training part and the network trained on
    the values before it."""

    start: int
    stop: int
    network: Forecaster


def fit_blocks(
    series: Series,
    config: ForecastConfig,
    n_train: int,
    fit: Callable[[Series, int], Forecaster],
    folds: int = 2,
) -> list[BlockFit]:
    """The network fitted before each backtest block (``fit(seen, n)``: trained on the first
    ``n`` values of ``seen``, the training part); empty when the training part is too short
    to backtest. Values at or after ``n_train`` are never read."""
    cfg, season = config.model, config.data.season
    min_fit = max(cfg.look_back + season + 2 * cfg.horizon, 2 * season, 12)
    seen = head(series, n_train)
    return [
        BlockFit(start, stop, fit(seen, start))
        for start, stop in backtest_blocks(n_train, min_fit, folds, cfg.horizon)
    ]


def choose(
    series: Series,
    config: ForecastConfig,
    n_train: int,
    fit: Callable[[Series, int], Forecaster],
    folds: int = 2,
) -> Choice:
    """Backtest the network (see :func:`fit_blocks`) and the naive baselines on the last blocks
    of the training part; the lowest mean RMSE wins (a tie keeps the network). Values at or
    after ``n_train`` are never read."""
    return choose_from(series, config, n_train, fit_blocks(series, config, n_train, fit, folds))


def choose_from(
    series: Series, config: ForecastConfig, n_train: int, fits: list[BlockFit]
) -> Choice:
    """:func:`choose` with the block fits already made."""
    cfg, season = config.model, config.data.season
    if not fits:
        return Choice(NETWORK, f"the training part ({n_train} values) is too short to backtest")
    seen = head(series, n_train)
    rmse: dict[str, list[float]] = {}
    for block in fits:
        split = Split(block.stop, block.start, WindowMode.FULL)
        candidates: list[tuple[str, Forecaster]] = [(NETWORK, block.network)]
        candidates += [(b.name, b) for b in naive_baselines(season)]
        for name, forecaster in candidates:
            ev = evaluate(forecaster, seen, split, cfg.horizon, season, cfg.look_back)
            rmse.setdefault(name, []).append(ev.metrics["test"]["rmse"])
    means = {name: float(np.mean(v)) for name, v in rmse.items()}
    best = min(means, key=lambda name: (means[name], name != NETWORK))
    blocks = [(b.start, b.stop) for b in fits]
    where = ", ".join(f"[{a}, {b})" for a, b in blocks)
    if best == NETWORK:
        runner_up = min((n for n in means if n != NETWORK), key=means.__getitem__)
        reason = (
            f"lowest backtest RMSE {means[NETWORK]:.4g} on training values {where} "
            f"(best naive: {runner_up} {means[runner_up]:.4g})"
        )
    else:
        reason = (
            f"{best} beat the network on the training part's backtest "
            f"(RMSE {means[best]:.4g} vs {means[NETWORK]:.4g} on values {where})"
        )
    return Choice(best, reason, means, blocks)


def chosen_forecaster(choice: Choice, network: Forecaster, season: int) -> Forecaster:
    """The forecaster ``choice`` names: the trained network or a fresh naive baseline."""
    if choice.chosen == NETWORK:
        return network
    for baseline in naive_baselines(season):
        if baseline.name == choice.chosen:
            return baseline
    raise ValueError(f"unknown forecaster {choice.chosen!r} in the run's choice")


def head(series: Series, n: int) -> Series:
    """The first ``n`` values of ``series`` (dates and covariates cut alike; names kept)."""
    return replace(
        series,
        values=series.values[:n],
        dates=None if series.dates is None else series.dates[:n],
        covariates=None if series.covariates is None else series.covariates[:n],
    )
