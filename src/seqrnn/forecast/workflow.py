"""The library functions behind ``seqrnn forecast ...``: train, load, compare, backtest.

``train(config, callbacks)`` is the one entry point for a training run (the CLI and a
hyper-parameter search both call it): it reads the series, fits the scaler on the training part
only, trains with the shared :class:`~seqrnn.train.Trainer` (recording ``val_loss`` per epoch
when ``data.val_fraction > 0``, so that pruning callbacks can watch it), evaluates the network
and the baselines on both parts in original units, and fills a run folder (``config.json``,
``history.csv``, ``model.safetensors``, ``metrics.json``, ``forecasts.csv``, two PNG figures).
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as with_fields
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seqrnn.config import from_dict, replace, resolve, to_dict
from seqrnn.errors import InputError
from seqrnn.forecast.baselines import naive_baselines
from seqrnn.forecast.choice import NETWORK, Choice, choose_from, chosen_forecaster, fit_blocks
from seqrnn.forecast.evaluation import Evaluation, Split, WindowMode, evaluate, forecast_from
from seqrnn.forecast.intervals import Intervals, backtest_intervals, interval_steps
from seqrnn.forecast.nets import Architecture, ForecastNet, ModelConfig, Strategy
from seqrnn.forecast.neural import NeuralForecaster, prepare
from seqrnn.forecast.plots import classic_figure, horizon_figure
from seqrnn.forecast.readers import Fill, Series, read_series
from seqrnn.forecast.task import ForecastTask
from seqrnn.forecast.transforms import Differencer, Scaler
from seqrnn.forecast.windows import ShuffledBatches, StatefulBatches, gather_inputs, gather_targets
from seqrnn.io.atomic import atomic_write_text
from seqrnn.io.checkpoint import load_state_strict
from seqrnn.models.kinds import load_checkpoint_of
from seqrnn.models.registry import resolve_model_path
from seqrnn.train import distributed, lifecycle
from seqrnn.train.callbacks import Callback
from seqrnn.train.config import ConfigError, TrainConfig

logger = logging.getLogger(__name__)

KIND = "forecast"


@dataclass(frozen=True)
class DataConfig:
    """Where the series comes from and how it is split."""

    path: str = ""
    value_column: str | None = None  # name or 0-based index; default: the last column
    date_column: str | None = None  # default: a first column called date/month/time...
    covariates: tuple[str, ...] = ()
    fill: Fill = Fill.NONE
    season: int = 1  # seasonal period (12 for monthly data); 1 = none
    train_fraction: float = 0.67
    val_fraction: float = 0.0  # the last part of the training windows, for val_loss
    windows: WindowMode = WindowMode.FULL

    def __post_init__(self) -> None:
        if self.season < 1:
            raise ConfigError(f"data.season must be >= 1, got {self.season}")
        if not 0.0 <= self.val_fraction < 1.0:
            raise ConfigError(f"data.val_fraction must be in [0, 1), got {self.val_fraction}")


def _default_train() -> TrainConfig:
    return TrainConfig(epochs=100, batch_size=8, learning_rate=3e-3)


@dataclass(frozen=True)
class ForecastConfig:
    """Everything a forecasting run needs; saved as the run's ``config.json``."""

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=_default_train)
    runs_dir: str | None = "runs"  # None or "": no run folder (nothing written)
    name: str | None = None
    mlp_baseline: bool = True  # also train the MLP on the same windows, for comparison
    plot_horizon: int = 24  # steps drawn in forecast_horizon.png (recursive models)
    choose: bool = True  # the default: network or a naive forecast, by a training-part backtest
    choice_folds: int = 2  # blocks at the end of the training part that backtest the choice

    def __post_init__(self) -> None:
        if self.choice_folds < 1:
            raise ConfigError(f"choice_folds must be >= 1, got {self.choice_folds}")


def config_from_dict(data: dict[str, Any]) -> ForecastConfig:
    """Build and check a :class:`ForecastConfig` (unknown keys get a suggestion). Keys not
    given keep the defaults of :class:`ForecastConfig` (``{"train": {"epochs": 5}}`` keeps the
    forecasting learning rate and batch size, not those of a bare ``TrainConfig``)."""
    return resolve(ForecastConfig, data)


def load_series(data: DataConfig) -> Series:
    """Read the series that ``data`` names."""
    return read_series(data.path, data.value_column, data.date_column, data.covariates, data.fill)


