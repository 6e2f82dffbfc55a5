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
:func:`train_distinct`, the counterpart of :func:`seqrnn.next_symbol.train` for
last-head (window -> next symbol) models.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from seqrnn.anomaly.calibration import CalibrationConfig
from seqrnn.anomaly.restarts import RestartConfig
from seqrnn.anomaly.sessions import with_end_marker
from seqrnn.config import replace, resolve
from seqrnn.data.formats import read_sequences, split_validation, targets_for
from seqrnn.data.vocab import Vocabulary
from seqrnn.data.windows import Windows
from seqrnn.errors import ConfigError
from seqrnn.models.ensemble import EnsembleNextSymbolModel, ensemble_meta
from seqrnn.models.neural import NeuralNextSymbolModel, model_meta
from seqrnn.next_symbol import training as ns
from seqrnn.nn.encoder import EncoderConfig
from seqrnn.nn.ensemble import MedianEnsembleNet
from seqrnn.nn.next_symbol import Head, NextSymbolConfig, NextSymbolNet
from seqrnn.train import distributed, lifecycle
from seqrnn.train.callbacks import Callback
from seqrnn.train.config import TrainConfig
from seqrnn.train.trainer import StepOutput

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
        rows = windows.rows()  # [N, L + 1]
        self.rows, counts = torch.unique(rows, dim=0, return_counts=True)  # [U, L + 1], [U]
        self.counts = counts  # [U] windows per row
        if ns.WindowWeights(weights) is ns.WindowWeights.DISTINCT:
            self.weights = torch.ones(len(counts))  # [U]
        else:
            self.weights = counts.float()  # [U]
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed

    @classmethod
    def from_rows(
        cls, rows: torch.Tensor, weights: torch.Tensor, batch_size: int, seed: int = 0
    ) -> DistinctWindowBatches:
        """Batches of given distinct ``rows [U, L + 1]`` with their ``weights [U]``."""
        source = cls.__new__(cls)
        source.rows, source.weights = rows, weights.float()
        source.counts = torch.ones(len(rows), dtype=torch.long)
        source.batch_size, source.shuffle, source.seed = batch_size, True, seed
        return source

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


@dataclass(frozen=True)
class DetectorConfig(ns.RunConfig):
    """A detector's training run: a next-symbol run whose defaults are the recipe behind the
    HDFS figures in docs/anomaly.md (window 10, one-hot inputs, 2x64 LSTM, distinct windows,
    30 epochs of batches of 128 at learning rate 0.01, all sessions for training, 3 members
    answering with the median of their probabilities (:mod:`seqrnn.anomaly.restarts`); no
    calibration unless ``calibration.target_fpr`` is set). Any key given replaces only itself."""

    data: ns.DataConfig = field(
        default_factory=lambda: ns.DataConfig(
            window=10, val_fraction=0.0, window_weights=ns.WindowWeights.DISTINCT
        )
    )
    model: NextSymbolConfig = field(
        default_factory=lambda: NextSymbolConfig(
            embedding_dim=0, encoder=EncoderConfig(hidden_size=64, num_layers=2)
        )
    )
    train: TrainConfig = field(
        default_factory=lambda: TrainConfig(epochs=30, batch_size=128, learning_rate=0.01)
    )
    restarts: RestartConfig = field(default_factory=RestartConfig)
    calibration: CalibrationConfig = field(default_factory=CalibrationConfig)


def detector_config_from_dict(data: dict[str, Any]) -> DetectorConfig:
    """Build and check a :class:`DetectorConfig`: ``data`` over the detector defaults."""
    return resolve(DetectorConfig, data)


def detector_resume_config(run_dir: str | Path) -> DetectorConfig:
    """The config a detector run folder was trained with (to resume it)."""
    return lifecycle.resume_config(DetectorConfig, run_dir)


