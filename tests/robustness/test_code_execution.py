"""No file seqrnn reads may run code: crafted jsonpickle and pickle payloads placed as the
drain3 state, a checkpoint, a config file and a templates CSV leave their marker uncreated and
end in one error line, through every verb that reads them."""

from __future__ import annotations

import base64
import json
import os
import pickle
import zlib
from pathlib import Path

import pytest

from seqrnn.anomaly.drain_state import load_state
from seqrnn.anomaly.parse import ParseConfig, parse_lines
from seqrnn.data.samples import sample_path
from seqrnn.errors import InputError

BLOCK = r"blk_-?\d+"
LOG = "Receiving block blk_1 src 10.0.0.1\nDeleting block blk_1 file /x\n"


class _Evil:
    """Pickles to ``os.system(command)``: unpickling it runs the command."""

    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def _payloads(marker: Path) -> dict[str, bytes]:
    command = f"touch {marker}"
    jp = json.dumps({"py/reduce": [{"py/function": "os.system"}, {"py/tuple": [command]}]})
    return {
        "jsonpickle": jp.encode(),
        "drain3": base64.b64encode(zlib.compress(jp.encode())),  # drain3's own state format
        "pickle": pickle.dumps(_Evil(command)),
    }


PAYLOADS = ["jsonpickle", "drain3", "pickle"]


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "MARKER"


def _plant(tmp_path: Path, marker: Path, kind: str, name: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_payloads(marker)[kind])
    return path


def test_the_payloads_are_live(tmp_path, marker):
    """The payloads do run code when given to jsonpickle / pickle: the tests below mean it."""
    import jsonpickle

    jsonpickle.decode(_payloads(marker)["jsonpickle"].decode())
    assert marker.exists()
    marker.unlink()
    pickle.loads(_payloads(marker)["pickle"])
    assert marker.exists()


# ---- drain3 state ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", PAYLOADS)
def test_parse_with_a_crafted_state_runs_nothing(tmp_path, marker, kind, run_cli, one_line_error):
    state = _plant(tmp_path, marker, kind, "state.json")
    (tmp_path / "a.log").write_text(LOG)
    args = ["parse", tmp_path / "a.log", "--out", tmp_path / "p", "--session-regex", BLOCK]
    r = run_cli([*args, "--state", state])
    one_line_error(r, str(state))
    assert not marker.exists()
    assert state.read_bytes() == _payloads(marker)[kind]  # refused, not overwritten


@pytest.mark.parametrize("name", ["drain3_state.json", "drain3_state.bin"])
@pytest.mark.parametrize("kind", PAYLOADS)
def test_parse_with_a_crafted_state_in_the_output_folder_runs_nothing(
    tmp_path, marker, kind, name, run_cli, one_line_error
):
    """No --state flag: the default state in OUT (new name, or the old jsonpickle one)."""
    state = _plant(tmp_path, marker, kind, f"p/{name}")
    (tmp_path / "a.log").write_text(LOG)
    r = run_cli(["parse", tmp_path / "a.log", "--out", tmp_path / "p", "--session-regex", BLOCK])
    one_line_error(r, str(state))
    assert not marker.exists()


@pytest.mark.parametrize("kind", PAYLOADS)
def test_detect_follow_logs_with_a_crafted_state_runs_nothing(
    tmp_path, marker, kind, markov_model, run_cli, one_line_error
):
    state = _plant(tmp_path, marker, kind, "state.json")
    args = ["detect", markov_model, "--follow", "--logs", "--session-regex", BLOCK]
    r = run_cli([*args, "--state", state], input=LOG)
    one_line_error(r, str(state))
    assert not marker.exists()


def test_the_old_drain3_state_is_refused_by_name(tmp_path, marker):
    state = _plant(tmp_path, marker, "drain3", "old.bin")
    with pytest.raises(InputError, match=r"an old drain3 state \(jsonpickle, which can run code"):
        load_state(state)


def test_a_missing_follow_state_is_an_error_not_a_fresh_numbering(
    tmp_path, markov_model, run_cli, one_line_error
):
    args = ["detect", markov_model, "--follow", "--logs", "--state", tmp_path / "none.json"]
    one_line_error(run_cli(args, input=LOG), "drain3 state file not found")


@pytest.mark.parametrize(
    "mutate, problem",
    [
        (lambda d: d.update(version=9), "'version' 9"),
        (lambda d: d["clusters"].append(dict(d["clusters"][0])), "repeated"),
        (lambda d: d["clusters"][0].update(template="x"), "'template' must be a JSON list"),
        (lambda d: d["drain"].update(similarity=float("nan")), "'similarity' must be in"),
        (lambda d: d["tree"]["clusters"].append(99), "unknown cluster id"),
        (lambda d: d.update(masks=["("]), "not a valid regex"),
        (lambda d: d.update(clusters_counter=0), "'clusters_counter' too small"),
    ],
)
def test_a_damaged_state_is_refused_with_the_field(tmp_path, mutate, problem):
    state = tmp_path / "s.json"
    parse_lines(LOG.splitlines(), ParseConfig(session_regex=BLOCK, state=str(state)))
    doc = json.loads(state.read_text())
    mutate(doc)
    state.write_text(json.dumps(doc))
    with pytest.raises(InputError, match=problem):
        load_state(state)


