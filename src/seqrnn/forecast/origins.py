"""Rolling-origin backtests on the training part of a panel, and the rules that turn them into
a choice of method, globally or per series.

Every series is cut at ``O`` origins, ``step`` values apart, the last one ``H`` values before
the end of the training part; each candidate forecasts the ``H`` values after every origin::

    training part:  ......................................|
    origin 1:       ....................|HHHHHHHHHHHHHHHHHH|  (scored)   |
    origin 2:       ..........................|HHHHHHHHHHHHHHHHHH|         |  step = 6
    origin 3:       ................................|HHHHHHHHHHHHHHHHHH|   |
                    <-- network trained here -->

The network is trained once, on the values before the *first* origin, and forecasts from all
of them (it sees the later inputs but never a value it is scored on); the statistical
references are fitted again at each origin (cheap). Several origins instead of one 18-value
window make the choice less noisy (one window of 18 values chose a worse method on one seed).

The per-series rules are themselves chosen by a nested backtest: decisions made on the
earlier origins are scored on the last one, and a rule is kept only when it beats the single
global choice there.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

NAIVE = ("naive2", "seasonal naive")


@dataclass
class Origins:
    """The panel cut at each origin: ``heads[o]`` (values before origin ``o``, one array per
    series) and ``truth`` ``[O, S, H]`` (the ``H`` values after it, NaN where the series is
    too short for that origin)."""

    heads: list[list[np.ndarray]]
    truth: np.ndarray

    @property
    def stacked_heads(self) -> list[np.ndarray]:
        """All origins' heads one after another (``O * S`` series)."""
        return [y for head in self.heads for y in head]


def cut_origins(train: list[np.ndarray], horizon: int, origins: int, step: int) -> Origins:
    """Cut every series at ``origins`` origins ``step`` apart (see the module doc). A series
    too short for an origin keeps at least 3 values there and has no truth (not scored)."""
    H = horizon
    heads, truth = [], np.full((origins, len(train), H), np.nan)
    for o in range(origins):
        back = H + (origins - 1 - o) * step  # values after this origin
        head = []
        for i, y in enumerate(train):
            n = len(y) - back
            if n >= 3:
                head.append(y[:n])
                truth[o, i] = y[n : n + H]
            else:
                head.append(y[: min(len(y), 3)])
        heads.append(head)
    return Origins(heads, truth)


@dataclass
class Decision:
    """The method of every series, the rule that gave it and why."""

    methods: list[str]
    rule: str
    reason: str


def global_best(errors: dict[str, np.ndarray]) -> str:
    """The candidate with the lowest mean error over every scored (origin, series)."""
    return min(errors, key=lambda name: np.nanmean(errors[name]))


def per_series_rules(errors: dict[str, np.ndarray]) -> dict[str, list[str]]:
    """Each rule's method per series from ``errors[name]`` ``[O, S]`` (NaN: not scored):

    - ``global``: the global best everywhere;
    - ``per series``: each series' own best over its origins;
    - ``guarded``: the global best unless a naive method beat it at every scored origin of
      that series (the title's promise, kept only where the evidence is consistent)."""
    best = global_best(errors)
    names = list(errors)
    S = next(iter(errors.values())).shape[1]
    with warnings.catch_warnings():  # a series scored at no origin: NaN, as it should
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.stack([np.nanmean(errors[n], axis=0) for n in names])  # [M, S]
    own = [names[int(np.argmin(np.nan_to_num(means[:, i], nan=np.inf)))] for i in range(S)]
    guarded = []
    for i in range(S):
        scored = np.isfinite(errors[best][:, i])
        wins = [
            n
            for n in NAIVE
            if n in errors
            and scored.any()
            and np.all(errors[n][scored, i] < errors[best][scored, i])
        ]
        guarded.append(min(wins, key=lambda n: means[names.index(n), i]) if wins else best)
    return {"global": [best] * S, "per series": own, "guarded": guarded}


def decide(errors: dict[str, np.ndarray], allow_per_series: bool) -> Decision:
    """Choose a rule by the nested backtest (rules from the earlier origins, scored on the
    last), then apply it with every origin."""
    best = global_best(errors)
    overall = f"{best}: lowest mean backtest sMAPE {np.nanmean(errors[best]):.2f}"
    n_origins = next(iter(errors.values())).shape[0]
    if not allow_per_series or n_origins < 2:
        return Decision(per_series_rules(errors)["global"], "global", overall)
    early = {n: e[:-1] for n, e in errors.items()}
    last = {n: e[-1] for n, e in errors.items()}  # [S]
    nested = {}
    for rule, methods in per_series_rules(early).items():
        err = np.array([last[m][i] for i, m in enumerate(methods)])
        nested[rule] = float(np.nanmean(err))
    rule = min(nested, key=lambda r: (nested[r], r != "global"))  # a tie keeps the global one
    scores = ", ".join(f"{r} {v:.3f}" for r, v in nested.items())
    reason = f"{overall}; rule '{rule}' (nested backtest on the last origin: {scores})"
    return Decision(per_series_rules(errors)[rule], rule, reason)


def error_matrix(scores: pd.DataFrame, origins: int) -> np.ndarray:
    """A per-row score column of ``O * S`` stacked rows as ``[O, S]``."""
    return scores["smape_abs"].to_numpy(float).reshape(origins, -1)
