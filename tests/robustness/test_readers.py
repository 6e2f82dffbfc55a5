"""Hostile files for every reader: ``FILE:LINE: what was expected``, never a traceback, and
config values that are not exactly what a field takes are refused rather than bent."""

from __future__ import annotations

import math

import pytest
from click.testing import CliRunner

from seqrnn.anomaly.inputs import read_labelled_csv, read_labels, read_templates
from seqrnn.cli.main import cli
from seqrnn.config import from_dict, load_config_file
from seqrnn.data.readers import decode_lines, read_id_stream, read_sessions, read_tokens
from seqrnn.errors import ConfigError, InputError
from seqrnn.train.config import TrainConfig

HUGE = "1" * 26  # a 26-digit key: more than int64 holds
TOO_LARGE = f"{HUGE!r} is too large for an integer id (at most 9223372036854775807)"


def run(*args, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], **kwargs)


# --- integer keys and ids ----------------------------------------------------------------------


def test_a_26_digit_key_in_a_session_names_file_and_line(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text(f"5 22\n5 {HUGE} 9\n")
    with pytest.raises(InputError) as err:
        read_sessions(path)
    assert str(err.value) == f"{path}:2: {TOO_LARGE}"


def test_a_26_digit_id_in_a_stream_names_file_and_line(tmp_path):
    path = tmp_path / "ids.txt"
    path.write_text(f"5\n22\n{HUGE}\n")
    with pytest.raises(InputError) as err:
        read_id_stream(path)
    assert str(err.value) == f"{path}:3: {TOO_LARGE}"


def test_a_26_digit_key_in_a_labelled_csv(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text(f"Sequence,label\n5 22,0\n{HUGE} 9,1\n")
    with pytest.raises(InputError) as err:
        read_labelled_csv(path)
    assert str(err.value) == (
        f"{path}:3: {HUGE!r} is too large for an integer key (at most 9223372036854775807)"
    )


def test_a_session_file_read_back_equal_with_crlf_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "s.txt"
    path.write_bytes(b"\xef\xbb\xbf5 22\r\n-3 9\r\n")
    assert [s.tolist() for s in read_sessions(path)] == [[5, 22], [-3, 9]]


def test_line_numbers_count_line_breaks_only(tmp_path):
    """A form feed inside a line is whitespace, not a new line: line 2 stays line 2."""
    path = tmp_path / "s.txt"
    path.write_text("5\x0c22\n5 x\n")
    with pytest.raises(InputError, match=r"s.txt:2: 'x' is not an integer id"):
        read_sessions(path)


# --- bytes that are not UTF-8 ------------------------------------------------------------------


@pytest.mark.parametrize("reader", [read_sessions, read_id_stream, read_tokens])
def test_non_utf8_bytes_name_file_and_line(tmp_path, reader):
    path = tmp_path / "x.txt"
    path.write_bytes(b"5\n22\n\xff\xfe\n")
    with pytest.raises(InputError) as err:
        reader(path)
    assert str(err.value) == f"{path}:3: not UTF-8 text (invalid start byte)"


def test_non_utf8_labels_and_templates(tmp_path):
    labels = tmp_path / "labels.txt"
    labels.write_bytes(b"0\n\xff\n")
    with pytest.raises(InputError, match=r"labels.txt:2: not UTF-8 text"):
        read_labels(labels, 2)
    templates = tmp_path / "t.csv"
    templates.write_bytes(b"key,template\n5,ok\n9,caf\xe9\n")
    with pytest.raises(InputError, match=r"t.csv:3: not UTF-8 text"):
        read_templates(templates)


def test_decode_lines_names_the_line():
    assert decode_lines([b"a b\r\n", b"c\n"], "<stdin>") == ["a b", "c"]
    with pytest.raises(InputError) as err:
        decode_lines([b"a\n", b"\x80\n"], "<stdin>")
    assert str(err.value) == "<stdin>:2: not UTF-8 text (invalid start byte)"


@pytest.fixture(scope="module")
def markov(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("markov")
    train = tmp / "train.txt"
    train.write_text("5 5 22 11 9\n22 5 11 9 26\n" * 5)
    res = run("baseline", "markov", "--train", train, "--out", tmp / "m.safetensors")
    assert res.exit_code == 0, res.output
    return tmp / "m.safetensors"


def test_predict_input_that_is_not_utf8_exits_1(markov, tmp_path):
    prefixes = tmp_path / "p.txt"
    prefixes.write_bytes(b"5 22\n5 \xff\n")
    res = run("predict", markov, "--input", prefixes)
    assert res.exit_code == 1
    assert res.output == f"Error: {prefixes}:2: not UTF-8 text (invalid start byte)\n"


def test_classify_predict_input_that_is_not_utf8_exits_1(tmp_path):
    pos, neg = tmp_path / "good.txt", tmp_path / "bad.txt"
    pos.write_text("great film\nlovely acting\n")
    neg.write_text("awful film\nboring acting\n")
    args = ["classify", "train", "--train", pos, "--train", neg, "--model", "nb"]
    res = run(*args, "--val-fraction", "0", "--runs-dir", tmp_path, "--name", "nb")
    assert res.exit_code == 0, res.output
    res = run("classify", "predict", tmp_path / "nb", input=b"great\n\xc3\x28 film\n")
    assert res.exit_code == 1
    assert res.output == "Error: <stdin>:2: not UTF-8 text (invalid continuation byte)\n"


# --- templates: a malformed CSV ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("key,template\n5,ok\n9,a,b\n", "3: expected 2 fields like the header, got 3"),
        ('key,template\n5,"open quote\n', "2: malformed row (unexpected end of data)"),
        ("", "1: the file is empty (expected a header row)"),
        ("id,text\n5,ok\n", "1: expected columns key,template or EventId,EventTemplate"),
    ],
)
def test_malformed_templates_csv(tmp_path, text, problem):
    path = tmp_path / "t.csv"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        read_templates(path)
    assert str(err.value) == f"{path}:{problem}"


def test_templates_read_back_equal(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('EventId,EventTemplate\nE5,"Receiving block <*>, size <*>"\nE22,done\n')
    assert read_templates(path) == {"5": "Receiving block <*>, size <*>", "22": "done"}


def test_detect_with_a_malformed_templates_csv_exits_1(markov, tmp_path):
    sessions, templates = tmp_path / "s.txt", tmp_path / "t.csv"
    sessions.write_text("5 5 22 11 9\n")
    templates.write_text("key,template\n5,a,b\n")
    res = run("detect", markov, sessions, "--templates", templates, "--out", tmp_path / "o")
    assert res.exit_code == 1
    assert res.output == f"Error: {templates}:2: expected 2 fields like the header, got 3\n"


# --- config files and values -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1.5, "config.epochs: expected an integer, got 1.5"),
        (True, "config.epochs: expected an integer, got True"),
        (math.nan, "config.epochs: expected an integer, got nan"),
        ("1.5", "config.epochs: expected an integer, got '1.5'"),
        ([3], "config.epochs: expected one int value, got [3]"),
    ],
)
def test_integer_fields_take_integers_only(value, message):
    with pytest.raises(ConfigError) as err:
        from_dict(TrainConfig, {"epochs": value})
    assert str(err.value) == message


