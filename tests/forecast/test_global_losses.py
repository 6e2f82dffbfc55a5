"""The global network's losses equal their formulas on hand examples: the sMAPE loss is half
the M3 sMAPE whatever level the window was normalised by, the MASE loss the scaled absolute
error in original units."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqrnn.forecast.global_losses import mase_loss, smape_loss
from seqrnn.forecast.metrics import smape_m3


def test_smape_loss_is_half_the_m3_smape_of_the_level_forecasts():
    # a window's level and seasonal index multiply forecast and truth alike: they cancel
    forecast, truth = np.array([110.0, 50.0, 7.0]), np.array([100.0, 80.0, 7.0])
    c = np.log(3.7)  # level + seasonal index on the log scale
    got = smape_loss(torch.tensor(np.log(forecast) - c), torch.tensor(np.log(truth) - c))
    by_hand = np.mean([2 * 10 / 210, 2 * 30 / 130, 0.0]) / 2
    assert float(got) == pytest.approx(by_hand, rel=1e-9)
    assert float(got) == pytest.approx(smape_m3(truth, forecast) / 200, rel=1e-9)


def test_mase_loss_is_the_scaled_absolute_error_in_original_units():
    level, scale = 4.0, 2.5  # the window's multiplier and the series' MASE scale
    forecast, truth = np.array([9.0, 3.0]), np.array([8.0, 4.0])  # original units
    p, y = torch.tensor(np.log(forecast / level)), torch.tensor(np.log(truth / level))
    got = mase_loss(p, y, torch.full((2,), level / scale, dtype=torch.float64))
    assert float(got) == pytest.approx(np.mean(np.abs(forecast - truth)) / scale / 2, rel=1e-9)
