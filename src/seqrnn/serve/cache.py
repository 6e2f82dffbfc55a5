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
"""

from __future__ import annotations

import collections

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
