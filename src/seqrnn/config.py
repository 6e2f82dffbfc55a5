"""Typed configuration: frozen dataclasses built from dicts, TOML or YAML, unknown keys rejected.

Every component keeps its own config dataclass next to it; this module only holds the generic
machinery: ``from_dict`` (with "did you mean ...?" for typos and Enum coercion), ``to_dict`` (to
save the resolved config with a run) and ``load_config_file``.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import json
import math
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

import yaml

from seqrnn.errors import ConfigError

T = TypeVar("T")


def _suggest(key: str, choices: list[str]) -> str:
    near = difflib.get_close_matches(key, choices, n=1, cutoff=0.5)
    return (
        f" (did you mean {near[0]!r}?)" if near else f" (known keys: {', '.join(sorted(choices))})"
    )


_NUMBER = {int: "an integer", float: "a finite number"}


def _number(value: float | str, tp: type, where: str) -> int | float:
    """``value`` as ``tp``: a finite float, or an integer that is exactly one (``2.0`` is 2,
    ``1.5`` is refused rather than cut to 1)."""
    try:
        number = float(value) if tp is float or isinstance(value, float) else int(value)
    except ValueError:
        try:  # "1e3" or "2.0" for an integer field
            number = float(value)
        except ValueError:
            raise ConfigError(f"{where}: expected {_NUMBER[tp]}, got {value!r}") from None
    if not math.isfinite(number) or (tp is int and number != int(number)):
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise ConfigError(f"{where}: expected {_NUMBER[tp]}, got {shown}")
    return tp(number)


def _coerce(value: Any, tp: Any, where: str) -> Any:
    """Convert a plain value (from JSON/TOML/YAML/CLI) to the annotated type ``tp``."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _coerce(value, args[0], where)
    if dataclasses.is_dataclass(tp):
        if isinstance(value, tp):
            return value
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table of settings, got {value!r}")
        return from_dict(tp, value, where)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        if isinstance(value, tp):
            return value
        try:
            return tp(value)
        except (TypeError, ValueError):
            names = [m.value for m in tp]
            raise ConfigError(
                f"{where}: {value!r} is not one of {', '.join(map(str, names))}"
                + _suggest(str(value), [str(n) for n in names]).split(" (known")[0]
            ) from None
    if origin in (list, tuple):
        (inner, *_) = typing.get_args(tp) or (Any,)
        if isinstance(value, str):
            value = [value]  # one item, not its characters
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        seq = [_coerce(v, inner, where) for v in value]
        return tuple(seq) if origin is tuple else seq
    if tp in (int, float, str, bool) and isinstance(value, dict | list | tuple):
        raise ConfigError(f"{where}: expected one {tp.__name__} value, got {value!r}")
    if tp in (int, float) and isinstance(value, bool):
        raise ConfigError(f"{where}: expected {_NUMBER[tp]}, got {value!r}")
    if tp in (int, float) and isinstance(value, float | str):
        return _number(value, tp, where)
    if tp is float and isinstance(value, int):
        return _number(str(value), tp, where)
    if tp in (int, float, str, bool) and not isinstance(value, tp):
        try:
            if tp is bool and isinstance(value, str):
                low = value.lower()
                if low in ("true", "1", "yes"):
                    return True
                if low in ("false", "0", "no"):
                    return False
                raise ValueError
            if tp is bool and value not in (0, 1):
                raise ValueError  # 2 or 0.5 is not a yes or a no
            return tp(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: expected {tp.__name__}, got {value!r}") from None
    return value


def from_dict(cls: type[T], data: dict[str, Any], where: str = "config") -> T:
    """Build dataclass ``cls`` from ``data``; unknown keys raise with the nearest known key."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a table of settings, got {data!r}")
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for key, value in data.items():
        key_norm = str(key).replace("-", "_")
        if key_norm not in fields:
            raise ConfigError(f"{where}: unknown key {key!r}" + _suggest(key_norm, list(fields)))
        kwargs[key_norm] = _coerce(value, hints[key_norm], f"{where}.{key_norm}")
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def to_dict(obj: Any) -> Any:
    """A JSON-ready copy of a (nested) config dataclass: Enums become their values."""
    if dataclasses.is_dataclass(obj):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, list | tuple):
        return [to_dict(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    return obj


def replace(obj: T, **changes: Any) -> T:
    """``dataclasses.replace`` that coerces and checks names like ``from_dict`` does."""
    merged = to_dict(obj)
    merged.update(changes)
    return from_dict(type(obj), merged, type(obj).__name__)


def load_config_file(path: str | Path) -> dict[str, Any]:
    """Read a TOML, YAML or JSON config file into a dict; errors name the file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a config file: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        if path.suffix == ".toml":
            return tomllib.loads(text)
        if path.suffix in (".yaml", ".yml"):
            data = yaml.safe_load(text) or {}
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            raise ConfigError(f"{path}: unknown config format (use .toml, .yaml or .json)")
    except (tomllib.TOMLDecodeError, yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot parse: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a table of settings")
    return data


def save_json(obj: Any, path: str | Path) -> None:
    """Write ``to_dict(obj)`` as indented, strict JSON (atomically, via a temporary file)."""
    from seqrnn.io.atomic import atomic_write_text

    try:
        text = json.dumps(to_dict(obj), indent=2, sort_keys=False, allow_nan=False)
    except ValueError:  # JSON has no NaN / infinity; a config holding one is not usable
        raise ConfigError(f"{path}: a setting is not a finite number (NaN or infinity)") from None
    atomic_write_text(path, text + "\n")


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` laid on ``base``, table by table (``-`` in keys read as ``_``)."""
    out = dict(base)
    for key, value in over.items():
        key = key.replace("-", "_")
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def resolve(cls: type[T], data: dict[str, Any], where: str = "config") -> T:
    """The one rule for settings: the user's ``data`` laid over ``cls``'s own defaults.

    Every task's config has defaults of its own (a forecaster's learning rate, a classifier's
    network), and a partial table keeps all the others: ``{"train": {"epochs": 5}}`` changes
    the epochs and nothing else. A table whose type offers presets (a ``preset`` field and a
    ``preset_defaults(name)`` classmethod) and that names one starts from that preset instead
    of the default, then takes the user's other keys over it.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a table of settings, got {data!r}")
    return from_dict(cls, _resolve_table(cls, to_dict(cls()), data, where), where)


def _resolve_table(cls: Any, base: dict[str, Any], data: dict[str, Any], where: str) -> Any:
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    if "preset" in data and hasattr(cls, "preset_defaults"):
        base = merge(to_dict(cls()), cls.preset_defaults(data["preset"]))
    out = dict(base)
    for key, value in data.items():
        key = key.replace("-", "_")
        tp = _dataclass_of(hints.get(key)) if key in names else None
        if tp is not None and isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _resolve_table(tp, out[key], value, f"{where}.{key}")
        else:
            out[key] = value
    return out


def _dataclass_of(tp: Any) -> Any:
    """The dataclass inside an annotation (``X`` or ``X | None``), else ``None``."""
    if dataclasses.is_dataclass(tp):
        return tp
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if dataclasses.is_dataclass(a)]
        return inner[0] if inner else None
    return None
