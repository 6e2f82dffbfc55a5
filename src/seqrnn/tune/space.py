"""The search space: which settings of a training config to vary, and over what range.

It is declared in the config file beside the settings it varies, in a ``[search]`` table whose
keys are the dotted paths of those settings (TOML's dotted keys nest them the same way)::

    [search]
    train.learning_rate       = { type = "float", low = 1e-4, high = 1e-2, log = true }
    model.encoder.hidden_size = { type = "int", low = 16, high = 128, log = true }
    model.encoder.num_layers  = { type = "int", low = 1, high = 3 }
    model.encoder.dropout     = { type = "float", low = 0.0, high = 0.5 }
    model.encoder.cell        = ["lstm", "gru"]          # a list = a categorical choice
    data.window               = { type = "int", low = 5, high = 20, step = 5 }
    train.batch_size          = [32, 64, 128]

Each trial draws one value per entry (Optuna's ``suggest_*``) and writes it into a copy of the
base config at that path.
"""

from __future__ import annotations

import copy
import enum
from dataclasses import dataclass
from typing import Any

import optuna

from seqrnn.config import from_dict
from seqrnn.errors import ConfigError


class ParamKind(enum.StrEnum):
    """How a parameter is drawn."""

    FLOAT = "float"  # uniform (or log-uniform) in [low, high]
    INT = "int"  # integers in [low, high] by ``step`` (or log-uniform)
    CATEGORICAL = "categorical"  # one of ``choices``


@dataclass(frozen=True)
class ParamSpec:
    """One searched setting. ``log`` draws uniformly in log space (learning rates, sizes)."""

    type: ParamKind
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    choices: list[Any] | None = None

    def __post_init__(self) -> None:
        if self.type is ParamKind.CATEGORICAL:
            if not self.choices:
                raise ConfigError("a categorical parameter needs a non-empty list of choices")
            return
        if self.low is None or self.high is None or self.low > self.high:
            raise ConfigError(f"a {self.type} parameter needs low <= high")
        if self.log and (self.low <= 0 or self.step not in (None, 1)):
            raise ConfigError("a log-uniform parameter needs low > 0 and no step")

    def suggest(self, trial: optuna.Trial, name: str) -> Any:
        """Draw this parameter's value for ``trial``."""
        if self.type is ParamKind.CATEGORICAL:
            return trial.suggest_categorical(name, self.choices)
        if self.type is ParamKind.INT:
            step = int(self.step or 1)
            return trial.suggest_int(name, int(self.low), int(self.high), step=step, log=self.log)
        return trial.suggest_float(name, self.low, self.high, step=self.step, log=self.log)

    def example(self) -> Any:
        """A value inside the range, to check the path before any trial runs."""
        if self.type is ParamKind.CATEGORICAL:
            return self.choices[0]
        return int(self.low) if self.type is ParamKind.INT else float(self.low)


SearchSpace = dict[str, ParamSpec]


def parse_space(table: dict[str, Any], where: str = "search") -> SearchSpace:
    """The ``[search]`` table as ``{dotted path: ParamSpec}``.

    Nested tables are walked down to their leaves; a leaf is a table with a ``type`` key or a
    list (shorthand for a categorical choice).
    """
    space: SearchSpace = {}
    for key, value in table.items():
        path = f"{where}.{key}"
        name = path.split(".", 1)[1]
        if isinstance(value, list):
            space[name] = ParamSpec(ParamKind.CATEGORICAL, choices=list(value))
        elif isinstance(value, dict) and "type" in value:
            space[name] = from_dict(ParamSpec, value, path)
        elif isinstance(value, dict):
            space.update(parse_space(value, path))  # names come back as full paths
        else:
            raise ConfigError(
                f'{path}: expected a table like {{ type = "float", low = .., high = .. }} '
                f"or a list of choices, got {value!r}"
            )
    if not space and where == "search":
        raise ConfigError("search: the search space is empty (add settings to vary)")
    return space


def apply_params(base: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``base`` with each dotted-path parameter written in."""
    out = copy.deepcopy(base)
    for dotted, value in params.items():
        node = out
        *parents, leaf = dotted.split(".")
        for key in parents:
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                raise ConfigError(f"search.{dotted}: {key!r} is a setting, not a table")
            node = child
        node[leaf] = value
    return out


def suggest_all(trial: optuna.Trial, space: SearchSpace) -> dict[str, Any]:
    """One value for every parameter of ``space``, drawn by ``trial``'s sampler."""
    return {name: spec.suggest(trial, name) for name, spec in space.items()}


def examples(space: SearchSpace) -> dict[str, Any]:
    """One in-range value per parameter (see :meth:`ParamSpec.example`)."""
    return {name: spec.example() for name, spec in space.items()}
