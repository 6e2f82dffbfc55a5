"""A bounded memo of scored windows, so that the service deduplicates across requests.

``detect`` on a file scores each distinct window once (:func:`score_sequences` deduplicates),
and logs repeat themselves heavily: on HDFS, 18,838 sessions hold a few thousand distinct
windows. A service sees the same sessions a few at a time, so without a memory it would score
the same windows again and again. :class:`WindowCache` wraps any next-symbol model and keeps
the log-probabilities of the most recently used ``max_entries`` contexts::

    contexts [B, L] --rows already seen--> cached rows [b1, V]
                    --new rows-----------> model.next_log_probs [b2, V] --> remembered

The numbers are the wrapped model's, bit for bit; only the repeated work goes away. Memory is
about ``max_entries * (8 L + 4 V + 100)`` bytes (for HDFS, L=10, V=31: ~30 MB per 100,000).

:class:`VerdictMemo` goes one step further and remembers whole sessions' verdicts, so that a
session seen before is answered without any scoring at all (the service's fast path).
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import torch

from seqrnn.models.base import NextSymbolModel


class WindowCache(NextSymbolModel):
    """``model`` with its ``next_log_probs`` remembered per context (least recently used out)."""

    def __init__(self, model: NextSymbolModel, max_entries: int = 100_000):
        self.model = model
        self.vocab = model.vocab
        self.context_length = model.context_length
        self.max_entries = max_entries
        self.entries: collections.OrderedDict[bytes, np.ndarray] = collections.OrderedDict()
        self.hits = 0
        self.misses = 0

    def next_log_probs(self, contexts: torch.Tensor) -> torch.Tensor:
        rows = np.ascontiguousarray(contexts.numpy(), dtype=np.int64)  # [B, L]
        keys = [row.tobytes() for row in rows]
        missing = [i for i, k in enumerate(keys) if k not in self.entries]
        fresh: dict[bytes, np.ndarray] = {}
        if missing:
            computed = self.model.next_log_probs(contexts[missing]).numpy()  # [b2, V]
            fresh = {keys[i]: computed[j] for j, i in enumerate(missing)}
        out = np.stack([fresh[k] if k in fresh else self._hit(k) for k in keys])  # [B, V]
        self._remember(fresh)
        self.misses += len(missing)
        self.hits += len(keys) - len(missing)
        return torch.from_numpy(out)

    def _hit(self, key: bytes) -> np.ndarray:
        self.entries.move_to_end(key)
        return self.entries[key]

    def _remember(self, fresh: dict[bytes, np.ndarray]) -> None:
        for key, value in fresh.items():
            self.entries[key] = value.copy()  # not a view that keeps the whole batch alive
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)

    def describe(self) -> str:
        return self.model.describe()


class VerdictMemo:
    """Verdicts of distinct sessions, most recently used kept, at most ``max_entries``.

    Thread-safe: the event loop reads it to answer known sessions at once (no batching, no
    worker thread), while the batching worker adds the verdicts it computes. The lock is held
    only for dictionary operations, never during scoring.
    """

    def __init__(self, max_entries: int = 20_000):
        self.max_entries = max_entries
        self.entries: collections.OrderedDict[Hashable, dict[str, Any]] = collections.OrderedDict()
        self.lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, keys: Sequence[Hashable]) -> dict[Hashable, dict[str, Any]]:
        """The remembered verdicts among ``keys`` (marked as recently used)."""
        found = {}
        with self.lock:
            for k in keys:
                v = self.entries.get(k)
                if v is not None:
                    self.entries.move_to_end(k)
                    found[k] = v
        return found

    def all_of(self, keys: Sequence[Hashable]) -> list[dict[str, Any]] | None:
        """A copy of each key's verdict, or None unless every key is remembered."""
        found = self.lookup(keys)
        if len(found) < len(set(keys)):
            return None
        return [dict(found[k]) for k in keys]  # copies: callers add the session's id

    def remember(self, verdicts: Mapping[Hashable, dict[str, Any]]) -> None:
        """Add ``verdicts``; the least recently used go beyond ``max_entries``."""
        with self.lock:
            self.entries.update(verdicts)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)