class DistinctRecipe:
    """``seqrnn train-detector``'s part of the life cycle: distinct windows, weighted."""

    def __init__(
        self,
        config: ns.RunConfig,
        end_marker: bool = True,
        sessions: list | None = None,
        extra: dict[str, Any] | None = None,
        members: int = 1,
        trained: Sequence[NeuralNextSymbolModel] = (),
    ):
        self.config = config
        self.end_marker = end_marker
        self.sessions = sessions  # raw sessions to train on instead of reading data.train
        self.extra = extra or {}  # added to the report (a calibration, the restarts)
        self.members = members  # > 1: an ensemble of this many (see train_distinct)
        self.trained = list(trained)  # its members already trained (none when resuming)
        self.inner = ns.NextSymbolRecipe(config)  # wraps and reports the same way
        self.val_sequences: list[np.ndarray] = []

    def build(self, ctx: distributed.DistContext) -> lifecycle.Parts:
        config, d = self.config, self.config.data
        raw = self.sessions if self.sessions is not None else read_sequences(d.train, d.format)
        if d.val:
            train_raw, val_raw = raw, read_sequences(d.val, d.format)
        else:
            train_raw, val_raw = split_validation(raw, d.val_fraction, config.train.seed)
        if self.end_marker:
            train_raw, val_raw = with_end_marker(train_raw), with_end_marker(val_raw)
        vocab = Vocabulary.build(train_raw, d.min_count, d.max_vocab)
        model_cfg = ns.sized_model_config(config.model, vocab)
        bs, seed = config.train.batch_size, config.train.seed
        train_w = Windows([vocab.encode(s) for s in train_raw], d.window)
        train_src = DistinctWindowBatches(train_w, bs, seed=seed, weights=d.window_weights)
        self.val_sequences = [vocab.encode(s) for s in val_raw]
        val_src = None
        if val_raw:
            # held-out windows keep their counts: validation figures are per window
            val_w = Windows(self.val_sequences, d.window)
            val_src = DistinctWindowBatches(val_w, bs * 4, shuffle=False)
        logger.info(
            "training on %d distinct windows (of %d), weights %s, vocabulary %d",
            len(train_src.rows),
            int(train_src.counts.sum()),
            ns.WindowWeights(d.window_weights).value,
            len(vocab),
        )
        self.inner.data = ns.PreparedData(vocab, train_w, None, self.val_sequences)
        net = NextSymbolNet(model_cfg)
        if self.members == 1:
            meta = model_meta(model_cfg, vocab, d.window, d.format)
            return lifecycle.Parts(net, WeightedNextSymbolTask(), train_src, val_src, meta)
        net = MedianEnsembleNet([net, *self.other_members(model_cfg, vocab)])
        meta = ensemble_meta(model_cfg, vocab, d.window, d.format, self.members)
        return lifecycle.Parts(net, WeightedNextSymbolTask(), train_src, val_src, meta)

    def other_members(self, model_cfg: NextSymbolConfig, vocab: Vocabulary) -> list[NextSymbolNet]:
        """Members 1 .. n - 1: those trained before, or (resuming) blank ones of the same
        shape that the checkpoint fills, made without touching the seeded random stream."""
        if not self.trained:
            with torch.random.fork_rng(devices=[]):
                return [NextSymbolNet(model_cfg) for _ in range(self.members - 1)]
        for model in self.trained:
            if model.vocab.symbols != vocab.symbols:
                raise ConfigError("the members of an ensemble were trained on other data")
        return [m.net.cpu() for m in self.trained]

    def report(self, run: lifecycle.FinishedRun) -> dict[str, Any]:
        model = self.wrap(run.net)
        out: dict[str, Any] = {"model": model.describe()}
        targets = targets_for(self.config.data.format)
        out.update(ns.validation_report(model, self.val_sequences, targets))
        out.update(self.extra)
        return out

    def wrap(self, net: nn.Module) -> NeuralNextSymbolModel:
        """The trained network (or ensemble) as a next-symbol model."""
        model = self.inner.wrap(net)
        if not isinstance(net, MedianEnsembleNet):
            return model
        return EnsembleNextSymbolModel(
            net, model.vocab, model.context_length, model.device, model.input_format
        )


def train_distinct(
    config: ns.RunConfig,
    callbacks: Sequence[Callback] = (),
    end_marker: bool = True,
    resume: str | Path | None = None,
    sessions: list | None = None,
    extra: dict[str, Any] | None = None,
    members: int = 1,
    trained: Sequence[NeuralNextSymbolModel] = (),
) -> ns.TrainResult:
    """Train a last-head next-symbol model on the distinct windows of ``config.data.train``
    (sessions or streams, as :func:`seqrnn.next_symbol.train` reads them), weighted as
    ``config.data.window_weights`` says (unset: ``distinct``; the run's ``config.json``
    records the value used), or on ``sessions`` (raw keys) when given, through the shared life
    cycle (run folder, resume, signals, torchrun, ``metrics.json`` with the validation
    figures, ``history.png``).

    ``end_marker`` appends ``<eos>`` to every session, so the model learns where sessions end
    and detection can flag a session that stops (or goes on) where normal ones do not; the
    symbol lives in the saved vocabulary, which is how detection knows to use it. ``extra``
    goes into ``metrics.json`` with the report.

    ``members > 1`` makes the run an ensemble (:class:`~seqrnn.nn.ensemble.MedianEnsembleNet`):
    this run trains member 0 (as it would train alone) and saves it with ``trained``, the
    ``members - 1`` others, trained before on the same data; resuming, they come from the
    checkpoint."""
    if config.model.head is not Head.LAST:
        raise ConfigError("distinct-window training is for last-head (window -> next) models")
    weights = config.data.window_weights or ns.WindowWeights.DISTINCT
    config = replace(config, data=replace(config.data, window_weights=weights))
    recipe = DistinctRecipe(config, end_marker, sessions, extra, members, trained)
    result = lifecycle.run(config, recipe, callbacks, resume)
    model = recipe.wrap(result.net)
    return ns.TrainResult(result.run_dir, model, result.history, result.metrics)


def count_distinct_windows(sequences: list[np.ndarray], window: int) -> tuple[int, int]:
    """(windows, distinct windows) of encoded ``sequences``: how much deduplication saves."""
    w = Windows(sequences, window)
    rows = w.rows()
    return len(rows), len(torch.unique(rows, dim=0))
