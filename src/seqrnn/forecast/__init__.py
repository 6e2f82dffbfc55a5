"""Time-series forecasting with recurrent networks, kept honest by naive baselines.

Read a series (:func:`read_series`), train with :func:`train` (config in, result out), load a
model with :func:`load_model`; every forecaster, network or baseline, answers
``predict_at(y, origins, horizon)``. :func:`load_default` gives a run's default (the network or
the naive forecast its backtest chose) with the prediction intervals made from that backtest:
``load_default(run).predict(series, horizon)`` -> point forecast and quantiles. Judge a saved
one with :func:`evaluate_saved` (beside the baselines, on its split) and a configuration with
:func:`backtest` (rolling origin). Many series at once: read a panel (:func:`read_panel`,
:func:`read_m3`), then :func:`forecast_panel` (the default chosen by backtest) or
:func:`fit_global`, and keep the network with :func:`save_global` / :func:`load_global`
(:func:`read_global` also gives the season it was saved with).
See docs/forecasting.md.
"""

from seqrnn.forecast.assess import Backtest, backtest, evaluate_saved, write_evaluation
from seqrnn.forecast.baselines import Drift, Forecaster, Mean, Persistence, SeasonalNaive
from seqrnn.forecast.default import Prediction, RunForecaster, load_default
from seqrnn.forecast.evaluation import (
    Evaluation,
    Split,
    WindowMode,
    evaluate,
    forecast_from,
    rolling_origin,
)
from seqrnn.forecast.global_io import SavedGlobal, load_global, read_global, save_global
from seqrnn.forecast.global_model import GlobalConfig, GlobalForecaster, fit_global
from seqrnn.forecast.intervals import Intervals
from seqrnn.forecast.metrics import forecast_metrics
from seqrnn.forecast.nets import Architecture, ForecastNet, Framing, ModelConfig, Strategy
from seqrnn.forecast.panel import Panel, read_m3, read_panel
from seqrnn.forecast.readers import Fill, Series, read_series
from seqrnn.forecast.selection import PanelForecast, SelectionConfig, forecast_panel
from seqrnn.forecast.transforms import ScalerKind, Transform
from seqrnn.forecast.workflow import (
    DataConfig,
    ForecastConfig,
    ForecastResult,
    config_from_dict,
    load_model,
    resume_config,
    train,
)

__all__ = [
    "Architecture",
    "Backtest",
    "DataConfig",
    "Drift",
    "Evaluation",
    "Fill",
    "ForecastConfig",
    "ForecastNet",
    "ForecastResult",
    "Forecaster",
    "Framing",
    "GlobalConfig",
    "GlobalForecaster",
    "Intervals",
    "Mean",
    "ModelConfig",
    "Panel",
    "PanelForecast",
    "Persistence",
    "Prediction",
    "RunForecaster",
    "SavedGlobal",
    "ScalerKind",
    "SeasonalNaive",
    "SelectionConfig",
    "Series",
    "Split",
    "Strategy",
    "Transform",
    "WindowMode",
    "backtest",
    "config_from_dict",
    "evaluate",
    "evaluate_saved",
    "fit_global",
    "forecast_from",
    "forecast_metrics",
    "forecast_panel",
    "load_default",
    "load_global",
    "load_model",
    "read_global",
    "read_m3",
    "read_panel",
    "read_series",
    "resume_config",
    "rolling_origin",
    "save_global",
    "train",
    "write_evaluation",
]
