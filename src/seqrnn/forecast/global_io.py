"""A trained global forecaster as one checkpoint file (the project's one format: safetensors +
a JSON header covered by a SHA-256, written atomically, never unpickled), so a network trained
on one panel forecasts new series later::

    save_global("m3.safetensors", net, season=12)   # after fit_global or forecast_panel(...).net
    net = load_global("m3.safetensors")
    quantiles = net.predict(new_series, season=12)   # [S, H, Q]
    saved = read_global("m3.safetensors")            # the network and the season it was fit with

Tensors are named ``member<i>.<parameter>``; the header holds the :class:`GlobalConfig`, each
member's look-back, whether it deseasonalises, its point loss and whether it sees the
categories (absent in older files: all deseasonalise, all with the pinball loss, all or none
see the categories as the config says), the first member's input channels, the category
vocabulary and (when given) the season.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seqrnn.config import resolve, to_dict
from seqrnn.errors import CheckpointError, ConfigError
from seqrnn.forecast.global_model import CHANNELS, GlobalConfig, GlobalForecaster, GlobalNet
from seqrnn.io.checkpoint import Checkpoint, load_checkpoint, load_state_strict, save_checkpoint

KIND = "global-forecaster"


@dataclass
class SavedGlobal:
    """A global forecaster read back, with the seasonal period of the panel it was trained on
    (None in files written without one)."""

    forecaster: GlobalForecaster
    season: int | None


def save_global(path: str | Path, forecaster: GlobalForecaster, season: int | None = None) -> None:
    """Write every member's weights, what rebuilds them and the training panel's ``season``
    (which forecasts must use again) to ``path``, atomically."""
    tensors = {
        f"member{i}.{name}": t
        for i, (_, net) in enumerate(forecaster.members)
        for name, t in net.state_dict().items()
    }
    first = forecaster.members[0][1]
    meta = {
        "kind": KIND,
        "config": to_dict(forecaster.config),
        "look_backs": [lb for lb, _ in forecaster.members],
        "deseasonalised": [net.deseasonalised for _, net in forecaster.members],
        "losses": [net.loss for _, net in forecaster.members],
        "categories": [net.categories for _, net in forecaster.members],
        "channels": first.encoder.rnn.input_size // first.chunk,
        "vocabulary": list(forecaster.vocabulary),
    }
    if season is not None:
        meta["season"] = int(season)
    save_checkpoint(path, Checkpoint(tensors, meta))


def load_global(path: str | Path) -> GlobalForecaster:
    """Read a file written by :func:`save_global`; refuse any other kind or a damaged file."""
    return read_global(path).forecaster


def read_global(path: str | Path) -> SavedGlobal:
    """:func:`load_global`, with the season the file records."""
    ckpt = load_checkpoint(path, KIND)
    meta = ckpt.meta
    try:
        config = resolve(GlobalConfig, meta["config"], f"{path}: config")
        look_backs, channels = list(meta["look_backs"]), int(meta["channels"])
        # files written before members could differ: every member deseasonalised
        flags = [bool(f) for f in meta.get("deseasonalised", [True] * len(look_backs))]
        losses = [str(x) for x in meta.get("losses", ["pinball"] * len(look_backs))]  # idem
        # files written before members could differ in it: all or none, by the config
        cats = [bool(c) for c in meta.get("categories", [config.categories] * len(look_backs))]
        vocabulary = tuple(str(c) for c in meta["vocabulary"])
        season = None if meta.get("season") is None else int(meta["season"])
    except (KeyError, TypeError, ValueError, ConfigError) as exc:
        raise CheckpointError(f"{path}: global forecaster header incomplete ({exc})") from None
    members = []
    if not len(flags) == len(losses) == len(cats) == len(look_backs):
        n, k, c, m = len(flags), len(losses), len(cats), len(look_backs)
        raise CheckpointError(
            f"{path}: {n} deseasonalised flags, {k} losses and {c} category flags for {m} members"
        )
    for i, (look_back, flag, loss, cat) in enumerate(
        zip(look_backs, flags, losses, cats, strict=True)
    ):
        width = channels if "categories" not in meta else CHANNELS + cat * len(vocabulary)
        net = GlobalNet(config.horizon, config.encoder, config.chunk, channels=width)
        net.deseasonalised, net.loss, net.categories = flag, loss, cat
        load_state_strict(net, ckpt.section(f"member{i}"), str(path))
        members.append((int(look_back), net.eval()))
    return SavedGlobal(GlobalForecaster(config, members, vocabulary), season)
