"""Hyper-parameter search with Optuna for any tunable task (``seqrnn tune``)."""

from seqrnn.tune.space import ParamKind, ParamSpec, parse_space
from seqrnn.tune.study import PrunerName, PruningCallback, TuneConfig, open_study, run_study
from seqrnn.tune.tasks import TASKS, TunableTask, get_task
from seqrnn.tune.workflow import TuneResult, split_config, tune

__all__ = [
    "TASKS",
    "ParamKind",
    "ParamSpec",
    "PrunerName",
    "PruningCallback",
    "TunableTask",
    "TuneConfig",
    "TuneResult",
    "get_task",
    "open_study",
    "parse_space",
    "run_study",
    "split_config",
    "tune",
]
