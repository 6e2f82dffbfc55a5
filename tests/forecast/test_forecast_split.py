"""Which times are forecast: the tutorial's create_dataset targets, and the full test part."""

from __future__ import annotations

import numpy as np

from seqrnn.forecast.evaluation import Split, WindowMode


def create_dataset_targets(segment: np.ndarray, look_back: int) -> list[int]:
    """The tutorial's create_dataset, returning the indices of its targets."""
    return [int(segment[i + look_back]) for i in range(len(segment) - look_back - 1)]


def test_tutorial_mode_matches_create_dataset():
    split = Split.by_fraction(144, 0.67, WindowMode.TUTORIAL)
    idx = np.arange(144)
    for look_back in (1, 3):
        train = split.origins("train", look_back, 1, look_back).tolist()
        test = split.origins("test", look_back, 1, look_back).tolist()
        assert train == create_dataset_targets(idx[:96], look_back)
        assert test == create_dataset_targets(idx[96:], look_back)
    assert len(split.origins("test", 1, 1, 1)) == 46  # months 97..142


def test_full_mode_forecasts_every_test_value_with_history_from_train():
    split = Split.by_fraction(144, 0.67, WindowMode.FULL)
    assert split.origins("test", 24, 1).tolist() == list(range(96, 144))
    assert split.origins("train", 24, 3).tolist() == list(range(24, 94))  # 3 steps fit
