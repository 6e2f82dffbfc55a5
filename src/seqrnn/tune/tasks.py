"""The table of tunable tasks: what ``seqrnn tune`` needs to know about each kind of model.

A task is tunable when it has (1) a function that builds and checks its config from a plain
dict, the same one its ``seqrnn ... train --config`` uses, so the best trial's dict is a file
that command accepts unchanged, and (2) a library train function that accepts trainer
callbacks and returns the per-epoch history with ``val_loss``. The pruning callback sees every
epoch through (2); the study minimises the lowest ``val_loss`` of a trial (the epoch whose
weights the run keeps as ``best``).

Adding a task is one :class:`TunableTask` entry in :data:`TASKS`; the imports are lazy so that
``seqrnn tune`` does not load every task's code.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from seqrnn.errors import ConfigError
from seqrnn.train.callbacks import Callback


@dataclass(frozen=True)
class TunableTask:
    """How to build one task's config and train it.

    ``build`` and ``fit`` are ``"module:function"`` names: ``build(dict) -> config`` and
    ``fit(config, callbacks) -> result`` where ``result.history`` (or the result itself) is a
    list of per-epoch rows. ``run_keys`` name the config's run-folder root and run name, which
    each trial points into the study's folder.
    """

    name: str
    build: str
    fit: str
    train_command: str  # the CLI that takes the best config, for messages and docs
    run_keys: tuple[str, str] = ("runs_dir", "name")

    def config(self, data: dict[str, Any]) -> Any:
        """The checked config object for ``data`` (raises ConfigError with the bad key)."""
        return _load(self.build)(data)

    def run(
        self, data: dict[str, Any], callbacks: Sequence[Callback], runs_dir: str, name: str
    ) -> list[float]:
        """Train once with ``data``, writing into ``runs_dir/name``; the per-epoch val_loss."""
        root_key, name_key = self.run_keys
        config = self.config({**data, root_key: runs_dir, name_key: name})
        result = _load(self.fit)(config, callbacks)
        history = getattr(result, "history", result)
        losses = [row.get("val_loss") for row in history]
        if not losses or any(v is None for v in losses):
            raise ConfigError(
                f"tuning {self.name} needs a model trained in epochs with validation data: "
                "the history has no val_loss (set a validation file or fraction above 0)"
            )
        return [float(v) if math.isfinite(v) else math.inf for v in losses]


TASKS: dict[str, TunableTask] = {
    "next_symbol": TunableTask(
        name="next_symbol",
        build="seqrnn.next_symbol:run_config_from_dict",
        fit="seqrnn.next_symbol:train",
        train_command="seqrnn train --config",
    ),
    # val_loss is in scaled units: do not search model.scaler or model.transform.
    "forecast": TunableTask(
        name="forecast",
        build="seqrnn.forecast.workflow:config_from_dict",
        fit="seqrnn.forecast.workflow:train",
        train_command="seqrnn forecast train --config",
    ),
    # Only the recurrent network (model = "rnn") trains in epochs with a val_loss.
    "classify": TunableTask(
        name="classify",
        build="seqrnn.classify.workflow:network_config_from_dict",
        fit="seqrnn.classify.runs:train",
        train_command="seqrnn classify train --config",
    ),
}


def get_task(name: str) -> TunableTask:
    """The task called ``name``; the error lists the tunable ones."""
    try:
        return TASKS[name]
    except KeyError:
        known = ", ".join(sorted(TASKS))
        raise ConfigError(f"tune.task: {name!r} cannot be tuned (tunable tasks: {known})") from None


def _load(target: str) -> Callable[..., Any]:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)
