"""Vocabulary: symbols <-> dense ids, with reserved padding (0) and unknown (1) entries.

Built from training data only and saved inside every checkpoint, so a model always reads new
data with the numbering it was trained on. Symbols are strings; integer log keys are stored as
their decimal text ("5"), so key files and text share one code path.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Sequence

import numpy as np

from seqrnn.errors import CheckpointError

PAD = 0
UNK = 1
PAD_SYMBOL = "<pad>"
UNK_SYMBOL = "<unk>"


def _natural_key(symbol: str) -> tuple[int, int | str]:
    """Integers sort numerically and before other symbols, so key 10 follows key 9."""
    try:
        return (0, int(symbol))
    except ValueError:
        return (1, symbol)


class Vocabulary:
    """An ordered list of symbols; ids 0 and 1 are ``<pad>`` and ``<unk>``."""

    def __init__(self, symbols: Sequence[str]):
        self.symbols: list[str] = [PAD_SYMBOL, UNK_SYMBOL, *symbols]
        self.index: dict[str, int] = {s: i for i, s in enumerate(self.symbols)}
        if len(self.index) != len(self.symbols):
            raise ValueError("vocabulary symbols must be unique")

    @classmethod
    def build(
        cls,
        sequences: Iterable[Iterable[str] | np.ndarray],
        min_count: int = 1,
        max_size: int | None = None,
    ) -> Vocabulary:
        """Count symbols over ``sequences`` and keep those seen ``min_count`` times or more.

        ``max_size`` caps the number of kept symbols (not counting pad/unk), most frequent
        first. The kept symbols are then ordered naturally (integer keys numerically) so that
        ids are stable and readable.
        """
        counts: collections.Counter[str] = collections.Counter()
        for seq in sequences:
            if isinstance(seq, np.ndarray):
                values, freq = np.unique(seq, return_counts=True)
                counts.update({str(v): int(c) for v, c in zip(values, freq, strict=True)})
            else:
                counts.update(str(s) for s in seq)
        kept = [(s, c) for s, c in counts.items() if c >= min_count and s not in _RESERVED]
        if max_size is not None:
            kept.sort(key=lambda sc: (-sc[1], _natural_key(sc[0])))
            kept = kept[:max_size]
        return cls(sorted((s for s, _ in kept), key=_natural_key))

    def __len__(self) -> int:
        return len(self.symbols)

    def __contains__(self, symbol: str) -> bool:
        return symbol in self.index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self.symbols == other.symbols

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} symbols incl. <pad>, <unk>)"

    def encode(self, sequence: Iterable[str] | np.ndarray) -> np.ndarray:
        """Map symbols to ids (int64); symbols never seen in training map to ``UNK``."""
        if isinstance(sequence, np.ndarray) and sequence.dtype.kind in "iu":
            values, inverse = np.unique(sequence, return_inverse=True)
            lookup = np.array([self.index.get(str(v), UNK) for v in values], dtype=np.int64)
            return lookup[inverse.reshape(-1)] if len(values) else np.zeros(0, dtype=np.int64)
        get = self.index.get
        return np.fromiter((get(str(s), UNK) for s in sequence), dtype=np.int64)

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Map ids back to symbols."""
        return [self.symbols[int(i)] for i in ids]

    def to_list(self) -> list[str]:
        """The symbols without the reserved entries, for saving."""
        return self.symbols[2:]

    @classmethod
    def from_list(cls, symbols: Sequence[str]) -> Vocabulary:
        """Rebuild a saved vocabulary; refuses a list that is not one."""
        if not isinstance(symbols, list) or not all(isinstance(s, str) for s in symbols):
            raise CheckpointError("the saved vocabulary is not a list of strings")
        seen: set[str] = set(_RESERVED)
        for position, symbol in enumerate(symbols):
            if symbol in seen:
                raise CheckpointError(
                    f"the saved vocabulary lists {symbol!r} twice (entry {position + 1}); "
                    "each symbol must appear once"
                )
            seen.add(symbol)
        return cls(symbols)


_RESERVED = {PAD_SYMBOL, UNK_SYMBOL}
