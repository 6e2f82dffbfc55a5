"""Settings for every test the suite collects (tests/ and the examples of docs/api.md)."""

from __future__ import annotations

import pytest
import torch


def pytest_configure(config: pytest.Config) -> None:
    torch.set_num_threads(1)  # tiny models gain nothing from threads; CI has 2 cores


def pytest_markdown_docs_globals() -> dict[str, object]:
    """The names the first block of docs/api.md defines, given to every block of the page so
    that each example runs on its own (a chain of continuations would retrain every model
    above it)."""
    import tempfile

    from seqrnn.data.samples import sample_path

    return {
        "RUNS": tempfile.mkdtemp(prefix="seqrnn-api-"),
        "HDFS_TRAIN": str(sample_path("hdfs", "train_normal.txt")),
        "HDFS_NORMAL": str(sample_path("hdfs", "test_normal.txt")),
        "HDFS_ABNORMAL": str(sample_path("hdfs", "test_abnormal.txt")),
        "AIRLINE": str(sample_path("airline", "airline.csv")),
    }