def test_whole_floats_and_numeric_strings_are_still_integers():
    assert from_dict(TrainConfig, {"epochs": 2.0, "batch_size": "8"}).epochs == 2
    assert from_dict(TrainConfig, {"batch_size": "1e3"}).batch_size == 1000


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (math.nan, "config.learning_rate: expected a finite number, got nan"),
        (math.inf, "config.learning_rate: expected a finite number, got inf"),
        ("-inf", "config.learning_rate: expected a finite number, got '-inf'"),
        (False, "config.learning_rate: expected a finite number, got False"),
        (10**400, "config.learning_rate: expected a finite number, got '1" + "0" * 35 + "..."),
    ],
)
def test_float_fields_take_finite_numbers_only(value, message):
    with pytest.raises(ConfigError) as err:
        from_dict(TrainConfig, {"learning_rate": value})
    assert str(err.value) == message


def test_bool_fields_do_not_take_other_numbers():
    assert from_dict(TrainConfig, {"cudnn": 0}).cudnn is False
    with pytest.raises(ConfigError, match=r"config.cudnn: expected bool, got 2"):
        from_dict(TrainConfig, {"cudnn": 2})


def test_a_scalar_where_a_table_is_expected(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("data = 5\n")
    res = run("train", "--config", config, "--window", "3")
    assert res.exit_code == 1
    assert res.output == f"Error: {config}: data: expected a table of settings, got 5\n"
    config.write_text("train = 5\n")
    res = run("text", "train", "--config", config)
    assert res.exit_code == 1
    assert res.output == "Error: config.train: expected a table of settings, got 5\n"
    with pytest.raises(ConfigError, match="config: expected a table of settings, got 5"):
        from_dict(TrainConfig, 5)  # type: ignore[arg-type]


def test_a_config_file_that_is_not_utf8(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_bytes(b"train:\n  epochs: \xff\n")
    with pytest.raises(ConfigError) as err:
        load_config_file(config)
    assert str(err.value) == f"{config}: not a config file: not UTF-8 text (invalid start byte)"
