"""Load any next-symbol model file, whatever produced it, by the ``kind`` in its checkpoint.

Every next-symbol model (neural, Markov chain, Naive Bayes, NumPy reference) is saved in the
one checkpoint format with its own ``kind``; this table says which function rebuilds each kind,
so the CLI verbs (evaluate, score, detect, generate) accept any of them.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from seqrnn.errors import CheckpointError
from seqrnn.io.checkpoint import load_checkpoint
from seqrnn.models.base import NextSymbolModel

#: checkpoint kind -> "module:function" taking (path) and returning a NextSymbolModel
LOADERS: dict[str, str] = {
    "next_symbol": "seqrnn.models.neural:load_model",
    "text": "seqrnn.textgen.model:load_text_model",
    "numpy_reference": "seqrnn.reference.model:load_model",
    "markov": "seqrnn.models.markov:load",
    "naive_bayes": "seqrnn.models.naive_bayes:load",
}


def resolve_model_path(path: str | Path) -> Path:
    """A run folder means its best checkpoint (or its last, when no best was kept)."""
    path = Path(path)
    if path.is_dir():
        for name in ("best.safetensors", "last.safetensors", "model.safetensors"):
            if (path / name).exists():
                return path / name
        raise CheckpointError(f"{path}: no checkpoint in this folder")
    return path


def load_next_symbol_model(path: str | Path) -> NextSymbolModel:
    """Load a next-symbol model of any registered kind from a file or run folder."""
    path = resolve_model_path(path)
    kind = load_checkpoint(path).meta.get("kind")
    if kind not in LOADERS:
        raise CheckpointError(
            f"{path}: holds a {kind!r} model, not a next-symbol model "
            f"(known kinds: {', '.join(sorted(LOADERS))})"
        )
    module, func = LOADERS[kind].split(":")
    return getattr(importlib.import_module(module), func)(path)
