"""Feedback: sessions an operator marks normal (and their exact kind) stop being flagged;
nothing else changes, not even sessions holding the same new key elsewhere."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from seqrnn.anomaly import detector_config_from_dict, load_detector, train_detector
from seqrnn.anomaly.detectors import SessionAggregator, TopG
from seqrnn.anomaly.feedback import FeedbackConfig, update_from_feedback
from seqrnn.anomaly.sessions import judge, score_sessions
from seqrnn.errors import CheckpointError, ConfigError
from seqrnn.io.checkpoint import load_checkpoint, save_checkpoint
from seqrnn.models.allow_list import AllowListModel

NORMAL = [[1, 2, 3, 4, 5, 6], [1, 2, 3, 5, 4, 6]]
OTHERS = [  # judged before and after: their verdicts must not move
    [1, 2, 3, 4, 5, 6],
    [1, 2, 3, 5, 4, 6],
    [1, 3, 2, 4, 5, 6],
    [1, 2, 3, 6, 5, 4],
    [2, 1, 3, 4, 5, 6],
    [1, 2, 3, 4, 6, 5],
]
FED_BACK = [[1, 2, 3, 4, 7, 6], [1, 2, 3, 4, 7, 6]]  # a new normal event, key 7
SAME_KIND = [[9, 9, 3, 4, 7, 6]]  # other start, then the fed-back transitions (window 2)
KEY_7_ELSEWHERE = [[1, 2, 7, 4, 5, 6], [1, 2, 3, 4, 5, 7]]  # key 7 after other windows


def _verdicts(model, sessions):
    scores = score_sessions(model, [np.array(s) for s in sessions], top_k=2)
    return judge(scores, TopG(2), SessionAggregator(3)).anomalous


@pytest.fixture(scope="module")
def parent(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("feedback")
    train = tmp / "train.txt"
    train.write_text("".join(" ".join(map(str, s)) + "\n" for s in NORMAL * 20))
    config = detector_config_from_dict(
        {
            "data": {"train": str(train), "window": 2},
            "model": {"encoder": {"hidden_size": 16, "num_layers": 1}},
            "train": {"epochs": 60, "batch_size": 16, "learning_rate": 0.03},
            "restarts": {"count": 1},
            "runs_dir": str(tmp),
            "name": "parent",
        }
    )
    return train_detector(config).run_dir


def test_feedback_changes_only_the_fed_back_sessions_verdicts(parent):
    before = load_detector(parent)
    assert _verdicts(before, FED_BACK + KEY_7_ELSEWHERE).all()  # key 7 is unknown: flagged
    others_before = _verdicts(before, OTHERS)
    assert others_before.tolist() == [False, False, True, True, True, True]
    update = update_from_feedback(parent, [np.array(s) for s in FED_BACK], TopG(2))
    assert update.run_dir != parent and update.run_dir.name == "parent-feedback"
    after = load_detector(update.run_dir)
    assert isinstance(after, AllowListModel)
    assert not _verdicts(after, FED_BACK).any()
    assert _verdicts(after, OTHERS).tolist() == others_before.tolist()
    assert _verdicts(after, KEY_7_ELSEWHERE).all()  # key 7 is normal only where it was seen
    assert _verdicts(after, SAME_KIND).tolist() == _verdicts(before, [[9, 9, 3, 4, 5, 6]]).tolist()
    record = json.loads((update.run_dir / "metrics.json").read_text())["feedback"]
    assert record["still_flagged"] == 0 and record["sessions"] == 2
    assert (parent / "best.safetensors").is_file()  # the parent is untouched
    assert _verdicts(load_detector(parent), FED_BACK).all()
    again = update_from_feedback(update.run_dir, [np.array([1, 2, 3, 6, 5, 4])], TopG(2))
    assert again.record["allowed_rows"] > record["allowed_rows"]  # one base, rows added
    assert not _verdicts(load_detector(again.run_dir), [*FED_BACK, OTHERS[3]]).any()


def test_allowed_rows_rank_first_and_a_moved_base_is_refused(parent, tmp_path):
    base = load_detector(parent)
    model = AllowListModel(base, [["3", "4", "7"]])  # key 7 allowed after 3 4 only
    ids = model.vocab.index
    logp = model.next_log_probs(torch.tensor([[ids["3"], ids["4"]], [ids["2"], ids["3"]]]))
    assert logp[0, ids["7"]] == logp[0].max()  # ranks first (ties count in its favour)
    assert torch.isneginf(logp[1, ids["7"]])  # after any other window: never
    torch.testing.assert_close(logp.exp().sum(-1), torch.ones(2))
    update = update_from_feedback(
        parent, [np.array(FED_BACK[0])], TopG(2), FeedbackConfig(name="x")
    )
    other = load_checkpoint(parent / "best.safetensors")
    other.meta["note"] = "another model"
    save_checkpoint(update.run_dir / "base.safetensors", other)
    with pytest.raises(CheckpointError, match="not the base model"):
        load_detector(update.run_dir)


def test_feedback_without_sessions_is_refused(parent):
    with pytest.raises(ConfigError, match="feedback file is empty"):
        update_from_feedback(parent, [], TopG(2))
