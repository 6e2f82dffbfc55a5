"""Property-based tests over every reader: random bytes and near-valid inputs give a value or
seqrnn's own error (never another exception, never a hang: each example has a deadline), and
valid data written out reads back equal (never a silent wrong result).

Small budgets (``max_examples`` 40-80) keep the module within seconds on two cores.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seqrnn.anomaly.parse import ParseConfig, parse_lines
from seqrnn.classify.readers import SourceFormat, read_labelled
from seqrnn.config import from_dict, load_config_file, to_dict
from seqrnn.data.readers import read_id_stream, read_sessions, read_tokens
from seqrnn.errors import SeqrnnError
from seqrnn.forecast.readers import MAX_MAGNITUDE, read_series
from seqrnn.io.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from seqrnn.next_symbol.training import RunConfig

FAST = settings(
    max_examples=60,
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
    derandomize=True,  # the same examples on every run: CI is not a lottery
)
FEW = settings(FAST, max_examples=30)

_names = itertools.count()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("prop")


def put(folder: Path, data: bytes | str, suffix: str = ".txt") -> Path:
    """A new file holding ``data`` (each example its own file)."""
    path = folder / f"f{next(_names)}{suffix}"
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    return path


def value_or_own_error(fn, *args, **kwargs):
    """``fn(...)``, or ``None`` when it raised seqrnn's own error; anything else fails."""
    try:
        return fn(*args, **kwargs)
    except SeqrnnError:
        return None


#: bytes that look like the input: digits, signs, separators, a few letters and bad UTF-8
_PIECES = b'0 1 7 42 - + , . e x " 1949-01 nan 99999999999999999999 \xff \xc3 \x00 \xef\xbb\xbf'
near_text = st.lists(
    st.sampled_from([*_PIECES.split(b" "), b" ", b"\t", b"\n", b"\r\n", b"\r", b"\x0c"]),
    max_size=40,
).map(b"".join)
hostile_bytes = st.one_of(st.binary(max_size=200), near_text)
int64s = st.integers(min_value=-(2**63), max_value=2**63 - 1)


# --- sessions, id streams, tokens --------------------------------------------------------------


@FAST
@given(data=hostile_bytes)
def test_session_and_id_readers_never_crash(folder, data):
    path = put(folder, data)
    for reader in (read_sessions, read_id_stream, read_tokens):
        value_or_own_error(reader, path)


@FAST
@given(sessions=st.lists(st.lists(int64s, min_size=1, max_size=8), min_size=1, max_size=10))
def test_sessions_read_back_equal(folder, sessions):
    path = put(folder, "".join(" ".join(map(str, s)) + "\n" for s in sessions))
    assert [s.tolist() for s in read_sessions(path)] == sessions


@FAST
@given(ids=st.lists(int64s, min_size=1, max_size=30), end=st.sampled_from(["\n", "\r\n"]))
def test_id_streams_read_back_equal(folder, ids, end):
    path = put(folder, end.join(map(str, ids)) + end)
    assert read_id_stream(path).tolist() == ids


#: token characters: anything but whitespace, surrogates and a leading byte-order mark
token_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufeff"),
    min_size=1,
    max_size=6,
).filter(lambda t: not any(c.isspace() for c in t))


@FAST
@given(tokens=st.lists(token_text, min_size=1, max_size=20))
def test_tokens_read_back_equal(folder, tokens):
    path = put(folder, " ".join(tokens))
    assert read_tokens(path) == tokens


# --- CSV series --------------------------------------------------------------------------------


@FAST
@given(data=hostile_bytes, suffix=st.sampled_from([".csv", ".txt"]))
def test_series_reader_never_crashes(folder, data, suffix):
    series = value_or_own_error(read_series, put(folder, b"Date,v\n" + data, suffix))
    if series is not None:  # what is accepted is finite and within the training range
        assert np.isfinite(series.values).all()
        assert np.abs(series.values).max() <= MAX_MAGNITUDE


finite = st.floats(min_value=-MAX_MAGNITUDE, max_value=MAX_MAGNITUDE, allow_nan=False)


@FAST
@given(values=st.lists(finite, min_size=1, max_size=30), start=st.integers(1900, 2100))
def test_series_read_back_equal(folder, values, start):
    months = [f"{start + i // 12}-{i % 12 + 1:02d}" for i in range(len(values))]
    rows = "".join(f"{m},{v!r}\n" for m, v in zip(months, values, strict=True))
    series = read_series(put(folder, "Month,value\n" + rows, ".csv"))
    assert series.values.tolist() == values and series.dates == months


@FAST
@given(values=st.lists(finite, min_size=3, max_size=20), data=st.data())
def test_series_out_of_time_order_is_refused(folder, values, data):
    months = [f"{2000 + i // 12}-{i % 12 + 1:02d}" for i in range(len(values))]
    i = data.draw(st.integers(1, len(values) - 1))
    j = data.draw(st.integers(0, i - 1))
    months[i], months[j] = months[j], months[i]  # one swap: never in order any more
    rows = "".join(f"{m},{v!r}\n" for m, v in zip(months, values, strict=True))
    with pytest.raises(SeqrnnError, match="in time order"):
        read_series(put(folder, "Month,value\n" + rows, ".csv"))


# --- classification tables ---------------------------------------------------------------------


@FAST
@given(data=hostile_bytes, suffix=st.sampled_from([".csv", ".tsv", ".jsonl", ".pos"]))
def test_labelled_text_readers_never_crash(folder, data, suffix):
    header = b"text,label\n" if suffix == ".csv" else b"text\tlabel\n" if suffix == ".tsv" else b""
    value_or_own_error(read_labelled, [put(folder, header + data, suffix)])


cell_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufeff"), max_size=20
)
label_text = cell_text.map(str.strip).filter(bool)


