"""Time-series forecasting with recurrent networks, kept honest by naive baselines.

Read a series (:func:`read_series`), train with :func:`train` (config in, result out), load a
model with :func:`load_model`; every forecaster, network or baseline, answers
``predict_at(y, origins, horizon)``. Judge a saved one with :func:`evaluate_saved` (beside the
baselines, on its split) and a configuration with :func:`backtest` (rolling origin).
See docs/forecasting.md.
"""

from seqrnn.forecast.assess import Backtest, backtest, evaluate_saved, write_evaluation
from seqrnn.forecast.baselines import Drift, Forecaster, Mean, Persistence, SeasonalNaive
from seqrnn.forecast.evaluation import (
    Evaluation,
    Split,
    WindowMode,
    evaluate,
    forecast_from,
    rolling_origin,
)
from seqrnn.forecast.metrics import forecast_metrics
from seqrnn.forecast.nets import Architecture, ForecastNet, Framing, ModelConfig, Strategy
from seqrnn.forecast.readers import Fill, Series, read_series
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
    "Mean",
    "ModelConfig",
    "Persistence",
    "ScalerKind",
    "SeasonalNaive",
    "Series",
    "Split",
    "Strategy",
    "Transform",
    "WindowMode",
    "backtest",
    "config_from_dict",
    "evaluate",
    "evaluate_saved",
    "forecast_from",
    "forecast_metrics",
    "load_model",
    "read_series",
    "resume_config",
    "rolling_origin",
    "train",
    "write_evaluation",
]
