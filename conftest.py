"""Settings for every test the suite collects (tests/ and the examples of docs/api.md)."""

from __future__ import annotations

import pytest
import torch


def pytest_configure(config: pytest.Config) -> None:
    torch.set_num_threads(1)  # tiny models gain nothing from threads; CI has 2 cores