@FAST
@given(rows=st.lists(st.tuples(cell_text, label_text), min_size=1, max_size=10))
def test_csv_table_reads_back_equal(folder, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["text", "label"])
    writer.writerows(rows)
    got = read_labelled([put(folder, out.getvalue(), ".csv")], SourceFormat.TABLE)
    assert got.texts == [t for t, _ in rows] and got.labels == [lab for _, lab in rows]


@FAST
@given(rows=st.lists(st.tuples(cell_text, label_text), min_size=1, max_size=10))
def test_jsonl_table_reads_back_equal(folder, rows):
    lines = (json.dumps({"text": t, "label": lab}, ensure_ascii=False) for t, lab in rows)
    text = "\n".join(lines) + "\n"
    got = read_labelled([put(folder, text, ".jsonl")], SourceFormat.TABLE)
    assert got.texts == [t for t, _ in rows] and got.labels == [lab for _, lab in rows]


line_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\ufeff"), max_size=20
)  # form feeds, U+2028 and other separators are part of a line


@FAST
@given(texts=st.lists(line_text.map(str.strip).filter(bool), min_size=1, max_size=10))
def test_one_text_per_line_reads_back_equal(folder, texts):
    path = put(folder, "\n".join(texts) + "\n", ".txt")
    got = read_labelled([f"pos={path}"], SourceFormat.LINES)
    assert got.texts == texts and got.labels == ["pos"] * len(texts)


# --- raw logs for `seqrnn parse` ---------------------------------------------------------------


@FEW
@given(
    lines=st.lists(st.text(max_size=30), max_size=15),
    header=st.sampled_from([None, "<Date> <Time> <Level>: <Content>"]),
)
def test_raw_log_parsing_accounts_for_every_line(lines, header):
    lines = [line.replace("\n", " ").replace("\r", " ") for line in lines]
    parsed = value_or_own_error(parse_lines, lines, ParseConfig(header=header, window_lines=2))
    assert parsed is not None
    keyed = sum(1 for k in parsed.line_keys if k)
    assert keyed + len(parsed.unassigned) == len(lines)  # each line keyed or said why not


# --- config files ------------------------------------------------------------------------------


@FAST
@given(data=hostile_bytes, suffix=st.sampled_from([".toml", ".yaml", ".json"]))
def test_config_files_never_crash(folder, data, suffix):
    loaded = value_or_own_error(load_config_file, put(folder, data, suffix))
    if loaded is not None:
        value_or_own_error(from_dict, RunConfig, loaded)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(),
    st.text(max_size=5),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
near_config = st.fixed_dictionaries(
    {},
    optional={
        "data": st.dictionaries(st.sampled_from(["window", "step", "val_fraction"]), scalars),
        "train": st.dictionaries(st.sampled_from(["epochs", "learning_rate", "cudnn"]), scalars),
        "model": st.one_of(scalars, st.fixed_dictionaries({"encoder": scalars})),
        "name": scalars,
    },
)


@FAST
@given(data=near_config)
def test_near_valid_configs_give_a_config_or_a_config_error(data):
    config = value_or_own_error(from_dict, RunConfig, data)
    if config is None:
        return
    train = data.get("train", {})
    for key in ("epochs", "learning_rate"):  # what was accepted is what was written
        if key in train:
            assert getattr(config.train, key) == float(train[key])
            assert math.isfinite(getattr(config.train, key))


@FAST
@given(
    epochs=st.integers(1, 10**6),
    lr=st.floats(1e-9, 10.0),
    window=st.integers(1, 1000),
    suffix=st.sampled_from([".json", ".yaml"]),
)
def test_configs_read_back_equal(folder, epochs, lr, window, suffix):
    config = from_dict(
        RunConfig, {"train": {"epochs": epochs, "learning_rate": lr}, "data": {"window": window}}
    )
    text = json.dumps(to_dict(config))  # JSON is also YAML
    assert from_dict(RunConfig, load_config_file(put(folder, text, suffix))) == config


# --- checkpoint headers ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def valid_checkpoint(tmp_path_factory) -> bytes:
    import torch

    path = tmp_path_factory.mktemp("ckpt") / "m.safetensors"
    save_checkpoint(path, Checkpoint({"w": torch.arange(6.0).reshape(2, 3)}, {"kind": "toy"}))
    return path.read_bytes()


@FAST
@given(data=st.binary(max_size=300))
def test_random_bytes_are_not_a_checkpoint(folder, data):
    with pytest.raises(SeqrnnError):
        load_checkpoint(put(folder, data, ".safetensors"))


@FAST
@given(data=st.data())
def test_near_valid_checkpoints_load_equal_or_are_refused(folder, valid_checkpoint, data):
    """Flip, cut or insert bytes anywhere (header length, JSON header, tensor bytes)."""
    raw = bytearray(valid_checkpoint)
    at = data.draw(st.integers(0, len(raw) - 1))
    how = data.draw(st.sampled_from(["flip", "cut", "insert"]))
    if how == "flip":
        raw[at] ^= data.draw(st.integers(1, 255))
    elif how == "cut":
        del raw[at:]
    else:
        raw[at:at] = data.draw(st.binary(min_size=1, max_size=8))
    ckpt = value_or_own_error(load_checkpoint, put(folder, bytes(raw), ".safetensors"))
    if ckpt is not None:  # accepted: then the tensors are the ones written (the SHA-256)
        assert ckpt.tensors["w"].tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


def test_an_edited_meta_is_refused(folder, valid_checkpoint):
    raw = bytearray(valid_checkpoint)
    at = raw.find(b"toy")
    raw[at : at + 3] = b"toz"
    with pytest.raises(SeqrnnError):
        load_checkpoint(put(folder, bytes(raw), ".safetensors"))
