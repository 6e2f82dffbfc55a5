"""Feedback: sessions an operator marks normal stop being flagged; nothing else changes."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from seqrnn.anomaly import detector_config_from_dict, load_detector, train_detector
from seqrnn.anomaly.detectors import SessionAggregator, TopG
from seqrnn.anomaly.feedback import grow_vocabulary, update_from_feedback
from seqrnn.anomaly.sessions import judge, score_sessions
from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import ConfigError
from seqrnn.nn.encoder import EncoderConfig
from seqrnn.nn.next_symbol import NextSymbolConfig, NextSymbolNet

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
    assert _verdicts(before, FED_BACK).all()  # key 7 is unknown: flagged
    others_before = _verdicts(before, OTHERS)
    assert others_before.tolist() == [False, False, True, True, True, True]
    update = update_from_feedback(parent, [np.array(s) for s in FED_BACK], TopG(2))
    assert update.run_dir != parent and update.run_dir.name == "parent-feedback"
    after = load_detector(update.run_dir)
    assert not _verdicts(after, FED_BACK).any()
    assert _verdicts(after, OTHERS).tolist() == others_before.tolist()
    record = json.loads((update.run_dir / "metrics.json").read_text())["feedback"]
    assert record["still_flagged"] == 0 and record["sessions"] == 2
    assert (parent / "best.safetensors").is_file()  # the parent is untouched
    assert _verdicts(load_detector(parent), FED_BACK).all()


def test_feedback_without_sessions_is_refused(parent):
    with pytest.raises(ConfigError, match="feedback file is empty"):
        update_from_feedback(parent, [], TopG(2))


def test_grown_vocabulary_predicts_as_before():
    vocab = Vocabulary(["1", "2", "3"])
    net = NextSymbolNet(NextSymbolConfig(len(vocab), 0, EncoderConfig(hidden_size=4)))
    bigger, grown = grow_vocabulary(net, vocab, [np.array([1, 9])])
    assert grown.symbols[: len(vocab)] == vocab.symbols and "9" in grown
    x = torch.tensor([[2, 3, 4]])  # [B, T] ids known to both
    old, new = net(x)[0], bigger(x)[0]  # [B, V] logits, [B, V + 1]
    torch.testing.assert_close(new[:, : len(vocab)], old)  # old keys: as before
    assert (new[:, len(vocab) :] < old.min()).all()  # the new key: unlikely until trained
