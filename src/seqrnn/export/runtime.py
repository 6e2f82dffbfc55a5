"""Exported ONNX models run by onnxruntime, behind the one next-symbol interface.

:class:`OnnxNextSymbolModel` answers ``next_log_probs`` like the PyTorch model it came from,
so scoring, detection, streaming and the HTTP service use it unchanged
(``seqrnn serve model.onnx --backend onnxruntime``). Everything it needs besides the graph
(vocabulary, window) is read from the file's metadata props; nothing else is loaded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import CheckpointError
from seqrnn.export.onnx import PREFIX
from seqrnn.models.base import NextSymbolModel


def read_props(session: Any, path: str | Path) -> dict[str, str]:
    """The ``seqrnn.*`` metadata props of an ONNX model (without the prefix)."""
    props = session.get_modelmeta().custom_metadata_map
    out = {k[len(PREFIX) :]: v for k, v in props.items() if k.startswith(PREFIX)}
    for need in ("vocab", "window", "role"):
        if need not in out:
            raise CheckpointError(f"{path}: not an ONNX model exported by seqrnn (no {need!r})")
    return out


def session_for(path: str | Path, threads: int | None = None) -> Any:
    """An onnxruntime CPU session; ``threads`` defaults to torch's intra-op thread count."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or torch.get_num_threads()
    options.inter_op_num_threads = 1
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors for bad files
        raise CheckpointError(f"{path}: not a readable ONNX model ({exc})") from None


class OnnxNextSymbolModel(NextSymbolModel):
    """An exported scoring graph (``ids [B, L] -> log_probs [B, V]``) under onnxruntime."""

    def __init__(self, path: str | Path, threads: int | None = None):
        self.path = Path(path)
        self.session = session_for(path, threads)
        self.meta: dict[str, Any] = read_props(self.session, path)
        if self.meta["role"] != "score":
            raise CheckpointError(f"{path}: a {self.meta['role']!r} model; serve the scoring one")
        self.vocab = Vocabulary.from_list(json.loads(self.meta["vocab"]))
        self.context_length = int(self.meta["window"])

    def next_log_probs(self, contexts: torch.Tensor) -> torch.Tensor:
        ids = np.ascontiguousarray(np.asarray(contexts, dtype=np.int64))  # [B, L]
        (logp,) = self.session.run(["log_probs"], {"ids": ids})  # [B, V]
        return torch.from_numpy(logp)

    def describe(self) -> str:
        config = json.loads(self.meta.get("model_config", "{}"))
        e = config.get("encoder", {})
        bi = "bi-" if e.get("bidirectional") else ""
        return (
            f"ONNX {bi}{str(e.get('cell', '?')).upper()} {e.get('num_layers')}x"
            f"{e.get('hidden_size')}, window {self.context_length}"
        )


def load_onnx_model(path: str | Path, threads: int | None = None) -> OnnxNextSymbolModel:
    """Load an exported scoring model (``.onnx``) for onnxruntime."""
    if not Path(path).is_file():
        raise CheckpointError(f"{path}: ONNX model not found")
    return OnnxNextSymbolModel(path, threads)
