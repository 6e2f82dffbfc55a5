"""Calibration to a false-alarm budget: the threshold rule, the refusals, and cross-fitting on
synthetic sessions whose false-positive rate on fresh normal sessions is close to the budget."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from seqrnn.anomaly import detector_config_from_dict, train_detector
from seqrnn.anomaly.calibration import (
    Statistic,
    check_enough,
    fit_budget,
    fold_indices,
    min_sessions,
    read_calibration,
    singular_sessions,
)
from seqrnn.anomaly.detectors import SessionAggregator
from seqrnn.anomaly.fit import HeldOut
from seqrnn.anomaly.sessions import judge, score_sessions
from seqrnn.anomaly.workflow import detect_config_for
from seqrnn.errors import ConfigError


def test_fit_budget_flags_at_most_the_budget():
    scores = np.concatenate([np.arange(995, dtype=float), [np.inf] * 5])  # 1,000 sessions
    cal = fit_budget(scores, 0.01, Statistic.NLL, 5)
    assert np.sum(scores > cal.threshold) == 10  # 5 always flagged + the 5 highest finite
    assert cal.heldout_fpr == 0.01 and cal.always_flagged == 5
    assert cal.threshold == 989.5  # half-way between the highest kept (989) and 990
    rank = fit_budget(np.repeat([1.0, 2.0, 3.0, 7.0], 250), 0.3, Statistic.RANK, 5)
    assert rank.threshold == 3.0 and rank.detector().describe() == "top-g, g = 3"


def test_budget_that_inf_scores_already_exceed_is_refused():
    scores = np.concatenate([np.zeros(980), [np.inf] * 20])
    with pytest.raises(ConfigError, match="20 of 1,000 held-out normal sessions are flagged"):
        fit_budget(scores, 0.01, Statistic.NLL, 5)


def test_too_few_sessions_for_the_budget_says_how_many():
    assert min_sessions(0.001) == 3000 and min_sessions(0.01) == 300
    with pytest.raises(ConfigError) as err:
        check_enough(100, 0.001, "train.txt")
    assert str(err.value) == (
        "--target-fpr 0.001 needs at least 3,000 normal training sessions (no false alarm "
        "among n held-out sessions only bounds the rate by about 3/n), but train.txt has 100: "
        "give more normal sessions, or a budget of at least 0.03"
    )


def test_folds_cover_every_session_once():
    folds = fold_indices(23, 5, seed=1)
    assert sorted(np.concatenate(folds).tolist()) == list(range(23))
    assert {len(f) for f in folds} == {4, 5}


def _session(rng: np.random.Generator) -> list[int]:
    """A start, then 6 keys: mostly 3, sometimes 4, rarely 5 or 6 (each a normal event)."""
    return [1, 2, *rng.choice([3, 4, 5, 6], size=6, p=[0.75, 0.17, 0.05, 0.03]).tolist()]


def test_cross_fitted_budget_holds_on_fresh_sessions(tmp_path):
    rng = np.random.default_rng(0)
    train = tmp_path / "train.txt"
    train.write_text("".join(" ".join(map(str, _session(rng))) + "\n" for _ in range(300)))
    config = detector_config_from_dict(
        {
            # count weights: probabilities follow frequencies, so rare keys score higher
            "data": {"train": str(train), "window": 2, "window_weights": "count"},
            "model": {"encoder": {"hidden_size": 8, "num_layers": 1}},
            "train": {"epochs": 15, "batch_size": 64, "learning_rate": 0.02},
            "restarts": {"count": 1},
            "calibration": {"target_fpr": 0.1, "folds": 3},
            "runs_dir": str(tmp_path),
            "name": "cal",
        }
    )
    run = train_detector(config)
    recorded = json.loads((run.run_dir / "metrics.json").read_text())["calibration"]
    assert recorded["target_fpr"] == 0.1 and recorded["sessions"] == 300
    cal = read_calibration(run.run_dir)
    assert cal is not None and cal.heldout_fpr <= 0.1
    detect_config, applied = detect_config_for(run.run_dir, {"g": None})
    assert applied == cal and detect_config.threshold == cal.threshold
    fresh = [np.array(_session(rng)) for _ in range(2000)]
    scores = score_sessions(run.model, fresh, top_k=1)
    rate = judge(scores, cal.detector(), SessionAggregator(3)).anomalous.mean()
    assert 0.05 <= rate <= 0.2  # the budget within a factor of 2, on sessions never seen
    _, ignored = detect_config_for(run.run_dir, {"g": 9})  # an explicit detector wins
    assert ignored is None


def test_singular_sessions_own_a_row_no_other_session_has():
    sessions = [np.array(s) for s in ([2, 3, 4], [2, 3, 4], [2, 3, 5], [3, 4])]
    # window 1: [2 3 4] twice (shared rows), [2 3 5] owns "3 -> 5", [3 4] owns "<pad> -> 3"
    assert singular_sessions(sessions, 1).tolist() == [False, False, True, True]


def test_a_session_whose_rows_all_occur_elsewhere_leaves_the_model_unchanged(tmp_path):
    """Why the final model scores the sessions that are not singular: training without one
    gives the very same model, so its score is exactly the held-out one."""
    rng = np.random.default_rng(1)
    sessions = [_session(rng) for _ in range(40)]
    plan = HeldOut.plan(_tiny(tmp_path, sessions), [np.array(s) for s in sessions])
    others = np.flatnonzero(plan.others())
    assert plan.grouped == sum(len(g) for g in plan.groups) and 0 < len(others) < 40
    drop = int(others[0])
    config = _tiny(tmp_path, [s for i, s in enumerate(sessions) if i != drop])
    full = train_detector(_tiny(tmp_path, sessions)).model.net.state_dict()
    without = train_detector(config).model.net.state_dict()
    assert all(torch.equal(full[k], without[k]) for k in full)


def _tiny(tmp_path, sessions: list) -> object:
    path = tmp_path / f"train{len(sessions)}.txt"
    path.write_text("".join(" ".join(map(str, s)) + "\n" for s in sessions))
    return detector_config_from_dict(
        {
            "data": {"train": str(path), "window": 2},
            "model": {"encoder": {"hidden_size": 8, "num_layers": 1}},
            "train": {"epochs": 2, "batch_size": 16},
            "restarts": {"count": 1},
            "runs_dir": "",
        }
    )
