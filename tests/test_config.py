import pytest

from seqrnn.config import ConfigError, from_dict, load_config_file, to_dict
from seqrnn.next_symbol.training import RunConfig, run_config_from_dict
from seqrnn.nn.encoder import Cell


def test_unknown_key_suggests_the_near_one():
    with pytest.raises(
        ConfigError,
        match=r"config\.train: unknown key 'learning_rte' \(did you "
        r"mean 'learning_rate'\?\)",
    ):
        run_config_from_dict({"train": {"learning_rte": 0.1}})


def test_bad_enum_value_lists_choices():
    with pytest.raises(ConfigError, match="'lstn' is not one of rnn, lstm, gru"):
        run_config_from_dict({"model": {"encoder": {"cell": "lstn"}}})


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("data", "window", 0, "data.window must be a positive integer, got 0"),
        ("data", "window", -2, "data.window must be a positive integer, got -2"),
        ("train", "batch_size", 0, "batch_size must be a positive integer, got 0"),
        ("train", "learning_rate", -1, "learning_rate must be positive"),
    ],
)
def test_non_positive_sizes(section, key, value, message):
    with pytest.raises(ConfigError, match=message):
        run_config_from_dict({section: {key: value}})


def test_roundtrip_through_toml_and_yaml(tmp_path):
    (tmp_path / "c.toml").write_text('[model.encoder]\ncell = "gru"\nhidden_size = 32\n')
    (tmp_path / "c.yaml").write_text("model:\n  encoder:\n    cell: gru\n    hidden_size: 32\n")
    a = run_config_from_dict(load_config_file(tmp_path / "c.toml"))
    b = run_config_from_dict(load_config_file(tmp_path / "c.yaml"))
    assert a == b and a.model.encoder.cell is Cell.GRU
    assert from_dict(RunConfig, to_dict(a)) == a


def test_unparsable_config_names_file(tmp_path):
    (tmp_path / "bad.toml").write_text("[model\n")
    with pytest.raises(ConfigError, match=r"bad\.toml: cannot parse"):
        load_config_file(tmp_path / "bad.toml")
