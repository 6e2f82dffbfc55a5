"""Restarts: the candidate criterion, the choice, and that only training sessions are read."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from seqrnn.anomaly import detector_config_from_dict, train_detector
from seqrnn.anomaly.restarts import best_candidate, swapped_orders
from seqrnn.data import readers


def test_swapped_orders_are_new_sessions_only():
    sessions = [np.array([1, 2, 3]), np.array([2, 1, 3]), np.array([4, 4])]
    swaps = {tuple(s.tolist()) for s in swapped_orders(sessions)}
    assert swaps == {(1, 3, 2), (2, 3, 1)}  # (2, 1, 3) is a training session; 4 4 has none


def test_badly_fitted_candidates_are_out_then_most_swaps_caught_wins():
    figures = [
        {"training_flagged": 0.0, "swaps_caught": 0.02},
        {"training_flagged": 0.02, "swaps_caught": 0.09},  # flags its own sessions: out
        {"training_flagged": 0.001, "swaps_caught": 0.04},
    ]
    assert best_candidate(figures, 0.005) == 2
    assert best_candidate(figures[:2], 0.0) == 0
    worst = [{"training_flagged": 0.3, "swaps_caught": 0.5}, figures[1]]
    assert best_candidate(worst, 0.005) == 1  # none fits: the one flagging fewest


def test_restarts_read_only_the_training_sessions(tmp_path, monkeypatch):
    """The criterion never sees test data: the only file training reads is data.train."""
    train = tmp_path / "train.txt"
    train.write_text("1 2 3 4 5\n1 2 4 3 5\n" * 20 + "1 2 3 5\n" * 5)
    (tmp_path / "test_normal.txt").write_text("1 2 3 4 5\n")  # beside it, never to be read
    read: list[str] = []
    original = readers.read_text
    monkeypatch.setattr(readers, "read_text", lambda p: read.append(str(p)) or original(p))
    config = detector_config_from_dict(
        {
            "data": {"train": str(train), "window": 2},
            "model": {"encoder": {"hidden_size": 8, "num_layers": 1}},
            "train": {"epochs": 2, "seed": 3},
            "restarts": {"count": 2},
            "runs_dir": str(tmp_path / "runs"),
            "name": "r",
        }
    )
    result = train_detector(config)
    assert set(read) == {str(train)}
    restarts = result.metrics["restarts"]
    assert [c["seed"] for c in restarts["candidates"]] == [3, 4]
    saved = json.loads(Path(result.run_dir / "config.json").read_text())
    assert saved["train"]["seed"] == restarts["chosen_seed"]  # the winner, trained in the run
