"""Package attributes imported on first use (PEP 562), so that importing one light module of a
package (``seqrnn.anomaly.parse``, ``seqrnn.train.callbacks``) does not import every module the
package re-exports, and with them PyTorch: ``seqrnn parse`` and ``seqrnn --help`` start fast."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``, whose public names live in the modules
    ``exports`` maps them to (name -> module path). Each name is imported the first time it is
    read and then cached in the package's namespace."""
    namespace = importlib.import_module(package).__dict__

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    return __getattr__, __dir__
