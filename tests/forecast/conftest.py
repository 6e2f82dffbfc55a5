"""Shared fixtures of the forecasting tests."""

from __future__ import annotations

import pytest

from seqrnn.forecast import config_from_dict


@pytest.fixture
def small_config():
    """``make(**overrides) -> ForecastConfig``: a config that trains in a second (season 12,
    look-back 4, an 8-unit LSTM, 3 epochs, no run folder, no MLP row). A dict override merges
    into the section of that name; anything else replaces it."""

    def make(**over):
        base = {
            "data": {"season": 12},
            "model": {"look_back": 4, "encoder": {"hidden_size": 8}},
            "train": {"epochs": 3},
            "runs_dir": "",
            "mlp_baseline": False,
        }
        for key, value in over.items():
            base[key] = {**base.get(key, {}), **value} if isinstance(value, dict) else value
        return config_from_dict(base)

    return make
