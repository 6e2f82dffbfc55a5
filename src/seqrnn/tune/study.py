"""Hyper-parameter search on Optuna: TPE sampling, pruning from per-epoch validation loss, and a
study kept in a database so that it can be stopped, resumed and shared by many workers.

A worker is one ``seqrnn tune`` process. All workers of a study point at the same storage URL
(default: ``sqlite:///<out>/study.db``; for workers on several machines a server database such
as ``postgresql://user:password@host/db``) and the same study name; Optuna hands each of them
the next trial. ``n_trials`` is the budget of the *study*, not of one worker: a worker stops
when the trials already counted in the storage reach it (see :func:`over_budget`).
"""

from __future__ import annotations

import enum
import logging
import random
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
import sqlalchemy.engine
import sqlalchemy.exc
from optuna.trial import TrialState

from seqrnn.errors import ConfigError, SeqrnnError
from seqrnn.train.callbacks import Callback
from seqrnn.tune.space import SearchSpace, apply_params, examples, suggest_all
from seqrnn.tune.tasks import TunableTask

logger = logging.getLogger(__name__)

ERROR_ATTR = "error"  # set on trials whose settings failed (they count toward the budget)
SKIPPED_ATTR = "skipped"  # set on trials a worker opened after the budget was reached


class PrunerName(enum.StrEnum):
    """How unpromising trials are stopped early."""

    MEDIAN = "median"  # stop when worse than the median of earlier trials at the same epoch
    HYPERBAND = "hyperband"  # successive halving over several brackets of epochs
    NONE = "none"


