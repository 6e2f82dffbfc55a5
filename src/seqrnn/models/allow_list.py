"""A next-symbol model with transitions an operator allowed: the model behind ``--feedback``.

:class:`AllowListModel` answers as its base model, except after a window it holds an allowed
row for: there every allowed next symbol gets the base model's highest probability for that
window (so it ranks first) before the row is renormalised::

    contexts [B, L] --to base ids--> base.next_log_probs --> [B, V_base] --pad to V--> [B, V]
        rows whose window is allowed: allowed next ids := the row's maximum --> renormalise

Symbols the base model never saw but the allowed rows hold join the vocabulary after the
base's; the base gives them probability 0 (they are as anomalous as an unknown key), so they
are normal only in the exact windows allowed. Allowed rows are kept as symbols, so they mean
the same whatever ids a vocabulary gives.

On disk (kind ``allow_list``): the base model's checkpoint copied byte for byte into the same
folder, and a checkpoint without tensors whose JSON header names that file (``base``, a
plain file name), the base's SHA-256 and the rows (``allowed``: each ``L`` window symbols,
``<pad>`` where history is short, then the next symbol).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from seqrnn.data.vocab import UNK, Vocabulary
from seqrnn.errors import CheckpointError
from seqrnn.io.checkpoint import load_checkpoint
from seqrnn.models.base import NextSymbolModel
from seqrnn.models.kinds import load_checkpoint_of
from seqrnn.models.registry import load_next_symbol_model, resolve_model_path

#: checkpoint kind of a model with allowed transitions (``seqrnn detect --feedback``)
KIND = "allow_list"


class AllowListModel(NextSymbolModel):
    """``base`` with the ``allowed`` rows (``L + 1`` symbols each) always ranking first."""

    def __init__(self, base: NextSymbolModel, allowed: Sequence[Sequence[str]]):
        self.base = base
        self.context_length = base.context_length
        self.input_format = base.input_format
        self.allowed = [list(map(str, row)) for row in allowed]
        bad = [r for r in self.allowed if len(r) != self.context_length + 1]
        if bad:
            raise CheckpointError(
                f"an allowed row needs {self.context_length + 1} symbols, got {bad[0]}"
            )
        known = set(base.vocab.symbols)
        new = sorted({s for r in self.allowed for s in r} - known)
        self.vocab = Vocabulary([*base.vocab.symbols[2:], *new])
        # [V] this vocabulary's ids -> the base's (new symbols are unknown to it)
        self.to_base = torch.full((len(self.vocab),), UNK, dtype=torch.int64)
        self.to_base[: base.vocab_size] = torch.arange(base.vocab_size)
        self.next_ids: dict[tuple[int, ...], list[int]] = {}
        for row in self.allowed:
            ids = [self.vocab.index[s] for s in row]
            self.next_ids.setdefault(tuple(ids[:-1]), []).append(ids[-1])

    def next_log_probs(self, contexts: torch.Tensor) -> torch.Tensor:
        base = self.base.next_log_probs(self.to_base[contexts])  # [B, V_base]
        out = torch.full((len(contexts), self.vocab_size), -torch.inf)  # [B, V]
        out[:, : base.shape[1]] = base
        hits = [(b, self.next_ids.get(tuple(c))) for b, c in enumerate(contexts.tolist())]
        hits = [(b, ids) for b, ids in hits if ids]
        if not hits:
            return out
        for b, ids in hits:
            out[b, ids] = out[b].max()
        rows = torch.tensor([b for b, _ in hits])
        out[rows] -= out[rows].logsumexp(-1, keepdim=True)
        return out

    def describe(self) -> str:
        return f"{self.base.describe()} + {len(self.allowed):,} allowed transitions"


def allow_list_meta(base_file: str, base_sha256: str, allowed: list[list[str]]) -> dict:
    """The JSON header of an allow-list checkpoint (see the module docstring)."""
    return {"kind": KIND, "base": base_file, "base_sha256": base_sha256, "allowed": allowed}


def load_allow_list(path: str | Path) -> AllowListModel:
    """Load an allow-list model: its header, then its base model from the same folder, which
    must be the very checkpoint the header names (same SHA-256)."""
    path = resolve_model_path(path)
    meta = load_checkpoint_of(path, [KIND]).meta
    name, allowed = meta.get("base"), meta.get("allowed")
    if not isinstance(name, str) or Path(name).name != name or name in ("", ".", ".."):
        raise CheckpointError(f"{path}: 'base' must be a file name in the same folder")
    if not isinstance(allowed, list) or not all(isinstance(r, list) for r in allowed):
        raise CheckpointError(f"{path}: 'allowed' must be a list of rows of symbols")
    base_path = path.parent / name
    if load_checkpoint(base_path).meta.get("sha256") != meta.get("base_sha256"):
        raise CheckpointError(f"{base_path}: not the base model {path} was made from")
    base = load_next_symbol_model(base_path, "an allow-list model")
    if isinstance(base, AllowListModel):
        raise CheckpointError(f"{base_path}: the base of an allow-list is a model, not a list")
    return AllowListModel(base, allowed)
