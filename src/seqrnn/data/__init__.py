"""Data: sequence readers, the vocabulary and sliding windows (views, no copies)."""

from seqrnn.data.readers import read_id_stream, read_sessions, read_tokens
from seqrnn.data.vocab import PAD, UNK, Vocabulary
from seqrnn.data.windows import Mapping, Windows

__all__ = [
    "PAD",
    "UNK",
    "Mapping",
    "Vocabulary",
    "Windows",
    "read_id_stream",
    "read_sessions",
    "read_tokens",
]
