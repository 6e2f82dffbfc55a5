"""next_symbol.use: the scores table names the true next symbol; write_scores writes it whole."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from seqrnn import next_symbol
from seqrnn.data.vocab import Vocabulary
from seqrnn.models.markov import MarkovModel

CYCLE = ["10", "20", "30", "40"] * 25


@pytest.fixture
def markov(tmp_path):
    vocab = Vocabulary.build([CYCLE])
    model = MarkovModel.fit([vocab.encode(CYCLE)], vocab, 2, 0.1)
    data = tmp_path / "seqs.txt"
    data.write_text(" ".join(CYCLE[:12]) + "\n" + " ".join(CYCLE[5:9]) + "\n")
    return model, data


def test_scores_table_names_the_true_next_symbol_of_every_position(markov):
    model, data = markov
    scores = next_symbol.score(model, data)
    table = next_symbol.scores_table(model, scores)
    assert list(table.columns) == ["sequence", "position", "symbol", "prob", "rank", "neg_log_prob"]
    assert len(table) == len(scores)
    first = table[table.sequence == 0]
    # the symbol of position t is the t-th symbol of that sequence
    assert list(first.symbol) == [CYCLE[t] for t in first.position]
    np.testing.assert_allclose(table.neg_log_prob, -np.log(table.prob), rtol=1e-5)


def test_write_scores_writes_table_metrics_and_plots(markov, tmp_path):
    model, data = markov
    metrics, paths = next_symbol.write_scores(
        tmp_path / "out", model, next_symbol.score(model, data)
    )
    assert [p.name for p in paths[:2]] == ["scores.csv", "metrics.json"]
    assert all(p.exists() for p in paths) and len(paths) > 2
    on_disk = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert on_disk["cross_entropy"] == pytest.approx(metrics.cross_entropy)
    assert len(pd.read_csv(paths[0])) == metrics.positions
    assert metrics.top_k_accuracy[1] > 0.9  # a deterministic cycle
