"""One recurrent network for many series: windows from every series, quantile outputs for all
``H`` steps at once (direct), trained with the shared :class:`~seqrnn.train.Trainer`.

Scale and season are taken out per series before the network sees anything (ES-RNN style):

    y  --log-->  log y  --minus log seasonal index-->  z   (deseasonalised, on the log scale)
    window input  = z[o-L .. o-1] - level,  level = mean of the window's last season
    window target = z[o .. o+H-1] - level

so a series of thousands and one of tens look alike, and the network learns shapes. Series too
short for a window are padded on the left with their first value and a 0 in the mask channel::

    padded z:  z0 z0 z0 | z0 z1 z2 ... z(n-1)      mask: 0 0 0 | 1 1 1 ... 1
               <-- L -->                             (so every origin o >= min_input has L inputs)

Forecasts are quantiles ``[S, H, Q]`` (levels in :mod:`~seqrnn.forecast.quantiles`) in
original units; an ensemble averages its members on the log scale. The outer quantiles are
trained with the pinball loss; the median (the point forecast) with the pinball loss too, or
with a loss closer to the metrics (:mod:`seqrnn.forecast.global_losses`): the M3 sMAPE, which
on the log scale is ``2 tanh(|p - y| / 2)``, or the absolute error in original units over the
series' MASE scale (options: neither led the M3 training-part backtest by more than seed
noise, see docs/forecasting.md).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np
import torch
from torch import nn

from seqrnn.errors import ConfigError
from seqrnn.forecast.global_losses import POINT_LOSSES, QuantileTask, loss_scale
from seqrnn.forecast.quantiles import LEVELS
from seqrnn.forecast.stats import seasonal_indices
from seqrnn.forecast.windows import ShuffledBatches
from seqrnn.nn.encoder import EncoderConfig, RecurrentEncoder
from seqrnn.train.config import TrainConfig
from seqrnn.train.lifecycle import budget_callbacks
from seqrnn.train.schedule import Decay, ScheduleConfig, TrainingClock
from seqrnn.train.trainer import Trainer

logger = logging.getLogger(__name__)

CHANNELS = 4  # value, mask, sin and cos of the position in the season


def _default_encoder() -> EncoderConfig:
    return EncoderConfig(hidden_size=64, num_layers=2)


SEASONAL_INPUTS = {"both": (True, False), "yes": (True,), "no": (False,)}  # by option value
COSINE = ScheduleConfig(decay=Decay.COSINE, final_fraction=0.1)  # lr down to lr/10


def _default_train() -> TrainConfig:
    return TrainConfig(epochs=12, batch_size=256, learning_rate=3e-3, device="cpu", schedule=COSINE)


@dataclass(frozen=True)
class GlobalConfig:
    """The global network and its ensemble: one member per (deseasonalise flag, look-back,
    loss, seed)."""

    horizon: int = 18
    look_backs: tuple[int, ...] = (24, 36)
    seeds: tuple[int, ...] = (0,)
    min_input: int = 12  # shortest real history of a training window
    max_origins: int = 0  # windows per series: only the most recent ones (0 = all)
    per_epoch: int = 30_000  # windows drawn at random each epoch (0 = every window once)
    chunk: int = 6  # values per recurrent step (6: a 36-month window is 6 steps of 6 months)
    # each series' category (one-hot, where the panel has categories) as constant input
    # channels of every ``category_every``-th member in the order of the grid below (with 2:
    # the second and fourth of four; with 1: all). Members with and without it err
    # differently: on the M3 training-part backtest half of the four with it beat none and
    # all (docs/forecasting.md, sixth pass)
    categories: bool = True
    category_every: int = 2
    # one member per flag: True divides by the classical seasonal indices first (ES-RNN),
    # False gives the network the log values and lets it learn the season from the phase
    deseasonalise: tuple[bool, ...] = (True, False)
    # one member per loss of the point (median) output, see POINT_LOSSES; the other
    # quantiles are always trained with the pinball loss. Six MASE members (look-backs
    # 24/30/36) led the training-part backtest by 0.016 sMAPE, below the 0.07 seed spread of
    # one member, for 2.2x the CPU: not enough to change the default (docs/forecasting.md)
    losses: tuple[str, ...] = ("pinball",)
    encoder: EncoderConfig = field(default_factory=_default_encoder)
    train: TrainConfig = field(default_factory=_default_train)

    def __post_init__(self) -> None:
        if self.horizon < 1 or self.min_input < 1 or self.chunk < 1 or not self.seeds:
            raise ConfigError("horizon, min_input and chunk must be >= 1, seeds not empty")
        if self.category_every < 1:
            raise ConfigError(f"category_every must be >= 1, got {self.category_every}")
        if not self.deseasonalise:
            raise ConfigError("deseasonalise needs at least one flag (True, False or both)")
        unknown = [name for name in self.losses if name not in POINT_LOSSES]
        if unknown or not self.losses:
            raise ConfigError(f"losses {unknown} not among {', '.join(POINT_LOSSES)}")
        bad = [lb for lb in self.look_backs if lb < 1 or lb % self.chunk]
        if bad or not self.look_backs:
            raise ConfigError(f"look-backs {bad} must be positive multiples of chunk={self.chunk}")


class GlobalNet(nn.Module):
    """``x`` ``[B, L, C]`` -> quantiles ``[B, H, Q]`` of the next ``H`` normalised values
    (``C`` = 4, plus one per category when ``categories``: whether the series' category is
    an input); ``deseasonalised``: whether its inputs and outputs have the seasonal indices
    taken out.

    With ``chunk`` > 1 the recurrence steps over blocks of ``chunk`` consecutive values
    (``[B, L / chunk, 4 * chunk]``): the same window in fewer, wider steps, several times
    cheaper on a CPU, where the cost grows with the number of steps."""

    def __init__(
        self,
        horizon: int,
        encoder: EncoderConfig,
        chunk: int = 1,
        quantiles: int = len(LEVELS),
        channels: int = CHANNELS,
        deseasonalised: bool = True,
    ):
        super().__init__()
        self.horizon, self.quantiles, self.chunk = horizon, quantiles, chunk
        self.deseasonalised = deseasonalised
        self.categories = False  # whether the category channels are among its inputs
        self.loss = "pinball"  # the median output's training loss (POINT_LOSSES)
        self.encoder = RecurrentEncoder(channels * chunk, encoder)
        self.head = nn.Linear(self.encoder.output_size, horizon * quantiles)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, L, C = x.shape  # batch, look-back, channels
        x = x.reshape(B, L // self.chunk, C * self.chunk)  # [B, T, C * chunk]
        _, state = self.encoder(x)
        h = self.encoder.last_hidden(state)  # [B, hidden]
        return self.head(h).view(B, self.horizon, self.quantiles)  # [B, H, Q]


class SampledBatches:
    """``per_epoch`` windows drawn without replacement each epoch (a new draw every epoch,
    fixed by ``(seed, epoch)``), as N-BEATS samples its training windows: a fixed cost per
    epoch however many series and windows there are."""

    def __init__(
        self, x: torch.Tensor, y: torch.Tensor, batch_size: int, per_epoch: int, seed: int
    ):
        self.x, self.y, self.batch_size = x, y, batch_size
        self.per_epoch, self.seed = per_epoch, seed

    def batches(self, epoch: int) -> Iterator[tuple[torch.Tensor, torch.Tensor, bool]]:
        """Batches ``(x [B, L, 4], y [B, H], True)`` of epoch ``epoch``."""
        gen = torch.Generator().manual_seed(self.seed * 100_003 + epoch)
        pick = torch.randperm(len(self.x), generator=gen)[: self.per_epoch]
        for start in range(0, self.per_epoch, self.batch_size):
            idx = pick[start : start + self.batch_size]
            yield self.x[idx], self.y[idx], True

    def __len__(self) -> int:
        return -(-self.per_epoch // self.batch_size)


@dataclass
class Prepared:
    """The panel on the network's scale: padded ``z`` and ``mask`` (flat, every series after
    ``pad`` copies of its first value), offsets, lengths, log seasonal indices ``[S, m]``,
    one-hot categories ``[S, K]`` (``K`` = 0 without them)."""

    z: np.ndarray
    mask: np.ndarray
    phase: np.ndarray
    offsets: np.ndarray
    lengths: np.ndarray
    log_index: np.ndarray
    pad: int
    season: int
    onehot: np.ndarray

    def windows(self, origins: np.ndarray, series: np.ndarray, look_back: int) -> tuple:
        """Inputs ``[B, L, C]``, flat start indices ``[B]`` and levels ``[B]``."""
        start = self.offsets[series] + self.pad + origins  # flat index of time ``origin``
        idx = start[:, None] - look_back + np.arange(look_back)  # [B, L]
        m = min(self.season, look_back)
        level = self.z[idx[:, -m:]].mean(axis=1)  # [B]
        x = np.stack(
            [
                self.z[idx] - level[:, None],
                self.mask[idx],
                np.sin(2 * np.pi * self.phase[idx] / self.season),
                np.cos(2 * np.pi * self.phase[idx] / self.season),
            ],
            axis=-1,
        )
        static = np.broadcast_to(self.onehot[series][:, None], (*idx.shape, self.onehot.shape[1]))
        return np.concatenate([x, static], axis=-1).astype(np.float32), level, start


def prepare(
    train: list[np.ndarray],
    season: int,
    pad: int,
    onehot: np.ndarray | None = None,
    deseasonalise: bool = True,
) -> Prepared:
    """Log, deseasonalise (unless told not to) and pad every series (all values must be
    positive)."""
    zs, masks, phases, log_index = [], [], [], []
    for y in train:
        idx = seasonal_indices(y, season) if season > 1 and deseasonalise else np.ones(1)
        t = np.arange(len(y))
        z = np.log(y) - np.log(idx[t % len(idx)])
        zs.append(np.r_[np.full(pad, z[0]), z])
        masks.append(np.r_[np.zeros(pad), np.ones(len(y))])
        phases.append(np.r_[(np.arange(-pad, 0) % max(season, 1)), t % max(season, 1)])
        log_index.append(np.log(np.resize(idx, max(season, 1))))
    lengths = np.array([len(y) for y in train])
    offsets = np.r_[0, np.cumsum(lengths + pad)[:-1]]
    return Prepared(
        np.concatenate(zs),
        np.concatenate(masks),
        np.concatenate(phases),
        offsets,
        lengths,
        np.stack(log_index),
        pad,
        max(season, 1),
        np.zeros((len(train), 0)) if onehot is None else onehot,
    )


def training_windows(
    data: Prepared,
    look_back: int,
    horizon: int,
    min_input: int,
    max_origins: int = 0,
    scales: np.ndarray | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The windows whose targets lie inside their series (the most recent ``max_origins`` of
    each series when it is positive): ``x [W, L, 4]``, ``y [W, H]``; with the series' MASE
    ``scales`` ``[S]``, ``y [W, H, 2]``: the targets and the weights of :func:`mase_loss`
    (normalised to mean 1)."""
    last = data.lengths - horizon  # the latest origin of each series
    first = np.full_like(last, min_input)
    if max_origins > 0:
        first = np.maximum(first, last - max_origins + 1)
    counts = np.maximum(last - first + 1, 0)
    series = np.repeat(np.arange(len(counts)), counts)
    origins = np.concatenate([np.arange(f, f + c) for f, c in zip(first, counts, strict=True)])
    x, level, start = data.windows(origins, series, look_back)
    at = start[:, None] + np.arange(horizon)  # [W, H] flat indices of the targets
    y = data.z[at] - level[:, None]
    if scales is not None:
        seasonal = data.log_index[series[:, None], data.phase[at].astype(int)]
        weight = np.exp(level[:, None] + seasonal) / scales[series, None]
        y = np.stack([y, weight / weight.mean()], axis=-1)
    return torch.from_numpy(x), torch.from_numpy(y.astype(np.float32))


