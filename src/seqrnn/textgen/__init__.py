"""Text generation: character- and word-level recurrent language models trained on the
contiguous stream with truncated BPTT and a carried state (char-rnn style), scored in bits per
symbol on held-out text, sampled through :mod:`seqrnn.generation`."""

from seqrnn.textgen.corpus import Level, detokenize, read_texts, tokenize
from seqrnn.textgen.evaluate import TextScores, score_text
from seqrnn.textgen.model import TextModel, load_text_model

__all__ = [
    "Level",
    "TextModel",
    "TextScores",
    "detokenize",
    "load_text_model",
    "read_texts",
    "score_text",
    "tokenize",
]
