"""Number types for CLI options: a bad value is a usage error (exit 2) that names the option.

click's ``FloatRange`` lets ``nan`` and ``inf`` through (every comparison with ``nan`` is
false), so :class:`Real` checks that the number is finite before its range. The constants
below are the ranges seqrnn's options use; each verb picks the one its option means, and the
library checks the same ranges again (``ConfigError``) for API users.
"""

from __future__ import annotations

import math
from typing import Any

import click


class Real(click.FloatRange):
    """A finite float, optionally within ``[min, max]`` (open ends with ``min_open`` ...)."""

    name = "real"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return super().convert(number, param, ctx)


#: integers >= 1: sizes, counts, lengths, windows, horizons, epochs
POSITIVE_INT = click.IntRange(min=1)
#: integers >= 0 where 0 means "off" (patience, max_length, conv filters ...)
NON_NEGATIVE_INT = click.IntRange(min=0)
#: random seeds: what NumPy and PyTorch both accept
SEED = click.IntRange(min=0, max=2**32 - 1)
#: finite floats > 0: learning rates, time budgets
POSITIVE = Real(min=0.0, min_open=True)
#: finite floats >= 0 where 0 means "off" or "greedy" (gradient clip, temperature)
NON_NEGATIVE = Real(min=0.0)
#: a fraction in [0, 1): dropout, held-out share
FRACTION = Real(min=0.0, max=1.0, max_open=True)
#: a fraction in (0, 1): the training share of a split (both parts non-empty)
OPEN_FRACTION = Real(min=0.0, max=1.0, min_open=True, max_open=True)
#: a probability in (0, 1]: top-p, quantiles
PROBABILITY = Real(min=0.0, max=1.0, min_open=True)
#: a share in [0, 1]: similarity thresholds, fresh-column shares
UNIT = Real(min=0.0, max=1.0)
