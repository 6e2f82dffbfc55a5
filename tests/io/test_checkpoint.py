import json

import pytest
import torch

from seqrnn.errors import CheckpointError
from seqrnn.io.checkpoint import (
    Checkpoint,
    load_checkpoint,
    load_state_strict,
    peek_checkpoint,
    save_checkpoint,
)


def ckpt():
    return Checkpoint(
        {"model.w": torch.arange(6.0).reshape(2, 3), "n": torch.tensor(3)},
        {"kind": "toy", "vocab": ["a", "b"]},
    )


def test_roundtrip(tmp_path):
    save_checkpoint(tmp_path / "m.safetensors", ckpt())
    back = load_checkpoint(tmp_path / "m.safetensors", kind="toy")
    assert torch.equal(back.tensors["model.w"], ckpt().tensors["model.w"])
    assert back.meta["vocab"] == ["a", "b"]
    assert back.section("model").keys() == {"w"}


def test_file_is_safetensors_not_pickle(tmp_path):
    save_checkpoint(tmp_path / "m.safetensors", ckpt())
    raw = (tmp_path / "m.safetensors").read_bytes()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + n])  # a plain JSON header, then raw tensor bytes
    assert "seqrnn" in header["__metadata__"]


def test_truncated(tmp_path):
    p = tmp_path / "m.safetensors"
    save_checkpoint(p, ckpt())
    p.write_bytes(p.read_bytes()[:-10])
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(p)


def test_tampered_bytes_fail_the_checksum(tmp_path):
    p = tmp_path / "m.safetensors"
    save_checkpoint(p, ckpt())
    raw = bytearray(p.read_bytes())
    raw[-3] ^= 0xFF
    p.write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match="checksum mismatch"):
        load_checkpoint(p)


def test_wrong_kind_and_missing(tmp_path):
    p = tmp_path / "m.safetensors"
    save_checkpoint(p, ckpt())
    with pytest.raises(CheckpointError, match="holds a 'toy' model, expected 'next_symbol'"):
        load_checkpoint(p, kind="next_symbol")
    with pytest.raises(CheckpointError, match="checkpoint not found"):
        load_checkpoint(tmp_path / "none.safetensors")


def test_crash_during_save_keeps_previous_file(tmp_path, monkeypatch):
    p = tmp_path / "m.safetensors"
    save_checkpoint(p, ckpt())
    before = p.read_bytes()

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("seqrnn.io.checkpoint.save_file", boom)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(p, ckpt())
    assert p.read_bytes() == before
    assert [f.name for f in tmp_path.iterdir()] == ["m.safetensors"]  # no temp left behind


def test_state_that_does_not_fit_says_what():
    net = torch.nn.Linear(3, 2)
    with pytest.raises(CheckpointError, match=r"shape weight: file \(2, 4\) vs model \(2, 3\)"):
        load_state_strict(net, {"weight": torch.zeros(2, 4), "bias": torch.zeros(2)}, "f")
    with pytest.raises(CheckpointError, match="missing bias"):
        load_state_strict(net, {"weight": torch.zeros(2, 3)}, "f")


def test_atomic_files_get_the_usual_mode(tmp_path):
    import os

    from seqrnn.io.atomic import atomic_write_text

    atomic_write_text(tmp_path / "x.txt", "hi")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "x.txt").stat().st_mode & 0o777 == 0o666 & ~mask


def test_peek_reads_meta_and_shapes_only(tmp_path):
    p = tmp_path / "m.safetensors"
    save_checkpoint(p, ckpt())
    meta, shapes = peek_checkpoint(p)
    assert meta["kind"] == "toy" and shapes == {"model.w": (2, 3), "n": ()}
    (tmp_path / "x.safetensors").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="not a readable seqrnn checkpoint"):
        peek_checkpoint(tmp_path / "x.safetensors")