@dataclass
class ForecastResult:
    """What a finished run left behind; ``evaluations[0]`` is the network's."""

    forecaster: NeuralForecaster
    history: list[dict[str, Any]]
    evaluations: list[Evaluation]
    split: Split
    run_dir: Path | None = None
    choice: Choice | None = None  # what the default forecasts with, and why
    default: Evaluation | None = None  # the chosen forecaster's evaluation
    intervals: Intervals | None = None  # the default's, from its training-part backtest errors
    coverage: dict[str, float] = field(default_factory=dict)  # of the test part, in percent


class ForecastRecipe:
    """A forecasting network's part of the life cycle: scale on the training part only, cut
    windows, the network; :meth:`report` turns the trained network into a forecaster and
    hands it to ``on_report`` (evaluation and files, for a full run)."""

    def __init__(
        self,
        series: Series,
        config: ForecastConfig,
        n_train: int,
        on_report: Callable[[NeuralForecaster], dict[str, Any]] | None = None,
    ):
        self.series, self.config, self.n_train = series, config, n_train
        self.on_report = on_report
        self.forecaster: NeuralForecaster | None = None

    def build(self, ctx: distributed.DistContext) -> lifecycle.Parts:
        cfg, config = self.config.model, self.config
        self.diff = diff = Differencer.for_transform(cfg.transform, config.data.season)
        data, _ = prepare(self.series.values, self.series.covariates, diff)  # [N, C]
        self.scaler = Scaler.fit(cfg.scaler, data[diff.order : self.n_train])  # training part
        scaled = self.scaler.transform(data)
        split = Split(len(self.series), self.n_train, config.data.windows)
        origins = split.origins("train", cfg.look_back + diff.order, cfg.outputs, cfg.look_back)
        n_val = round(len(origins) * config.data.val_fraction)
        if len(origins) - n_val < 1:
            raise ConfigError(f"only {len(origins)} training windows: use a shorter look-back")
        train_src, val_src = _sources(scaled, origins, n_val, cfg, config.train)
        self.meta = {
            "kind": KIND,
            "model_config": to_dict(cfg),
            "data_config": to_dict(config.data),
            "scaler": self.scaler.to_dict(),
            "n_train": self.n_train,
        }
        logger.info("training on %d windows (%d validation)", len(origins) - n_val, n_val)
        net = ForecastNet(cfg, channels=data.shape[1])
        task = ForecastTask(cfg.stateful)
        return lifecycle.Parts(
            net, task, train_src, val_src, self.meta, data_parallel=not cfg.stateful
        )

    def wrap(self, net: Any) -> NeuralForecaster:
        """The trained network as a forecaster (every process; the report is rank 0's)."""
        cfg = self.config.model
        f = NeuralForecaster(net.cpu(), cfg, self.scaler, self.diff, name=describe(cfg))
        f.meta = self.meta
        self.forecaster = f
        return f

    def report(self, run: lifecycle.FinishedRun) -> dict[str, Any]:
        f = self.wrap(run.net)
        return self.on_report(f) if self.on_report is not None else {}


def fit_forecaster(
    series: Series,
    config: ForecastConfig,
    n_train: int,
    callbacks: Sequence[Callback] = (),
) -> tuple[NeuralForecaster, list[dict[str, Any]]]:
    """Train the network of ``config`` on the first ``n_train`` values of ``series`` in memory
    (no run folder: backtests, the MLP comparison, hyper-parameter trials)."""
    recipe = ForecastRecipe(series, replace(config, runs_dir=None), n_train)
    result = lifecycle.run(recipe.config, recipe, callbacks)
    return recipe.forecaster or recipe.wrap(result.net), result.history


def _sources(
    scaled: np.ndarray, origins: np.ndarray, n_val: int, cfg: ModelConfig, train: TrainConfig
) -> tuple[Any, Any]:
    """Training and validation batch sources (the last ``n_val`` windows validate)."""
    cut = len(origins) - n_val
    tensors = [
        (
            torch.as_tensor(gather_inputs(scaled, o, cfg.look_back)).float(),  # [S, L, C]
            torch.as_tensor(gather_targets(scaled[:, 0], o, cfg.outputs)).float(),  # [S, H]
        )
        for o in (origins[:cut], origins[cut:])
    ]
    if cfg.stateful:
        return tuple(
            StatefulBatches(x, y, min(train.batch_size, len(x))) if len(x) else None
            for x, y in tensors
        )
    val = ShuffledBatches(*tensors[1], 256, shuffle=False) if n_val else None
    return ShuffledBatches(*tensors[0], train.batch_size, True, train.seed), val


