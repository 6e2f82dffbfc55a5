"""bench/classify_pretrain.py on IMDB: the word vectors read the fixed split's training part
only (the issue's rule), and every seed gets them, also when a run starts after seed 0."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest

from seqrnn.classify.readers import LabelledTexts

BENCH = Path(__file__).resolve().parents[2] / "bench"


class Seen(Exception):
    """Raised by the stand-in for ``word_vectors`` once it has seen its texts."""


def test_imdb_vectors_read_the_training_part_only(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(BENCH))
    import classify_pretrain as bench  # bench/ is a folder of scripts, not a package

    n = 40
    data = LabelledTexts([f"text{i} word" for i in range(n)], ["pos", "neg"] * (n // 2))
    seen: list[tuple[list[str], int]] = []

    def vectors(tokenizer, texts, dim, encoder, corpus, window=5, seed=0):
        seen.append((list(texts), seed))
        raise Seen

    monkeypatch.setattr(bench, "load", lambda dataset: data)
    monkeypatch.setattr(bench, "word_vectors", vectors)
    args = argparse.Namespace(
        dataset="imdb",
        models="vec-bilstm+prior",
        folds=10,
        seeds=3,
        first_round=2,  # a run resumed at seed 2: the vectors must still be learned
        last_round=None,
        out=str(tmp_path / "rows.jsonl"),
        pretrain_only=False,
    )
    with pytest.raises(Seen):
        bench.run(args)
    _, _, tr, te = next(bench.splits("imdb", data, 1, 1))
    ((texts, seed),) = seen
    assert sorted(texts) == sorted(data.texts[i] for i in tr)
    assert not set(texts) & {data.texts[i] for i in te}
    assert len(te) == n // 5 and seed == 2
    assert np.intersect1d(tr, te).size == 0
