"""Using a trained next-symbol model: evaluate, predict, score, sample.

Each function takes any :class:`~seqrnn.models.base.NextSymbolModel` (neural, Markov chain,
Naive Bayes, the NumPy reference, a text model) and returns a typed result; the ``seqrnn``
verbs of the same names print these results and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from seqrnn.data.formats import InputFormat
from seqrnn.evaluation.metrics import NextSymbolMetrics, summarize
from seqrnn.evaluation.scoring import PositionScores, check_finite_log_probs, score_sequences
from seqrnn.generation import generate
from seqrnn.models.base import NextSymbolModel
from seqrnn.next_symbol.training import encode_file

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Guess:
    """One candidate next symbol and its probability."""

    symbol: str
    prob: float


def evaluate(
    model: NextSymbolModel,
    data: str | Path,
    fmt: InputFormat | str | None = None,
    top_k: int = 3,
) -> NextSymbolMetrics:
    """Cross-entropy, perplexity and top-1..k accuracy of ``model`` on the file ``data``, read
    in the model's own input format unless ``fmt`` says otherwise."""
    scores = score_sequences(model, encode_file(model, data, fmt), top_k=top_k)
    return summarize(scores, top_k)


def score(
    model: NextSymbolModel, data: str | Path, fmt: InputFormat | str | None = None
) -> PositionScores:
    """p(true next symbol), its rank and ``-log p`` at every position of ``data``."""
    return score_sequences(model, encode_file(model, data, fmt))


def context_of(model: NextSymbolModel, prefix: Sequence[str]) -> torch.Tensor:
    """``[1, L]`` ids of the last ``L`` symbols of ``prefix``, left-padded with ``PAD`` (the
    context every model reads; unknown symbols become ``UNK``)."""
    L = model.context_length
    ids = model.vocab.encode(list(prefix))[-L:]
    ctx = torch.zeros(1, L, dtype=torch.int64)
    if len(ids):
        ctx[0, L - len(ids) :] = torch.as_tensor(ids)
    return ctx


def predict(model: NextSymbolModel, prefix: Sequence[str], top_k: int = 5) -> list[Guess]:
    """The ``top_k`` most likely next symbols after ``prefix`` (a list of symbols), most
    likely first."""
    log_probs = model.next_log_probs(context_of(model, prefix))
    check_finite_log_probs(log_probs, model)
    top = log_probs[0].topk(min(top_k, log_probs.size(1)))
    return [
        Guess(model.vocab.symbols[int(i)], float(p))
        for p, i in zip(top.values.exp(), top.indices, strict=True)
    ]


def sample(
    model: NextSymbolModel,
    prime: Sequence[str] = (),
    length: int = 100,
    temperature: float = 1.0,
    num_samples: int = 1,
    seed: int | None = None,
    top_k: int | None = None,
    top_p: float | None = None,
) -> list[list[str]]:
    """``num_samples`` continuations of ``prime`` (symbols), ``length`` symbols each."""
    ids = model.vocab.encode(list(prime))
    rows = generate(model, np.asarray(ids), length, temperature, top_k, top_p, num_samples, seed)
    return [model.vocab.decode(row) for row in rows]


def scores_table(model: NextSymbolModel, scores: PositionScores) -> pd.DataFrame:
    """One row per scored position: ``sequence, position, symbol, prob, rank, neg_log_prob``
    (the true next symbol by name, so the table reads without the vocabulary)."""
    import pandas as pd

    return pd.DataFrame(
        {
            "sequence": scores.sequence,
            "position": scores.position,
            "symbol": np.asarray(model.vocab.symbols, dtype=object)[scores.target],
            "prob": scores.prob,
            "rank": scores.rank,
            "neg_log_prob": scores.nll,
        }
    )


def write_scores(
    out_dir: str | Path, model: NextSymbolModel, scores: PositionScores, plots: bool = True
) -> tuple[NextSymbolMetrics, list[Path]]:
    """Write ``scores.csv`` (:func:`scores_table`), ``metrics.json`` and, with ``plots``, the
    score plots to ``out_dir``; returns the summary metrics and the files written. Every file is
    written whole or not at all."""
    from seqrnn.io.atomic import atomic_write, make_dir
    from seqrnn.io.runs import save_metrics

    out = make_dir(out_dir)
    table = scores_table(model, scores)
    atomic_write(out / "scores.csv", lambda tmp: table.to_csv(tmp, index=False))
    metrics = summarize(scores)
    save_metrics(out, metrics.to_dict())
    paths = [out / "scores.csv", out / "metrics.json"]
    if plots:
        from seqrnn.plots.next_symbol import plot_scores

        paths += plot_scores(scores, out)
    return metrics, paths
