"""Each framing (and the MLP) learns a noiseless sine; multi-step recursive and direct too."""

from __future__ import annotations

import numpy as np
import pytest

from seqrnn.forecast import Series, config_from_dict, train

SINE = Series(2 + np.sin(2 * np.pi * np.arange(128) / 16))  # amplitude 1, period 16


def sine_config(**model):
    model = {"look_back": 6, "transform": "none", "scaler": "minmax", **model}
    model["encoder"] = {"hidden_size": 16, "num_layers": model.pop("layers", 1)}
    return config_from_dict(
        {
            "data": {"train_fraction": 0.75},
            "model": model,
            "train": {"epochs": 20, "batch_size": 8, "learning_rate": 1e-2},
            "runs_dir": "",
            "mlp_baseline": False,
        }
    )


@pytest.mark.parametrize(
    "model",
    [
        {"framing": "features"},
        {"framing": "timesteps"},
        {"framing": "stateful"},
        {"framing": "stateful", "layers": 2},
        {"architecture": "mlp"},
    ],
    ids=["features", "timesteps", "stateful", "stacked-stateful", "mlp"],
)
def test_framing_learns_a_sine(model):
    result = train(sine_config(**model), series=SINE)
    test = result.evaluations[0].metrics["test"]
    assert test["rmse"] < 0.05, test
    names = [e.name for e in result.evaluations]
    assert names[1:] == ["persistence", "mean", "drift"]  # baselines beside the network
    assert result.evaluations[1].metrics["test"]["rmse"] > 0.25  # persistence: 0.28


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_multi_step_horizons(strategy):
    cfg = sine_config(framing="timesteps", horizon=4, strategy=strategy)
    result = train(cfg, series=SINE)
    ev = result.evaluations[0]
    assert ev.forecasts["test"].shape[1] == 4
    assert ev.metrics["test"]["rmse"] < 0.08, ev.metrics["test"]