def describe(cfg: ModelConfig) -> str:
    """A short name for tables: ``lstm timesteps L=12 seasonal_diff``."""
    if cfg.architecture is Architecture.MLP:
        head = f"mlp {'x'.join(map(str, cfg.mlp_hidden))}"
    else:
        enc = cfg.encoder
        layers = f"{enc.num_layers}x" if enc.num_layers > 1 else ""
        head = f"{enc.cell.value} {layers}{enc.hidden_size} {cfg.framing.value}"
    return f"{head} L={cfg.look_back} {cfg.transform.value}"


def compare_baselines(
    series: Series, split: Split, season: int, horizon: int, look_back: int = 1
) -> list[Evaluation]:
    """The naive baselines on the same split (and, in tutorial mode, the same targets)."""
    return [evaluate(b, series, split, horizon, season, look_back) for b in naive_baselines(season)]


def train(
    config: ForecastConfig,
    callbacks: Sequence[Callback] = (),
    series: Series | None = None,
    resume: str | Path | None = None,
) -> ForecastResult:
    """Train through the shared life cycle, evaluate against the baselines and (unless
    ``runs_dir`` is empty) fill a run folder. ``series`` overrides ``config.data.path``
    (tests, benchmarks); ``resume`` continues a run folder."""
    series = load_series(config.data) if series is None else series
    if series.covariates is not None:
        NeuralForecaster.check_covariates(config.model, config.model.horizon)
    split = Split.by_fraction(len(series), config.data.train_fraction, config.data.windows)
    box: dict[str, Any] = {}

    def on_report(forecaster: NeuralForecaster) -> dict[str, Any]:
        box["evals"] = evals = _evaluations(forecaster, series, split, config)
        metrics: dict[str, Any] = {e.name: e.metrics for e in evals}
        if config.choose:
            box.update(_default(evals, series, split, config, forecaster))
            metrics["choice"] = box["choice"].to_dict()
            metrics["default"] = box["default"].metrics
            if box["intervals"] is not None:
                metrics["intervals"] = box["intervals"].to_dict()
                metrics["intervals"]["test_coverage"] = box["coverage"]
        return metrics

    recipe = ForecastRecipe(series, config, split.n_train, on_report)
    run = lifecycle.run(config, recipe, callbacks, resume)
    forecaster = recipe.forecaster or recipe.wrap(run.net)  # other ranks: no report
    evals = box.get("evals", [])
    result = ForecastResult(
        forecaster,
        run.history,
        evals,
        split,
        run.run_dir,
        box.get("choice"),
        box.get("default"),
        box.get("intervals"),
        box.get("coverage", {}),
    )
    if run.run_dir is not None and evals:  # rank 0 (the one that evaluated) writes
        write_run(result, series, config)
    return result


def _evaluations(
    forecaster: NeuralForecaster, series: Series, split: Split, config: ForecastConfig
) -> list[Evaluation]:
    """The network, the MLP on the same windows (when asked) and the naive baselines."""
    cfg, season = config.model, config.data.season
    evals = [evaluate(forecaster, series, split, cfg.horizon, season, cfg.look_back)]
    if config.mlp_baseline and cfg.architecture is not Architecture.MLP:
        mlp_cfg = replace(config, model=replace(cfg, architecture=Architecture.MLP))
        mlp, _ = fit_forecaster(series, mlp_cfg, split.n_train)
        evals.append(evaluate(mlp, series, split, cfg.horizon, season, cfg.look_back))
    return evals + compare_baselines(series, split, season, cfg.horizon, cfg.look_back)


