"""Text generation: character- and word-level recurrent language models trained on the
contiguous stream with truncated BPTT and a carried state (char-rnn style), scored in bits per
symbol on held-out text, sampled through :mod:`seqrnn.generation`.

Public API (see docs/api.md): :func:`train` (a :class:`TextRunConfig` in, a
:class:`TextTrainResult` out), :func:`load_model`, :func:`evaluate` (bits per symbol of text
files) and :func:`sample` (text in, text out).
"""

from seqrnn.textgen.corpus import Level, detokenize, read_texts, tokenize
from seqrnn.textgen.evaluate import TextScores, score_text
from seqrnn.textgen.model import TextModel, sample
from seqrnn.textgen.model import load_text_model as load_model
from seqrnn.textgen.workflow import (
    TextRunConfig,
    TextTrainResult,
    text_config_from_dict,
    text_resume_config,
)
from seqrnn.textgen.workflow import evaluate_text as evaluate
from seqrnn.textgen.workflow import train_text as train

__all__ = [
    "Level",
    "TextModel",
    "TextRunConfig",
    "TextScores",
    "TextTrainResult",
    "detokenize",
    "evaluate",
    "load_model",
    "read_texts",
    "sample",
    "score_text",
    "text_config_from_dict",
    "text_resume_config",
    "tokenize",
    "train",
]
