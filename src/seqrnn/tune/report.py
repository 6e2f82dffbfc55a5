"""What a study leaves in its folder: the best trial's config (a file the task's ``train
--config`` accepts unchanged), a CSV table of all trials, and Optuna's matplotlib plots
(optimisation history, parameter importances, per-epoch validation loss of every trial)."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState

from seqrnn.io.atomic import atomic_write_text
from seqrnn.plots.figures import save_figure
from seqrnn.tune.space import apply_params
from seqrnn.tune.study import SKIPPED_ATTR

logger = logging.getLogger(__name__)


@dataclass
class StudyReport:
    """The files written and the numbers worth printing."""

    best_config: Path | None
    trials_csv: Path
    plots: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # trials by state
    best_value: float | None = None
    best_params: dict[str, Any] = field(default_factory=dict)
    best_number: int | None = None


def write_report(
    study: optuna.Study, base: dict[str, Any], out: str | Path, plots: bool = True
) -> StudyReport:
    """Write ``best_config.json``, ``trials.csv`` and (unless ``plots`` is false) the plots
    into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    trials = [t for t in study.get_trials(deepcopy=False) if SKIPPED_ATTR not in t.user_attrs]
    counts = {s.name.lower(): sum(1 for t in trials if t.state is s) for s in TrialState}
    report = StudyReport(None, write_trials_csv(study, out / "trials.csv"), counts=counts)
    if counts["complete"]:
        best = study.best_trial
        report.best_value, report.best_params = best.value, dict(best.params)
        report.best_number = best.number
        report.best_config = out / "best_config.json"
        config = apply_params(base, best.params)
        atomic_write_text(report.best_config, json.dumps(config, indent=2) + "\n")
    report.plots = write_plots(study, out) if plots else []
    return report


def write_trials_csv(study: optuna.Study, path: Path) -> Path:
    """One row per trial: number, state, value (best val_loss), duration, parameters, epochs."""
    frame = study.trials_dataframe(
        attrs=("number", "state", "value", "duration", "params", "user_attrs")
    )
    if "user_attrs_skipped" in frame.columns:
        frame = frame[frame["user_attrs_skipped"].isna()].drop(columns="user_attrs_skipped")
    if "duration" in frame.columns:
        frame["duration"] = frame["duration"].dt.total_seconds().round(2)
    frame.columns = [c.removeprefix("user_attrs_") for c in frame.columns]
    atomic_write_text(path, frame.to_csv(index=False))
    return path


def write_plots(study: optuna.Study, out: Path) -> list[Path]:
    """Optimisation history, parameter importances and intermediate values, as PNGs; a plot
    that needs more finished trials than there are is left out (logged)."""
    from optuna.visualization import matplotlib as ovm

    plots: list[tuple[str, Callable[[optuna.Study], Any]]] = [
        ("optimization_history.png", ovm.plot_optimization_history),
        ("param_importances.png", ovm.plot_param_importances),
        ("intermediate_values.png", ovm.plot_intermediate_values),
    ]
    written = []
    for name, plot in plots:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Optuna marks these plots experimental
                ax = plot(study)
        except (ValueError, RuntimeError) as exc:
            logger.info("%s left out: %s", name, exc)
            continue
        fig = ax.figure if hasattr(ax, "figure") else ax.flat[0].figure
        fig.set_size_inches(9, 4.5)
        fig.tight_layout()  # room for long dotted parameter names
        written.append(save_figure(fig, out / name))
    return written
