"""seqrnn: recurrent neural networks for sequences.

Next-symbol models on event sequences (train, evaluate, predict, generate, score), log anomaly
detection, time-series forecasting, text classification and text generation, all on PyTorch.
The library never prints; the ``seqrnn`` command line is a thin layer over it.
"""

from seqrnn.errors import InputError, SeqrnnError

__all__ = ["InputError", "SeqrnnError", "__version__"]
__version__ = "0.1.0"