class GlobalForecaster:
    """Trained members (one per look-back and seed) that forecast any panel of positive series
    with at least ``min_input`` values; ``vocabulary``: the categories it was trained with
    (empty unless ``config.categories``; an unseen category gets all-zero channels; members
    without ``categories`` see the first :data:`CHANNELS` channels only)."""

    def __init__(
        self,
        config: GlobalConfig,
        members: list[tuple[int, GlobalNet]],
        vocabulary: tuple[str, ...] = (),
    ):
        self.config, self.members, self.vocabulary = config, members, vocabulary

    def predict(
        self, train: list[np.ndarray], season: int, categories: list[str] | None = None
    ) -> np.ndarray:
        """Quantiles ``[S, H, Q]`` for the ``H`` steps after the end of each series."""
        H, pad = self.config.horizon, max(self.config.look_backs)
        onehot = self._onehot(categories, len(train))
        prepared = {
            flag: prepare(train, season, pad, onehot, flag)
            for flag in {net.deseasonalised for _, net in self.members}
        }
        series = np.arange(len(train))
        logs = []
        for look_back, net in self.members:
            data = prepared[net.deseasonalised]
            x, level, _ = data.windows(data.lengths, series, look_back)
            x = x if net.categories else x[..., :CHANNELS]
            with torch.no_grad():
                q = net.eval()(torch.from_numpy(x)).numpy()  # [S, H, Q]
            steps = (data.lengths[:, None] + np.arange(H)) % data.season  # [S, H]
            seasonal = np.take_along_axis(data.log_index, steps, axis=1)[..., None]
            logs.append(q + level[:, None, None] + seasonal)  # log scale, with the season
        return np.exp(np.sort(np.mean(logs, axis=0), axis=-1))  # ordered quantiles

    def _onehot(self, categories: list[str] | None, n: int) -> np.ndarray:
        """``[S, K]`` one-hot rows over :attr:`vocabulary` (``K`` = 0 without categories)."""
        out = np.zeros((n, len(self.vocabulary)))
        for i, c in enumerate(categories or []):
            if c in self.vocabulary:
                out[i, self.vocabulary.index(c)] = 1.0
        return out


