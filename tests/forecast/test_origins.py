"""Rolling origins and the per-series rules (forecast/origins.py)."""

import numpy as np
import pytest

from seqrnn.errors import ConfigError
from seqrnn.forecast.origins import cut_origins, decide, per_series_rules
from seqrnn.forecast.selection import SelectionConfig


def test_origins_step_back_and_never_pass_the_end():
    y = np.arange(40.0)
    cuts = cut_origins([y, np.arange(10.0)], horizon=6, origins=3, step=4)
    assert [len(h[0]) for h in cuts.heads] == [26, 30, 34]
    np.testing.assert_array_equal(cuts.truth[0, 0], np.arange(26.0, 32.0))
    np.testing.assert_array_equal(cuts.truth[2, 0], np.arange(34.0, 40.0))  # the last 6
    assert np.isnan(cuts.truth[0, 1]).all()  # 10 - 6 - 8 = -4 values: not scored there
    np.testing.assert_array_equal(cuts.truth[2, 1], np.arange(4.0, 10.0))


def test_rules_global_per_series_and_guarded():
    # 2 origins x 3 series; the network wins overall, naive2 wins series 2 at both origins
    errors = {
        "network": np.array([[10.0, 10.0, 30.0], [10.0, 12.0, 30.0]]),
        "naive2": np.array([[20.0, 9.0, 20.0], [20.0, 14.0, 25.0]]),
    }
    rules = per_series_rules(errors)
    assert rules["global"] == ["network"] * 3
    assert rules["per series"] == ["network", "network", "naive2"]  # series 1: 11 vs 11.5
    assert rules["guarded"] == ["network", "network", "naive2"]  # series 1: naive2 won once


def test_decide_keeps_global_unless_the_last_origin_prefers_a_rule():
    noisy = {  # series-level wins at origin 0 that do not repeat at origin 1
        "network": np.array([[10.0, 30.0], [10.0, 10.0]]),
        "naive2": np.array([[20.0, 20.0], [20.0, 40.0]]),
    }
    assert decide(noisy, allow_per_series=True).rule == "global"
    steady = {
        "network": np.array([[10.0, 30.0], [10.0, 30.0]]),
        "naive2": np.array([[20.0, 20.0], [20.0, 20.0]]),
    }
    d = decide(steady, allow_per_series=True)
    assert d.rule != "global" and d.methods == ["network", "naive2"]
    assert "nested backtest" in d.reason
    assert decide(steady, allow_per_series=False).methods == ["network", "network"]


def test_selection_config_checks_origins():
    with pytest.raises(ConfigError, match="origins"):
        SelectionConfig(origins=0)
