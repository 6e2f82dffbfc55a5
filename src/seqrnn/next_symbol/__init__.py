"""Next-symbol models on event sequences: the public API (see docs/api.md).

Train with :func:`train` (a :class:`RunConfig` in, a :class:`TrainResult` out), load with
:func:`load_model`, then :func:`evaluate`, :func:`predict`, :func:`score` and :func:`sample`
with any next-symbol model (neural, Markov chain, Naive Bayes, NumPy reference, text model).
"""

from seqrnn.data.formats import InputFormat
from seqrnn.evaluation.metrics import NextSymbolMetrics
from seqrnn.evaluation.scoring import PositionScores
from seqrnn.models.neural import NeuralNextSymbolModel, load_model
from seqrnn.models.registry import load_next_symbol_model as load_any
from seqrnn.next_symbol.training import (
    DataConfig,
    RunConfig,
    TrainResult,
    WindowWeights,
    encode_file,
    resume_config,
    run_config_from_dict,
    train,
)
from seqrnn.next_symbol.use import (
    Guess,
    evaluate,
    predict,
    sample,
    score,
    scores_table,
    write_scores,
)

__all__ = [
    "DataConfig",
    "Guess",
    "InputFormat",
    "NeuralNextSymbolModel",
    "NextSymbolMetrics",
    "PositionScores",
    "RunConfig",
    "TrainResult",
    "WindowWeights",
    "encode_file",
    "evaluate",
    "load_any",
    "load_model",
    "predict",
    "resume_config",
    "run_config_from_dict",
    "sample",
    "score",
    "scores_table",
    "train",
    "write_scores",
]
