"""``seqrnn tune`` as a library function: one config file in, a study and its report out.

The file is an ordinary training config of the task (what its ``train --config`` reads) plus
two tables: ``[search]`` (the space, see :mod:`seqrnn.tune.space`) and ``[tune]`` (the study,
see :class:`~seqrnn.tune.study.TuneConfig`). The best trial's config is that file without the
two tables and with the best values written in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import optuna

from seqrnn.config import from_dict
from seqrnn.tune.report import StudyReport, write_report
from seqrnn.tune.space import parse_space
from seqrnn.tune.study import TuneConfig, run_study
from seqrnn.tune.tasks import get_task

SEARCH_KEY, TUNE_KEY = "search", "tune"


@dataclass
class TuneResult:
    """The study (all workers' trials) and the files written from it."""

    study: optuna.Study
    report: StudyReport
    config: TuneConfig


def split_config(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """``(base training config, [search] table, [tune] table)`` of a tuning config file."""
    base = {k: v for k, v in data.items() if k not in (SEARCH_KEY, TUNE_KEY)}
    return base, dict(data.get(SEARCH_KEY) or {}), dict(data.get(TUNE_KEY) or {})


def tune(data: dict[str, Any], overrides: dict[str, Any] | None = None) -> TuneResult:
    """Run (or resume, or join) the study ``data`` describes and write its report.

    ``overrides`` replace entries of the ``[tune]`` table (the CLI's flags); ``None`` values
    are ignored.
    """
    base, search, tune_table = split_config(data)
    tune_table.update({k: v for k, v in (overrides or {}).items() if v is not None})
    config = from_dict(TuneConfig, tune_table, TUNE_KEY)
    task = get_task(config.task)
    space = parse_space(search)
    study = run_study(task, base, space, config)
    return TuneResult(study, write_report(study, base, config.out, config.plots), config)
