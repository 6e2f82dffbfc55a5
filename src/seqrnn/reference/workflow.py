"""The library functions behind ``seqrnn reference``: train from a file, evaluate, sample.

Besides the three formats of :mod:`seqrnn.data.readers` the NumPy reference reads ``chars``:
a text file as one stream of characters, the char-rnn setting of the tutorials.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from seqrnn.data.formats import InputFormat, read_sequences
from seqrnn.data.readers import expand_glob, read_text
from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import InputError
from seqrnn.evaluation.metrics import NextSymbolMetrics, summarize
from seqrnn.evaluation.scoring import score_sequences
from seqrnn.generation import generate
from seqrnn.reference.model import ReferenceNextSymbolModel
from seqrnn.reference.train import ReferenceTrainConfig, train_network

CHARS = "chars"
#: every format the reference reads
FORMATS = (CHARS, *(f.value for f in InputFormat))


def read_symbols(path: str | Path, fmt: str, limit: int | None = None, skip: int = 0) -> list:
    """Symbol sequences of ``path`` (file or glob); ``chars``: one stream of characters, of
    which ``skip`` are passed over and at most ``limit`` kept (both ``chars`` only)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})", path)
    if fmt != CHARS:
        return read_sequences(str(path), InputFormat(fmt))
    text = "".join(read_text(p) for p in expand_glob(path))[skip:]
    text = text[:limit] if limit else text
    if not text:
        raise InputError(f"no characters found (after skipping {skip})", path)
    return [list(text)]


def train_model(
    sequences: list,
    config: ReferenceTrainConfig,
    fmt: str = CHARS,
    on_epoch: Callable[[dict], None] | None = None,
) -> tuple[ReferenceNextSymbolModel, list[dict]]:
    """Build the vocabulary from ``sequences`` (symbols), train, wrap as a next-symbol model."""
    vocab = Vocabulary.build(sequences)
    encoded = [vocab.encode(s) for s in sequences]
    net, history = train_network(encoded, len(vocab), config, on_epoch)
    return ReferenceNextSymbolModel(net, vocab, config.window, fmt), history


def evaluate(model: ReferenceNextSymbolModel, sequences: list, top_k: int = 3) -> NextSymbolMetrics:
    """Cross-entropy, perplexity and top-k accuracy through the shared scoring code."""
    encoded = [model.vocab.encode(s) for s in sequences]
    return summarize(score_sequences(model, encoded, top_k=top_k), top_k)


def sample_text(
    model: ReferenceNextSymbolModel,
    prime: str,
    length: int,
    temperature: float = 1.0,
    seed: int | None = None,
) -> str:
    """Continue ``prime`` by ``length`` symbols with the shared sampler; characters are joined
    as they are, other symbols with spaces."""
    symbols = list(prime) if model.training_format == CHARS else prime.split()
    ids = model.vocab.encode(symbols) if symbols else np.zeros(0, dtype=np.int64)
    out = model.vocab.decode(generate(model, ids, length, temperature, seed=seed)[0])
    return "".join(out) if model.training_format == CHARS else " ".join(out)
