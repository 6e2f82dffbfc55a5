"""Text run configs: user settings over the text defaults, the time budget, typos."""

from __future__ import annotations

import pytest

from seqrnn.errors import ConfigError
from seqrnn.textgen.workflow import text_config_from_dict


def test_user_settings_go_over_the_text_defaults() -> None:
    c = text_config_from_dict({"data": {"train": "a.txt"}, "train": {"batch_size": 8}})
    assert c.data.train == ("a.txt",) and c.data.seq_len == 64
    assert c.train.batch_size == 8 and c.train.learning_rate == 6e-3  # default kept
    assert c.model.encoder.hidden_size == 256 and c.model.head == "per_step"


def test_a_time_budget_alone_ends_training() -> None:
    assert text_config_from_dict({"train": {"minutes": 2}}).train.epochs >= 1_000_000
    budget_and_epochs = {"train": {"minutes": 2, "epochs": 3}}
    assert text_config_from_dict(budget_and_epochs).train.epochs == 3


def test_typo_gets_a_suggestion() -> None:
    with pytest.raises(
        ConfigError, match=r"config.data: unknown key 'seq_lne' \(did you mean 'seq_len'\?\)"
    ):
        text_config_from_dict({"data": {"seq_lne": 32}})
