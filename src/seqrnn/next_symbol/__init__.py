"""Next-symbol models on event sequences: the public API.

>>> from seqrnn import next_symbol
>>> config = next_symbol.run_config_from_dict({"data": {"train": "sessions.txt"}})
>>> result = next_symbol.train(config)              # doctest: +SKIP
>>> model = next_symbol.load_model(result.run_dir)  # doctest: +SKIP
"""

from seqrnn.data.formats import InputFormat
from seqrnn.models.neural import NeuralNextSymbolModel, load_model
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

__all__ = [
    "DataConfig",
    "InputFormat",
    "NeuralNextSymbolModel",
    "RunConfig",
    "TrainResult",
    "WindowWeights",
    "encode_file",
    "load_model",
    "resume_config",
    "run_config_from_dict",
    "train",
]
