"""The checkpoint's SHA-256 covers its JSON header as well as its tensors: a changed window,
vocabulary, smoothing or scaler is refused like a changed weight, and a vocabulary that lists a
symbol twice is refused by name (not a traceback)."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import CheckpointError
from seqrnn.io.checkpoint import Checkpoint, _digest, load_checkpoint, save_checkpoint
from seqrnn.models.registry import load_next_symbol_model

MISMATCH = "checksum mismatch (the file was changed or damaged)"


def _read(path: Path) -> tuple[dict, bytes]:
    """(safetensors header, tensor bytes) of a file."""
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8 : 8 + n]), raw[8 + n :]


def _rewrite_meta(path: Path, change: Callable[[dict], None], resign: bool = False) -> None:
    """Edit the seqrnn JSON document in place (tensor bytes untouched); ``resign`` recomputes
    the digest, as a bug or a careful forger would."""
    header, data = _read(path)
    meta = json.loads(header["__metadata__"]["seqrnn"])
    change(meta)
    if resign:
        meta["sha256"] = _digest(load_checkpoint_tensors(path), meta)
    header["__metadata__"]["seqrnn"] = json.dumps(meta)
    blob = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(blob)) + blob + data)


def load_checkpoint_tensors(path: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(str(path))


@pytest.fixture
def ckpt(tmp_path: Path) -> Path:
    path = tmp_path / "c.safetensors"
    meta = {
        "kind": "test",
        "window": 10,
        "vocab": ["5", "22", "11"],
        "scaler": {"mean": 1.5, "std": 0.25},
    }
    save_checkpoint(path, Checkpoint({"w": torch.arange(6.0).reshape(2, 3)}, meta))
    return path


def test_an_untouched_checkpoint_loads(ckpt):
    meta = load_checkpoint(ckpt).meta
    assert meta["window"] == 10 and meta["scaler"] == {"mean": 1.5, "std": 0.25}


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.update(window=11),
        lambda m: m["vocab"].reverse(),
        lambda m: m["vocab"].append("7"),
        lambda m: m["scaler"].update(mean=1.6),
        lambda m: m.update(kind="markov"),
        lambda m: m.update(extra=1),
        lambda m: m.pop("scaler"),
    ],
    ids=["window", "vocab-order", "vocab-entry", "scaler", "kind", "added-field", "removed-field"],
)
def test_any_change_to_the_header_fails_the_checksum(ckpt, change):
    _rewrite_meta(ckpt, change)
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(ckpt)
    assert str(info.value) == f"{ckpt}: {MISMATCH}"


def test_one_flipped_byte_in_the_header_fails_the_checksum(ckpt):
    raw = ckpt.read_bytes()
    assert raw.count(b'\\"window\\": 10') == 1
    ckpt.write_bytes(raw.replace(b'\\"window\\": 10', b'\\"window\\": 19'))
    with pytest.raises(CheckpointError, match="checksum mismatch"):
        load_checkpoint(ckpt)


def test_a_version_1_checkpoint_is_refused_with_retrain(tmp_path):
    """Version 1 checked the tensors only: its header cannot be trusted, so it is refused."""
    path = tmp_path / "old.safetensors"
    meta = {"kind": "markov", "format": "seqrnn-checkpoint", "version": 1, "sha256": "0" * 64}
    save_file({"w": torch.zeros(1)}, str(path), metadata={"seqrnn": json.dumps(meta)})
    with pytest.raises(CheckpointError, match=r"written by an older seqrnn .* retrain$"):
        load_checkpoint(path)


def test_a_duplicated_vocabulary_entry_is_named_not_a_traceback(markov_model, tmp_path):
    path = tmp_path / "dup.safetensors"
    path.write_bytes(Path(markov_model).read_bytes())
    _rewrite_meta(path, lambda m: m["vocab"].append(m["vocab"][0]), resign=True)
    with pytest.raises(CheckpointError, match=r"lists '\d+' twice \(entry \d+\)"):
        load_next_symbol_model(str(path))


@pytest.mark.parametrize(
    "symbols, problem",
    [
        (["a", "b", "a"], "lists 'a' twice (entry 3)"),
        (["<unk>"], "lists '<unk>' twice (entry 1)"),
        (["a", 5], "not a list of strings"),
        ("ab", "not a list of strings"),
    ],
)
def test_a_bad_saved_vocabulary_is_refused(symbols, problem):
    with pytest.raises(CheckpointError) as info:
        Vocabulary.from_list(symbols)
    assert problem in str(info.value)


def test_the_cli_says_one_line_for_a_changed_header(
    markov_model, tmp_path, run_cli, one_line_error
):
    path = tmp_path / "m.safetensors"
    path.write_bytes(Path(markov_model).read_bytes())
    _rewrite_meta(path, lambda m: m.update(alpha=1e-9))
    one_line_error(run_cli(["summary", path]), f"{path}: {MISMATCH}")
