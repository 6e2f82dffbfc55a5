"""Data: sequence readers, the vocabulary and sliding windows (views, no copies).

The names below are imported on first use (:mod:`seqrnn.lazy`): the readers do not import the
windows, and with them PyTorch."""

from seqrnn.lazy import lazy_exports

_EXPORTS = {
    "read_id_stream": "seqrnn.data.readers",
    "read_sessions": "seqrnn.data.readers",
    "read_tokens": "seqrnn.data.readers",
    "PAD": "seqrnn.data.vocab",
    "UNK": "seqrnn.data.vocab",
    "Vocabulary": "seqrnn.data.vocab",
    "Mapping": "seqrnn.data.windows",
    "Windows": "seqrnn.data.windows",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