def _default(
    evals: list[Evaluation],
    series: Series,
    split: Split,
    config: ForecastConfig,
    network: NeuralForecaster,
) -> dict[str, Any]:
    """Choose the default by a backtest on the training part (:mod:`~seqrnn.forecast.choice`)
    and make its intervals from the same backtest's errors (:mod:`~seqrnn.forecast.intervals`).
    The default's evaluation is the chosen forecaster's among ``evals`` (the network's first,
    then the baselines' on the same split and targets), named ``default = <name>``."""
    fits = fit_blocks(
        series,
        config,
        split.n_train,
        lambda seen, n: fit_forecaster(seen, config, n)[0],
        config.choice_folds,
    )
    choice = choose_from(series, config, split.n_train, fits)
    logger.info("default: %s (%s)", choice.chosen, choice.reason)
    season = config.data.season
    if choice.chosen == NETWORK:
        chosen = evals[0]
    else:
        chosen = next(e for e in evals if e.name == choice.chosen)
    final = chosen_forecaster(choice, network, season)
    per_block = [(b.start, b.stop, chosen_forecaster(choice, b.network, season)) for b in fits]
    steps = interval_steps(config.model, season, series.covariates is not None)
    made = backtest_intervals(series, split, per_block, final, steps) if fits else None
    return {
        "choice": choice,
        "default": with_fields(chosen, name=f"default = {choice.chosen}"),
        "intervals": made[0] if made else None,
        "coverage": made[1] if made else {},
    }


def load_choice(path: str | Path) -> Choice | None:
    """The default's choice recorded in a run folder's ``metrics.json`` (None for a bare model
    file, or a run trained with ``choose = false``)."""
    data = run_metrics(path).get("choice")
    return Choice.from_dict(data) if isinstance(data, dict) else None


def run_metrics(path: str | Path) -> dict[str, Any]:
    """A run folder's ``metrics.json`` as a dict ({} for a model file, or a folder without
    one)."""
    metrics = Path(path) / "metrics.json"
    if not Path(path).is_dir() or not metrics.is_file():
        return {}
    try:
        data = json.loads(metrics.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"not a JSON metrics file ({err})", metrics) from err
    return data if isinstance(data, dict) else {}


def resume_config(run_dir: str | Path) -> ForecastConfig:
    """The config a forecast run folder was trained with (to resume it)."""
    return lifecycle.resume_config(ForecastConfig, run_dir)


def write_run(result: ForecastResult, series: Series, config: ForecastConfig) -> None:
    """Forecasts and figures into the run folder (the life cycle wrote the checkpoints,
    history and metrics)."""
    run_dir = result.run_dir
    assert run_dir is not None  # only called with a run folder
    atomic_write_text(run_dir / "forecasts.csv", forecasts_csv(series, result.evaluations[0]))
    classic_figure(series, result.evaluations[0], run_dir / "forecast_classic.png")
    f = result.forecaster
    horizon = f.config.horizon
    if f.config.strategy is Strategy.RECURSIVE and not f.stateful:
        horizon = max(horizon, config.plot_horizon)
    if series.covariates is not None:
        horizon = f.config.horizon
    pred = forecast_from(f, series, len(series), horizon)
    horizon_figure(series, pred, len(series), run_dir / "forecast_horizon.png", f.name)


def forecasts_csv(series: Series, evaluation: Evaluation) -> str:
    """``part,time,date,step,actual,forecast`` for every forecast value of an evaluation."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["part", "time", "date", "step", "actual", "forecast"])
    y = series.values
    for part, origins in evaluation.origins.items():
        for origin, row in zip(origins, evaluation.forecasts[part], strict=True):
            for k, value in enumerate(row):
                t = int(origin) + k
                date = series.dates[t] if series.dates else ""
                out.writerow([part, t, date, k + 1, y[t], f"{value:.6g}"])
    return buf.getvalue()


def load_model(path: str | Path) -> tuple[NeuralForecaster, DataConfig]:
    """A forecaster and the data settings it was trained with, from a ``model.safetensors``
    file or a run folder."""
    path = resolve_model_path(path)
    ckpt = load_checkpoint_of(path, [KIND], "`seqrnn forecast`")
    cfg = from_dict(ModelConfig, ckpt.meta["model_config"], f"{path} model_config")
    data = from_dict(DataConfig, ckpt.meta["data_config"], f"{path} data_config")
    scaler = Scaler.from_dict(ckpt.meta["scaler"])
    net = ForecastNet(cfg, channels=len(scaler.shift))
    load_state_strict(net, ckpt.section("model"), str(path))
    diff = Differencer.for_transform(cfg.transform, data.season)
    forecaster = NeuralForecaster(net, cfg, scaler, diff, name=describe(cfg))
    forecaster.meta = {
        k: v for k, v in ckpt.meta.items() if k not in ("format", "version", "sha256")
    }
    return forecaster, data
