"""The one checkpoint format and its one loader.

A checkpoint is a single ``.safetensors`` file: the tensors (model weights, optimizer state,
RNG state) plus, in the file's metadata header, one JSON document with everything needed to
rebuild and continue: the kind of model, its config, the vocabulary, the training step and a
SHA-256 that covers the tensor bytes *and* every other field of that JSON document (a changed
window, vocabulary or scaler changes every answer as surely as a changed weight). Nothing is
ever unpickled; the file is written atomically, so an interrupted save leaves the previous
checkpoint in place. Version 1 files, whose checksum covered the tensors only, are refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from seqrnn.errors import CheckpointError
from seqrnn.io.atomic import atomic_write

FORMAT = "seqrnn-checkpoint"
VERSION = 2  # 2: the checksum covers the JSON header as well as the tensors


@dataclass
class Checkpoint:
    """Tensors by name and a JSON-ready ``meta`` dict (``kind`` says what it holds)."""

    tensors: dict[str, torch.Tensor]
    meta: dict[str, Any] = field(default_factory=dict)

    def section(self, prefix: str) -> dict[str, torch.Tensor]:
        """The tensors named ``prefix.*``, with the prefix removed."""
        p = prefix + "."
        return {k[len(p) :]: v for k, v in self.tensors.items() if k.startswith(p)}


def _digest(tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> str:
    """SHA-256 of the tensors (name, shape, dtype, bytes) and of ``meta`` without its digest,
    as canonical JSON (sorted keys, no spaces), so any change to either is detected."""
    h = hashlib.sha256()
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        h.update(name.encode())
        h.update(str(tuple(t.shape)).encode() + str(t.dtype).encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    header = {k: v for k, v in meta.items() if k != "sha256"}
    h.update(b"\0meta\0" + json.dumps(header, sort_keys=True, separators=(",", ":")).encode())
    return h.hexdigest()


def save_checkpoint(path: str | Path, checkpoint: Checkpoint) -> None:
    """Write ``checkpoint`` to ``path`` atomically (temporary file, fsync, rename)."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in checkpoint.tensors.items()}
    meta = dict(checkpoint.meta, format=FORMAT, version=VERSION)
    meta = json.loads(json.dumps(meta))  # the form a reader will see (tuples -> lists ...)
    meta["sha256"] = _digest(tensors, meta)
    header = {"seqrnn": json.dumps(meta)}
    atomic_write(path, lambda tmp: save_file(tensors, str(tmp), metadata=header))


def load_checkpoint(path: str | Path, kind: str | None = None) -> Checkpoint:
    """Read and verify a checkpoint; refuse anything truncated, tampered or of another kind."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: checkpoint not found")
    try:
        tensors = load_file(str(path))

        with safe_open(str(path), framework="pt") as fh:
            header = fh.metadata() or {}
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(
            f"{path}: not a readable checkpoint (truncated or corrupt: {exc})"
        ) from None
    try:
        meta = json.loads(header["seqrnn"])
    except (KeyError, TypeError, json.JSONDecodeError, RecursionError):
        raise CheckpointError(f"{path}: not a seqrnn checkpoint (no seqrnn metadata)") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a seqrnn checkpoint")
    if meta.get("version") == 1:
        raise CheckpointError(
            f"{path}: written by an older seqrnn (checkpoint version 1, whose header the "
            "checksum did not cover); retrain"
        )
    if meta.get("version") != VERSION:
        raise CheckpointError(
            f"{path}: checkpoint version {meta.get('version')} is not "
            f"supported (this seqrnn reads version {VERSION})"
        )
    if meta.get("sha256") != _digest(tensors, meta):
        raise CheckpointError(f"{path}: checksum mismatch (the file was changed or damaged)")
    if kind is not None and meta.get("kind") != kind:
        raise CheckpointError(f"{path}: holds a {meta.get('kind')!r} model, expected {kind!r}")
    return Checkpoint(tensors=tensors, meta=meta)


def peek_checkpoint(path: str | Path) -> tuple[dict[str, Any], dict[str, tuple[int, ...]]]:
    """The JSON meta and the tensor shapes of a checkpoint, read from its header alone.

    For listing and reporting runs: no tensor is read and the checksum is not verified (use
    :func:`load_checkpoint` before trusting the weights)."""
    path = Path(path)
    try:
        with safe_open(str(path), framework="pt") as fh:
            header = fh.metadata() or {}
            shapes = {k: tuple(fh.get_slice(k).get_shape()) for k in fh.keys()}  # noqa: SIM118
        meta = json.loads(header["seqrnn"])
    except (SafetensorError, OSError, ValueError, KeyError) as exc:
        raise CheckpointError(f"{path}: not a readable seqrnn checkpoint ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a seqrnn checkpoint")
    return meta, shapes


def load_state_strict(module: torch.nn.Module, state: dict[str, torch.Tensor], source: str) -> None:
    """``module.load_state_dict`` with an error that says what does not fit."""
    own = module.state_dict()
    missing = sorted(set(own) - set(state))
    extra = sorted(set(state) - set(own))
    wrong = [
        f"{k}: file {tuple(state[k].shape)} vs model {tuple(own[k].shape)}"
        for k in sorted(set(own) & set(state))
        if own[k].shape != state[k].shape
    ]
    if missing or extra or wrong:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing[:5])}")
        if extra:
            parts.append(f"unexpected {', '.join(extra[:5])}")
        if wrong:
            parts.append("shape " + "; ".join(wrong[:5]))
        raise CheckpointError(
            f"{source}: the weights do not fit this architecture or vocabulary ("
            + "; ".join(parts)
            + ")"
        )
    module.load_state_dict(state)


def optimizer_to_checkpoint(
    optimizer: torch.optim.Optimizer,
) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Split an optimizer's state dict into tensors and JSON (no pickling)."""
    sd = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    plain: dict[str, dict[str, Any]] = {}
    for pid, st in sd["state"].items():
        for name, value in st.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optim.{pid}.{name}"] = value
            else:
                plain.setdefault(str(pid), {})[name] = value
    return tensors, {"param_groups": sd["param_groups"], "plain_state": plain}


def optimizer_from_checkpoint(optimizer: torch.optim.Optimizer, ckpt: Checkpoint) -> None:
    """Restore what :func:`optimizer_to_checkpoint` saved."""
    info = ckpt.meta["optimizer"]
    state: dict[int, dict[str, Any]] = {}
    for key, value in ckpt.section("optim").items():
        pid, name = key.split(".", 1)
        state.setdefault(int(pid), {})[name] = value
    for pid, st in info["plain_state"].items():
        state.setdefault(int(pid), {}).update(st)
    optimizer.load_state_dict({"state": state, "param_groups": info["param_groups"]})
