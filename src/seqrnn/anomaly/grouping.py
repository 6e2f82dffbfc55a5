"""How well a log parser groups lines: Loghub's grouping accuracy.

A line is parsed correctly when the lines that share its parsed event (key) are exactly the
lines that share its true event: its group is neither split nor merged with another. The
accuracy is the share of such lines (Zhu et al., "Tools and Benchmarks for Automated Log
Parsing", ICSE-SEIP 2019, whose ``evaluator.get_accuracy`` this follows)::

    truth  A A A B B        parsed 1 1 2 3 3  -> A is split (0 of 3), B is exact (2): 2/5
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import pandas as pd

from seqrnn.errors import ConfigError


def grouping_accuracy(parsed: Sequence[Hashable], truth: Sequence[Hashable]) -> float:
    """Share of lines whose parsed group equals their true group (one event each per line)."""
    if len(parsed) != len(truth):
        raise ConfigError(f"{len(parsed)} parsed events for {len(truth)} true ones")
    if not len(truth):
        raise ConfigError("no lines to compare")
    frame = pd.DataFrame({"parsed": list(parsed), "truth": list(truth)})
    true_sizes = frame.groupby("truth").size()
    correct = 0
    for _, lines in frame.groupby("parsed"):
        events = lines["truth"].unique()
        if len(events) == 1 and true_sizes[events[0]] == len(lines):
            correct += len(lines)
    return correct / len(frame)
