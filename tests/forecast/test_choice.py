"""The single-series default: a training-part backtest picks the network or a naive forecast,
and never reads the test part."""

from __future__ import annotations

import numpy as np
import pytest

from seqrnn import forecast
from seqrnn.forecast.choice import Choice, backtest_blocks, choose, chosen_forecaster
from seqrnn.forecast.workflow import load_choice


def random_walk(n=120, seed=0):
    return 100 + np.cumsum(np.random.default_rng(seed).normal(0, 1, n))


def test_blocks_end_at_the_training_part_and_refuse_a_too_short_fit():
    assert backtest_blocks(96, 30, 2, 1) == [(64, 80), (80, 96)]
    assert backtest_blocks(96, 70, 2, 1) == []  # the first fit would see 64 < 70 values
    assert backtest_blocks(20, 5, 2, 6) == [(8, 14), (14, 20)]  # a block holds the horizon


def test_a_random_walk_gets_persistence_when_the_network_loses_the_backtest(small_config):
    series = forecast.Series(random_walk())
    bad = forecast.Persistence()  # stands in for a network that forecasts far off
    bad.predict_at = lambda y, origins, horizon, cov=None: np.full((len(origins), horizon), 0.0)
    choice = choose(series, small_config(), 80, lambda seen, n: bad)
    assert choice.chosen in ("persistence", "drift")
    assert "beat the network" in choice.reason
    assert choice.backtest["network"] > choice.backtest[choice.chosen]
    assert chosen_forecaster(choice, bad, 12).name == choice.chosen


def test_the_choice_never_reads_the_test_part(small_config):
    y = random_walk()
    poisoned = y.copy()
    poisoned[80:] = 1e9  # the test part of an 80-value training part
    seen_lengths = []

    def fit(seen, n):
        seen_lengths.append(len(seen))
        return forecast.Persistence()

    a = choose(forecast.Series(y), small_config(), 80, fit)
    b = choose(forecast.Series(poisoned), small_config(), 80, fit)
    assert a == b and max(seen_lengths) == 80


def test_train_records_the_choice_and_predict_can_read_it_back(small_config, tmp_path):
    csv = tmp_path / "walk.csv"
    csv.write_text("value\n" + "\n".join(f"{v:.4f}" for v in random_walk(96)) + "\n")
    config = small_config(
        runs_dir=str(tmp_path / "runs"), name="r", data={"path": str(csv), "season": 12}
    )
    result = forecast.train(config)
    assert result.choice is not None and result.default is not None
    assert result.default.name == f"default = {result.choice.chosen}"
    name = result.choice.chosen
    same = (
        result.evaluations[0]
        if name == "network"
        else next(e for e in result.evaluations if e.name == name)
    )
    assert result.default.metrics["test"] == pytest.approx(same.metrics["test"])
    assert load_choice(result.run_dir) == result.choice
    assert load_choice(result.run_dir / "best.safetensors") is None  # a bare model file
    assert Choice.from_dict(result.choice.to_dict()) == result.choice


def test_choose_false_trains_the_network_only(small_config):
    result = forecast.train(small_config(choose=False), series=forecast.Series(random_walk(96)))
    assert result.choice is None and result.default is None