@dataclass(frozen=True)
class TuneConfig:
    """The ``[tune]`` table: which task, how many trials, where the study lives."""

    task: str = "next_symbol"
    study_name: str = "seqrnn"
    out: str = "tune"  # study folder: database, trial runs, trials.csv, plots, best config
    storage: str | None = None  # database URL; default sqlite:///<out>/study.db
    n_trials: int = 20  # for the whole study, all workers together
    timeout: float | None = None  # seconds this worker may start new trials for
    seed: int | None = None  # TPE seed (give each worker its own, or none)
    startup_trials: int = 5  # random trials before TPE models the results
    pruner: PrunerName = PrunerName.MEDIAN
    prune_after_trials: int = 2  # finished trials the median pruner waits for
    prune_warmup_epochs: int = 1  # epochs a trial always gets before it can be pruned
    plots: bool = True  # write the study's plots after this worker's trials

    def __post_init__(self) -> None:
        if self.n_trials <= 0:
            raise ConfigError(f"tune.n_trials must be a positive integer, got {self.n_trials}")

    @property
    def storage_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the study folder."""
        return self.storage or f"sqlite:///{Path(self.out) / 'study.db'}"

    @property
    def storage_shown(self) -> str:
        """The URL with its password masked, for messages."""
        try:
            return sqlalchemy.engine.make_url(self.storage_url).render_as_string()
        except sqlalchemy.exc.ArgumentError:
            return self.storage_url


class PruningCallback(Callback):
    """Reports each epoch's ``val_loss`` to the trial and stops training when the pruner says
    so (the objective then marks the trial pruned)."""

    def __init__(self, trial: optuna.Trial):
        self.trial = trial
        self.pruned_at: int | None = None

    def on_epoch_end(self, trainer: Any, row: dict[str, Any]) -> None:
        value = row.get("val_loss")
        if value is None:
            return
        self.trial.report(float(value), int(row["epoch"]))
        if self.trial.should_prune():
            self.pruned_at = int(row["epoch"])
            trainer.should_stop = True


def open_study(config: TuneConfig, attempts: int = 5) -> optuna.Study:
    """Create the study in its storage, or load it when it exists (resume, or join).

    Workers started together may race to create the database tables (Optuna issue #1092);
    the loser gets a database error, waits a moment and tries again, by which time the
    tables are there.
    """
    for attempt in range(attempts):
        try:
            return _open_study(config)
        except sqlalchemy.exc.DBAPIError as exc:
            if attempt == attempts - 1:
                raise ConfigError(
                    f"tune.storage: database error at {config.storage_shown!r}: {exc.orig}"
                ) from None
            time.sleep(0.5 + random.random())
    raise AssertionError("unreachable")


def _open_study(config: TuneConfig) -> optuna.Study:
    url = config.storage_url
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        kwargs["engine_kwargs"] = {"connect_args": {"timeout": 60}}  # workers wait for the lock
    try:
        # The heartbeat lets a later worker mark trials of a killed worker as failed.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            storage = optuna.storages.RDBStorage(
                url, heartbeat_interval=30, grace_period=120, **kwargs
            )
    except (sqlalchemy.exc.ArgumentError, ImportError, ValueError) as exc:
        raise ConfigError(f"tune.storage: cannot open {config.storage_shown!r}: {exc}") from None
    sampler = optuna.samplers.TPESampler(seed=config.seed, n_startup_trials=config.startup_trials)
    return optuna.create_study(
        study_name=config.study_name,
        storage=storage,
        sampler=sampler,
        pruner=make_pruner(config),
        direction="minimize",
        load_if_exists=True,
    )


def make_pruner(config: TuneConfig) -> optuna.pruners.BasePruner:
    """The pruner named in ``config``."""
    name = PrunerName(config.pruner)
    if name is PrunerName.MEDIAN:
        return optuna.pruners.MedianPruner(
            n_startup_trials=config.prune_after_trials,
            n_warmup_steps=config.prune_warmup_epochs,
        )
    if name is PrunerName.HYPERBAND:
        return optuna.pruners.HyperbandPruner(min_resource=max(1, config.prune_warmup_epochs))
    return optuna.pruners.NopPruner()


def counted(trial: optuna.trial.FrozenTrial) -> bool:
    """Whether a trial uses up budget: finished, pruned, running, waiting, or failed because
    of its settings. Trials cut off by Ctrl-C or a killed worker, and skipped ones, do not."""
    return trial.state is not TrialState.FAIL or ERROR_ATTR in trial.user_attrs


def over_budget(trial: optuna.Trial, n_trials: int) -> bool:
    """True when ``trial`` would be trial number ``n_trials + 1`` or more of the study.

    Storage numbers trials in the order they were created, atomically, so counting the
    counted trials up to and including this one is free of races between workers: two
    workers that open trials at the same moment get different numbers, and the later one
    sees the earlier one as running.
    """
    mine = trial.number
    trials = trial.study.get_trials(deepcopy=False)
    return sum(1 for t in trials if t.number <= mine and counted(t)) > n_trials


def budget_used(study: optuna.Study) -> int:
    """How many trials of the study count toward ``n_trials``."""
    return sum(1 for t in study.get_trials(deepcopy=False) if counted(t))


class StopAtBudget:
    """After each trial: stop this worker once the study's counted trials reach ``n_trials``
    (Optuna's ``MaxTrialsCallback``, counting running trials of other workers too)."""

    def __init__(self, n_trials: int):
        self.n_trials = n_trials

    def __call__(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        if budget_used(study) >= self.n_trials:
            study.stop()


class _OverBudget(Exception):
    """Raised inside the objective to close a trial opened after the budget was reached."""


@dataclass
class Objective:
    """One trial: draw settings, train the task with a pruning callback, return the best
    validation loss."""

    task: TunableTask
    base: dict[str, Any]
    space: SearchSpace
    config: TuneConfig

    def __call__(self, trial: optuna.Trial) -> float:
        if over_budget(trial, self.config.n_trials):
            trial.set_user_attr(SKIPPED_ATTR, True)
            trial.study.stop()
            raise _OverBudget(f"the study already has {self.config.n_trials} trials")
        params = suggest_all(trial, self.space)
        pruning = PruningCallback(trial)
        name = f"trial-{trial.number:04d}"
        trial.set_user_attr("run_dir", str(Path(self.config.out) / "trials" / name))
        try:
            losses = self.task.run(
                apply_params(self.base, params),
                [pruning],
                str(Path(self.config.out) / "trials"),
                name,
            )
        except SeqrnnError as exc:
            trial.set_user_attr(ERROR_ATTR, str(exc))
            raise
        trial.set_user_attr("epochs", len(losses))
        if pruning.pruned_at is not None:
            raise optuna.TrialPruned(f"val_loss {losses[-1]:.4f} at epoch {pruning.pruned_at}")
        return min(losses)


def check_space(task: TunableTask, base: dict[str, Any], space: SearchSpace) -> None:
    """Build the task's config once with an in-range value for every searched setting, so a
    misspelt path or a bad base setting fails before the first trial (with a suggestion)."""
    task.config(base)  # errors here are the base config's own
    try:
        task.config(apply_params(base, examples(space)))
    except ConfigError as exc:
        raise ConfigError(f"search: {exc}") from None


def run_study(
    task: TunableTask, base: dict[str, Any], space: SearchSpace, config: TuneConfig
) -> optuna.Study:
    """Run this worker's share of the study until its budget (or this worker's timeout) is
    reached; return the study with every worker's trials so far."""
    check_space(task, base, space)
    study = open_study(config)
    used = budget_used(study)
    if used >= config.n_trials:
        logger.info("study %r already has %d trials: nothing to do", config.study_name, used)
        return study
    logger.info(
        "study %r: %d of %d trials done or running", config.study_name, used, config.n_trials
    )
    study.optimize(
        Objective(task, base, space, config),
        timeout=config.timeout,
        catch=(SeqrnnError, _OverBudget),
        callbacks=[StopAtBudget(config.n_trials)],
        gc_after_trial=True,
    )
    return study