def test_state_in_two_runs_gives_the_keys_of_one_run(tmp_path):
    """Saving and reloading the state is exact: two files parsed one after the other with the
    state get the keys and templates that one parse of both together gives."""
    lines = [
        f"Receiving block blk_{i} src /10.0.0.{i % 7}:50010 dest /10.0.0.{i % 5}:50010"
        if i % 3
        else f"PacketResponder {i % 4} for block blk_{i} terminating"
        for i in range(60)
    ] + [f"Deleting block blk_{i} file /data/{i}" for i in range(20)]
    state = str(tmp_path / "s.json")
    first = parse_lines(lines[:37], ParseConfig(session_regex=BLOCK, state=state))
    second = parse_lines(lines[37:], ParseConfig(session_regex=BLOCK, state=state))
    whole = parse_lines(lines, ParseConfig(session_regex=BLOCK))
    assert first.line_keys + second.line_keys == whole.line_keys
    assert second.templates == whole.templates


# ---- checkpoints ------------------------------------------------------------------------------

MODEL_VERBS = [
    ["evaluate", "{m}", "{data}"],
    ["predict", "{m}", "5"],
    ["generate", "{m}"],
    ["score", "{m}", "{data}", "--out", "{out}"],
    ["summary", "{m}"],
    ["detect", "{m}", "--follow"],
    ["detect", "{m}", "{data}", "--out", "{out}"],
]


@pytest.mark.parametrize("verb", MODEL_VERBS, ids=lambda v: "-".join(v[:3:2]))
@pytest.mark.parametrize("kind", PAYLOADS)
def test_a_crafted_checkpoint_runs_nothing(tmp_path, marker, kind, verb, run_cli, one_line_error):
    model = _plant(tmp_path, marker, kind, "model.safetensors")
    data = sample_path("hdfs", "test_normal.txt")
    args = [a.format(m=model, data=data, out=tmp_path / "o") for a in verb]
    one_line_error(run_cli(args, input="5\n"), str(model))
    assert not marker.exists()


@pytest.mark.parametrize("kind", ["jsonpickle", "drain3"])
def test_a_safetensors_file_with_a_crafted_header_runs_nothing(
    tmp_path, marker, kind, run_cli, one_line_error
):
    import torch
    from safetensors.torch import save_file

    model = tmp_path / "model.safetensors"
    header = _payloads(marker)[kind].decode()
    save_file({"w": torch.zeros(1)}, str(model), metadata={"seqrnn": header})
    one_line_error(run_cli(["summary", model]), str(model), "not a seqrnn checkpoint")
    assert not marker.exists()


# ---- config files -----------------------------------------------------------------------------

TRAIN_VERBS = [
    ["train", "--config", "{c}"],
    ["train-detector", "--config", "{c}", "--train", "{data}"],
    ["forecast", "train", "--config", "{c}"],
    ["classify", "train", "--config", "{c}"],
    ["text", "train", "--config", "{c}"],
    ["tune", "--config", "{c}"],
]


def _config_payload(marker: Path, kind: str, suffix: str) -> bytes:
    if kind == "pickle":
        return _payloads(marker)["pickle"]
    command = f"touch {marker}"
    if suffix == ".yaml":  # PyYAML's own code-running tag
        return f'!!python/object/apply:os.system ["{command}"]\n'.encode()
    if suffix == ".toml":
        return (
            f'"py/reduce" = [{{"py/function" = "os.system"}}, {{"py/tuple" = ["{command}"]}}]\n'
        ).encode()
    return _payloads(marker)["jsonpickle"]


@pytest.mark.parametrize("verb", TRAIN_VERBS, ids=lambda v: v[0] if v[1] == "--config" else v[1])
@pytest.mark.parametrize("suffix", [".json", ".yaml", ".toml"])
@pytest.mark.parametrize("kind", ["jsonpickle", "pickle"])
def test_a_crafted_config_file_runs_nothing(
    tmp_path, marker, kind, suffix, verb, run_cli, one_line_error
):
    config = tmp_path / f"c{suffix}"
    config.write_bytes(_config_payload(marker, kind, suffix))
    data = sample_path("hdfs", "train_normal.txt")
    args = [a.format(c=config, data=data) for a in verb]
    r = run_cli([*args, "--runs-dir", tmp_path / "runs"] if verb[0] != "tune" else args)
    line = one_line_error(r)
    assert str(config) in line or "'py/reduce'" in line or verb[0] == "tune", line
    assert not marker.exists()
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


# ---- templates CSV ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", PAYLOADS)
def test_a_crafted_templates_csv_runs_nothing(
    tmp_path, marker, kind, markov_model, run_cli, one_line_error
):
    templates = _plant(tmp_path, marker, kind, "templates.csv")
    data = sample_path("hdfs", "test_abnormal.txt")
    args = ["detect", markov_model, data, "--templates", templates, "--out", tmp_path / "o"]
    one_line_error(run_cli(args), str(templates))
    assert not marker.exists()
