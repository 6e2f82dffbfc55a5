"""Train a next-symbol model on *distinct* windows, each weighted by its count or once.

Normal logs repeat themselves: DeepLog's 4,855 HDFS training sessions give 95,125 windows
(h = 10) but only 4,570 distinct (window, next key) rows. With ``window_weights = count``

    sum over windows of CE(window)  ==  sum over distinct rows of count(row) * CE(row)

is the same function of the weights, so one epoch over the distinct rows sees all the training
data at a twentieth of the cost (only the mini-batch noise differs). With ``distinct`` (the
default here) every row weighs 1: a continuation seen twice after a context counts as much as
one seen 3,000 times, so the model learns which keys may follow a context, not how often they
do. That is what a top-g detector asks, and on held-out normal HDFS sessions it halves the
false-positive rate (``bench/hdfs_heldout_fpr.py``). The network, the trainer, the checkpoint
and the loader are the foundation's; this module adds the weighted batch source and task, and
:func:`train_distinct`, the counterpart of :func:`seqrnn.workflows.next_symbol.train` for
last-head (window -> next symbol) models.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from seqrnn.anomaly.sessions import with_end_marker
from seqrnn.config import from_dict, replace, to_dict
from seqrnn.data.vocab import Vocabulary
from seqrnn.data.windows import Windows
from seqrnn.errors import ConfigError
from seqrnn.io.runs import new_run_dir, save_config
from seqrnn.nn.next_symbol import Head, NextSymbolConfig, NextSymbolNet
from seqrnn.train.callbacks import Callback
from seqrnn.train.trainer import StepOutput, Trainer
from seqrnn.workflows import next_symbol as ns

logger = logging.getLogger(__name__)

Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor]  # x [B, L], y [B], weight [B]


class DistinctWindowBatches:
    """Distinct ``(window, next symbol)`` rows of ``windows`` with their weights (their counts,
    or 1 each for ``WindowWeights.DISTINCT``), in seeded shuffled batches (the order depends
    only on ``(seed, epoch)``, so resuming is exact)."""

    def __init__(
        self,
        windows: Windows,
        batch_size: int,
        shuffle: bool = True,
        seed: int = 0,
        weights: ns.WindowWeights = ns.WindowWeights.COUNT,
    ):
        rows = windows._view[windows.starts]  # [N, L + 1]
        self.rows, counts = torch.unique(rows, dim=0, return_counts=True)  # [U, L + 1], [U]
        self.counts = counts  # [U] windows per row
        if ns.WindowWeights(weights) is ns.WindowWeights.DISTINCT:
            self.weights = torch.ones(len(counts))  # [U]
        else:
            self.weights = counts.float()  # [U]
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed

    def batches(self, epoch: int) -> Iterator[Batch]:
        n = len(self.rows)
        if self.shuffle:
            gen = torch.Generator().manual_seed(self.seed * 100_003 + epoch)
            order = torch.randperm(n, generator=gen)
        else:
            order = torch.arange(n)
        for i in range(0, n, self.batch_size):
            idx = order[i : i + self.batch_size]
            rows = self.rows[idx]
            yield rows[:, :-1], rows[:, -1], self.weights[idx]

    def __len__(self) -> int:
        return -(-len(self.rows) // self.batch_size)


class WeightedNextSymbolTask:
    """Cross-entropy of each row times its weight, averaged over the weights (with counts as
    weights: the loss of the full, repeated data); ``count`` and ``correct`` are weighted
    too, so in windows for count weights and in distinct rows for unit weights."""

    def step(self, net: nn.Module, batch: Batch, train: bool) -> StepOutput:
        x, y, w = batch
        logits, _ = net(x)  # [B, V]
        ce = F.cross_entropy(logits, y, reduction="none")  # [B]
        total = w.sum()
        loss = (ce * w).sum() / total
        correct = float(((logits.argmax(-1) == y).float() * w).sum())
        return StepOutput(loss=loss, count=int(total), correct=round(correct))


def train_distinct(
    config: ns.RunConfig, callbacks: Sequence[Callback] = (), end_marker: bool = True
) -> ns.TrainResult:
    """Train a last-head next-symbol model on the distinct windows of ``config.data.train``
    (sessions or streams, as :func:`seqrnn.workflows.next_symbol.train` reads them), weighted
    as ``config.data.window_weights`` says (unset: ``distinct``; the run's ``config.json``
    records the value used).

    ``end_marker`` appends ``<eos>`` to every session, so the model learns where sessions end
    and detection can flag a session that stops (or goes on) where normal ones do not; the
    symbol lives in the saved vocabulary, which is how detection knows to use it."""
    if config.model.head is not Head.LAST:
        raise ConfigError("distinct-window training is for last-head (window -> next) models")
    weights = config.data.window_weights or ns.WindowWeights.DISTINCT
    config = replace(config, data=replace(config.data, window_weights=weights))
    raw = ns.read_sequences(config.data.train, config.data.format)
    if config.data.val:
        train_raw, val_raw = raw, ns.read_sequences(config.data.val, config.data.format)
    else:
        train_raw, val_raw = ns.split_validation(raw, config.data.val_fraction, config.train.seed)
    if end_marker:
        train_raw, val_raw = with_end_marker(train_raw), with_end_marker(val_raw)
    vocab = Vocabulary.build(train_raw, config.data.min_count, config.data.max_vocab)
    model_cfg = from_dict(NextSymbolConfig, {**to_dict(config.model), "vocab_size": len(vocab)})
    window = config.data.window
    train_src = DistinctWindowBatches(
        Windows([vocab.encode(s) for s in train_raw], window),
        config.train.batch_size,
        seed=config.train.seed,
        weights=weights,
    )
    val_src = None
    if val_raw:
        val_w = Windows([vocab.encode(s) for s in val_raw], window)
        # held-out windows keep their counts: validation figures are per window
        val_src = DistinctWindowBatches(val_w, config.train.batch_size * 4, shuffle=False)
    torch.manual_seed(config.train.seed)
    net = NextSymbolNet(model_cfg)
    run_dir = new_run_dir(config.runs_dir, config.name)
    save_config(run_dir, config)
    meta = ns.model_meta(model_cfg, vocab, window, config.data.format)
    logger.info(
        "training on %d distinct windows (of %d), weights %s, vocabulary %d",
        len(train_src.rows),
        int(train_src.counts.sum()),
        weights.value,
        len(vocab),
    )
    trainer = Trainer(config.train, callbacks, run_dir, meta)
    history = trainer.fit(net, WeightedNextSymbolTask(), train_src, val_src)
    best = run_dir / "best.safetensors"
    model = ns.load_model(best if best.exists() else run_dir / "last.safetensors")
    return ns.TrainResult(run_dir=run_dir, model=model, history=history)


def count_distinct_windows(sequences: list[np.ndarray], window: int) -> tuple[int, int]:
    """(windows, distinct windows) of encoded ``sequences``: how much deduplication saves."""
    w = Windows(sequences, window)
    rows = w._view[w.starts]
    return len(rows), len(torch.unique(rows, dim=0))
