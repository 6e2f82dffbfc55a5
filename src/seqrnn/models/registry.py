"""Load any next-symbol model file, whatever produced it, by the ``kind`` in its checkpoint.

Every next-symbol model (neural, Markov chain, Naive Bayes, NumPy reference) is saved in the
one checkpoint format with its own ``kind``; this table says which function rebuilds each kind,
so the CLI verbs (evaluate, score, detect, generate) accept any of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection
from pathlib import Path

from seqrnn.errors import CheckpointError
from seqrnn.io.checkpoint import load_checkpoint
from seqrnn.models.base import NextSymbolModel
from seqrnn.models.kinds import check_kind

#: checkpoint kind -> "module:function" taking (path) and returning a NextSymbolModel
LOADERS: dict[str, str] = {
    "next_symbol": "seqrnn.models.neural:load_model",
    "next_symbol_ensemble": "seqrnn.models.ensemble:load_ensemble",
    "allow_list": "seqrnn.models.allow_list:load_allow_list",
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


#: what every next-symbol verb accepts, in the words of the error messages
ANY_NEXT_SYMBOL = (
    "a next-symbol model (made by `seqrnn train`, `seqrnn train-detector`, `seqrnn text train`, "
    "`seqrnn baseline` or `seqrnn reference train`)"
)


def load_next_symbol_model(
    path: str | Path,
    verb: str = "this command",
    kinds: Collection[str] = tuple(LOADERS),
    needs: str = ANY_NEXT_SYMBOL,
) -> NextSymbolModel:
    """Load a next-symbol model of any registered kind (or of ``kinds`` only) from a file or
    run folder; another kind is refused with what ``verb`` ``needs``."""
    path = resolve_model_path(path)
    kind = load_checkpoint(path).meta.get("kind")
    check_kind(path, kind, [k for k in kinds if k in LOADERS], verb, needs)
    return load_kind(path, kind)


def load_kind(path: Path, kind: str) -> NextSymbolModel:
    """Rebuild the model at ``path`` with the loader of ``kind`` (one of :data:`LOADERS`,
    already checked by the caller)."""
    module, func = LOADERS[kind].split(":")
    return getattr(importlib.import_module(module), func)(path)
