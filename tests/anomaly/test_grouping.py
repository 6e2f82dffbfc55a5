"""Loghub's grouping accuracy, on a toy example and on the HDFS 2k sample with seqrnn parse."""

from __future__ import annotations

import pandas as pd
import pytest

from seqrnn.anomaly.grouping import grouping_accuracy
from seqrnn.anomaly.parse import HDFS_HEADER, ParseConfig, parse_files
from seqrnn.errors import ConfigError


def test_a_split_or_merged_event_counts_none_of_its_lines():
    truth = ["A", "A", "A", "B", "B", "C"]
    assert grouping_accuracy([1, 1, 2, 3, 3, 4], truth) == pytest.approx(3 / 6)  # A split
    assert grouping_accuracy([1, 1, 1, 3, 3, 3], truth) == pytest.approx(3 / 6)  # B+C merged
    assert grouping_accuracy(["x", "x", "x", 0, 0, 9], truth) == 1.0  # names do not matter
    with pytest.raises(ConfigError, match="5 parsed events for 6 true ones"):
        grouping_accuracy([1] * 5, truth)


def test_seqrnn_parse_groups_the_hdfs_2k_sample_as_loghub_does(shared_data):
    folder = shared_data / "loghub_hdfs_2k"
    truth = pd.read_csv(folder / "HDFS_2k.log_structured.csv").EventId
    parsed = parse_files([folder / "HDFS_2k.log"], ParseConfig(HDFS_HEADER, window_lines=100))
    # drain splits one event, "BLOCK* ask ... to delete blk_<*> [blk_<*> ...]", by the number
    # of blocks listed (5 lines); Loghub's Drain reaches 0.998 here
    assert grouping_accuracy(parsed.line_keys, truth) == pytest.approx(0.9975)
