"""Per-position scores of real sequences under any next-symbol model.

For every position ``t`` of every sequence: the probability the model gave to the symbol that
really came, its rank among all symbols (1 = the model's top guess) and ``-log p``. This is
what the original ``detect`` mode computed with one model call per position; here windows are
deduplicated (logs repeat themselves heavily), scored in large batches under
``inference_mode`` and the results scattered back, so every position keeps its own score.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from seqrnn.data.windows import Targets, Windows
from seqrnn.errors import CheckpointError
from seqrnn.models.base import NextSymbolModel


@dataclass
class PositionScores:
    """Scores of all scored positions, flattened over sequences.

    ``sequence[i]`` says which input sequence position ``i`` belongs to and ``position[i]``
    where in it; arrays are aligned, all of length ``N`` (scored positions).
    """

    sequence: np.ndarray  # [N] int64, index of the sequence
    position: np.ndarray  # [N] int64, index inside the sequence
    target: np.ndarray  # [N] int64, the id that really came
    prob: np.ndarray  # [N] float64, model probability of target
    rank: np.ndarray  # [N] int64, 1-based rank of target among all ids
    nll: np.ndarray  # [N] float64, -log prob (nats)
    top_ids: np.ndarray  # [N, K] int64, the model's K best ids there
    top_probs: np.ndarray  # [N, K] float64, and their probabilities

    def __len__(self) -> int:
        return len(self.target)

    @classmethod
    def empty(cls, k: int) -> PositionScores:
        """No scored positions (with ``k`` columns of top ids and probabilities)."""
        none_i, none_f = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        return cls(
            none_i,
            none_i,
            none_i,
            none_f,
            none_i,
            none_f,
            np.zeros((0, k), dtype=np.int64),
            np.zeros((0, k), dtype=np.float64),
        )

    def subset(self, keep: np.ndarray) -> PositionScores:
        """The rows selected by ``keep`` (a bool mask or indices), all arrays alike."""
        return PositionScores(
            **{name: getattr(self, name)[keep] for name in self.__dataclass_fields__}
        )

    def per_sequence(
        self, values: np.ndarray, num_sequences: int, reduce: str = "max"
    ) -> np.ndarray:
        """Reduce a per-position array to one value per sequence (``max`` or ``sum``);
        sequences without scored positions get 0."""
        out = np.zeros(num_sequences, dtype=np.float64)
        if reduce == "max":
            out[:] = -np.inf
            np.maximum.at(out, self.sequence, values)
            out[np.isneginf(out)] = 0.0
        elif reduce == "sum":
            np.add.at(out, self.sequence, values)
        else:
            raise ValueError(f"unknown reduction {reduce!r}")
        return out


def score_sequences(
    model: NextSymbolModel,
    sequences: list[np.ndarray],
    targets: Targets = Targets.ALL,
    batch_size: int = 4096,
    top_k: int = 3,
    dedupe: bool = True,
) -> PositionScores:
    """Score every target position of every encoded sequence (ids already mapped by
    ``model.vocab``). ``dedupe`` scores each distinct window once: a compute shortcut only,
    the result has one row per position either way. Sequences with nothing to score (empty,
    or no longer than a window under ``Targets.FULL_WINDOW``) simply contribute no rows."""
    k = min(top_k, model.vocab_size)
    first = 0 if Targets(targets) is Targets.ALL else model.context_length
    if not any(len(s) > first for s in sequences):
        return PositionScores.empty(k)
    windows = Windows(sequences, model.context_length, targets=Targets(targets))
    rows = windows.rows()  # [N, L + 1]; int64, ~8(L+1) bytes per position
    if dedupe:
        unique_rows, inverse = torch.unique(rows, dim=0, return_inverse=True)
    else:
        unique_rows, inverse = rows, torch.arange(len(rows))
    contexts = unique_rows[:, :-1]
    u_logp_target, u_rank, u_top_p, u_top_i = [], [], [], []
    for chunk, tgt in zip(
        contexts.split(batch_size), unique_rows[:, -1].split(batch_size), strict=True
    ):
        logp = model.next_log_probs(chunk)  # [b, V]
        check_finite_log_probs(logp, model)
        lp_t = logp.gather(1, tgt[:, None])  # [b, 1]
        u_logp_target.append(lp_t[:, 0])
        u_rank.append((logp > lp_t).sum(1) + 1)  # ties count in the target's favour
        tp, ti = logp.topk(k, dim=1)
        u_top_p.append(tp.exp())
        u_top_i.append(ti)
    logp_t = torch.cat(u_logp_target)[inverse].double().numpy()
    seq_index, pos_index = _locate(windows, sequences, targets)
    return PositionScores(
        sequence=seq_index,
        position=pos_index,
        target=rows[:, -1].numpy(),
        prob=np.exp(logp_t),
        rank=torch.cat(u_rank)[inverse].numpy(),
        nll=-logp_t,
        top_ids=torch.cat(u_top_i)[inverse].numpy(),
        top_probs=torch.cat(u_top_p)[inverse].double().numpy(),
    )


def check_finite_log_probs(logp: torch.Tensor, model: NextSymbolModel) -> None:
    """Refuse NaN / +inf log-probabilities: NaN compares False with everything, so it would
    rank every target first (accuracy 1.0) and flag nothing (F1 1.0). ``-inf`` (probability
    0) is a valid answer."""
    bad = torch.isnan(logp) | torch.isposinf(logp)
    if bool(bad.any()):
        raise CheckpointError(
            f"{model.describe()}: the model gives non-finite log-probabilities "
            f"({int(bad.sum())} of {bad.numel()} values; its weights hold NaN or infinity: "
            "training diverged or the file is damaged); retrain it"
        )


def _locate(
    windows: Windows, sequences: list[np.ndarray], targets: Targets
) -> tuple[np.ndarray, np.ndarray]:
    """(sequence index, position) of each window's target, in window order."""
    first = 0 if Targets(targets) is Targets.ALL else windows.length
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    counts = np.clip(lengths - first, 0, None)
    seq_index = np.repeat(np.arange(len(sequences)), counts)
    starts_of_seq = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos_index = np.arange(counts.sum()) - np.repeat(starts_of_seq, counts) + first
    return seq_index, pos_index


def iter_stream_scores(
    model: NextSymbolModel,
    ids: np.ndarray,
    chunk_size: int = 1 << 20,
    batch_size: int = 4096,
    top_k: int = 3,
) -> Iterator[PositionScores]:
    """Single pass over one long stream in bounded memory: ``chunk_size`` positions at a time,
    each chunk carrying the ``L`` symbols before it as context, so every position gets the
    same score as :func:`score_sequences` on the whole stream would give it. ``position`` is
    the index in the whole stream; ``sequence`` is 0."""
    if chunk_size <= 0:
        raise ValueError(f"chunk_size must be positive, got {chunk_size}")
    L = model.context_length
    for begin in range(0, len(ids), chunk_size):
        lead = min(begin, L)  # context symbols before the chunk; their own scores are dropped
        piece = np.asarray(ids[begin - lead : begin + chunk_size])
        scores = score_sequences(model, [piece], Targets.ALL, batch_size, top_k)
        kept = scores.subset(scores.position >= lead)
        kept.position = kept.position - lead + begin
        yield kept