def fit_global(
    train: list[np.ndarray],
    season: int,
    config: GlobalConfig,
    categories: list[str] | None = None,
) -> GlobalForecaster:
    """Train one network per (deseasonalise flag, look-back, loss, seed) on windows from every
    series of ``train`` (every ``config.category_every``-th with the category channels)."""
    vocabulary = tuple(sorted(set(categories or []))) if config.categories else ()
    shell = GlobalForecaster(config, [], vocabulary)
    onehot = shell._onehot(categories, len(train))
    # mase members need each target's weight: the windows then carry it, and the others
    # take the targets alone (the same values), so the windows are cut once per look-back
    scales = None
    if "mase" in config.losses:
        scales = np.array([loss_scale(y, season) for y in train])
    for flag in config.deseasonalise:
        data = prepare(train, season, max(config.look_backs), onehot, flag)
        for look_back in config.look_backs:
            x, y = training_windows(
                data, look_back, config.horizon, config.min_input, config.max_origins, scales
            )
            for loss in config.losses:
                targets = y if loss == "mase" or y.dim() == 2 else y[..., 0].contiguous()
                for seed in config.seeds:
                    k = len(shell.members) + 1  # this member's place in the grid, from 1
                    cats = config.categories and k % config.category_every == 0
                    inputs = x if cats else x[..., :CHANNELS].contiguous()
                    net = _fit_member(inputs, targets, look_back, seed, config, loss)
                    net.deseasonalised, net.loss, net.categories = flag, loss, cats
                    shell.members.append((look_back, net))
    return shell


def _fit_member(
    x: torch.Tensor,
    y: torch.Tensor,
    look_back: int,
    seed: int,
    config: GlobalConfig,
    loss: str = "pinball",
) -> GlobalNet:
    tc = config.train
    with torch.random.fork_rng():  # the initial weights depend on the seed only
        torch.manual_seed(seed)
        net = GlobalNet(config.horizon, config.encoder, config.chunk, channels=x.shape[-1])
    source: SampledBatches | ShuffledBatches
    if 0 < config.per_epoch < len(x):
        source = SampledBatches(x, y, tc.batch_size, config.per_epoch, seed)
    else:
        source = ShuffledBatches(x, y, tc.batch_size, True, seed)
    tc = replace(tc, seed=seed)
    # the shared learning-rate schedule and time budget (train.schedule, train.minutes)
    trainer = Trainer(tc, budget_callbacks(tc, TrainingClock(), len(source)))
    history = trainer.fit(net, QuantileTask(loss), source)
    logger.info(
        "member L=%d seed=%d loss=%s: %d windows, final loss %.4f",
        look_back,
        seed,
        loss,
        len(x),
        history[-1]["loss"],
    )
    return net.cpu()
