"""Text to ids: a word or character tokenizer, truncation and the vocabulary.

The vocabulary is the project's :class:`~seqrnn.data.vocab.Vocabulary` (``<pad>`` = 0,
``<unk>`` = 1), built from the training texts only and capped by size and minimum count, so
words first seen at prediction time map to ``<unk>``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import ConfigError


class TokenMode(enum.StrEnum):
    """What one symbol is."""

    WORD = "word"
    CHAR = "char"


class Punctuation(enum.StrEnum):
    """What the word tokenizer does with punctuation."""

    SPLIT = "split"  # each punctuation mark becomes its own token ("good!" -> good, !)
    DROP = "drop"  # punctuation is removed
    KEEP = "keep"  # split on whitespace only ("good!" stays one token)


class Truncate(enum.StrEnum):
    """Which part of a text longer than ``max_length`` is kept."""

    HEAD = "head"  # the first tokens
    TAIL = "tail"  # the last tokens (reviews often conclude at the end)


@dataclass(frozen=True)
class TextConfig:
    """Tokenisation and vocabulary settings; saved with the model so that prediction reads
    text exactly as training did. ``max_length = 0`` keeps whole texts."""

    mode: TokenMode = TokenMode.WORD
    lowercase: bool = True
    punctuation: Punctuation = Punctuation.SPLIT
    strip_markup: bool = True  # remove HTML tags such as IMDB's <br />
    max_length: int = 400
    truncate: Truncate = Truncate.HEAD
    min_count: int = 1
    max_vocab: int | None = 30000

    def __post_init__(self) -> None:
        if self.max_length < 0:
            raise ConfigError(f"text.max_length must be >= 0, got {self.max_length}")
        if self.min_count < 1:
            raise ConfigError(f"text.min_count must be >= 1, got {self.min_count}")
        if self.max_vocab is not None and self.max_vocab < 1:
            raise ConfigError(f"text.max_vocab must be positive, got {self.max_vocab}")


_MARKUP = re.compile(r"<[^>\n]{0,40}>")
_ESCAPED_QUOTE = re.compile(r"\\(['\"])")
# a word: letters/digits (any script) with inner apostrophes or hyphens ("don't", "x-men")
_WORD = r"\w+(?:['’-]\w+)*"
_PATTERNS = {
    Punctuation.SPLIT: re.compile(_WORD + r"|[^\w\s]"),
    Punctuation.DROP: re.compile(_WORD),
}


class Tokenizer:
    """Turns a text into a list of symbols as :class:`TextConfig` says."""

    def __init__(self, config: TextConfig):
        self.config = config

    def clean(self, text: str) -> str:
        """Lower-case and remove markup, as configured."""
        if self.config.strip_markup:
            text = _ESCAPED_QUOTE.sub(r"\1", _MARKUP.sub(" ", text))
        return text.lower() if self.config.lowercase else text

    def tokenize(self, text: str) -> list[str]:
        """The symbols of ``text``; an empty or blank text gives ``[]``."""
        text = self.clean(text)
        if TokenMode(self.config.mode) is TokenMode.CHAR:
            return list(" ".join(text.split()))
        punct = Punctuation(self.config.punctuation)
        if punct is Punctuation.KEEP:
            return text.split()
        return _PATTERNS[punct].findall(text)

    def truncate(self, tokens: list[str]) -> list[str]:
        """Keep at most ``max_length`` tokens, from the head or the tail."""
        n = self.config.max_length
        if not n or len(tokens) <= n:
            return tokens
        return tokens[:n] if Truncate(self.config.truncate) is Truncate.HEAD else tokens[-n:]

    def build_vocab(self, texts: Sequence[str]) -> Vocabulary:
        """The vocabulary of the (training) ``texts``, capped by count and size."""
        return Vocabulary.build(
            (self.tokenize(t) for t in texts), self.config.min_count, self.config.max_vocab
        )

    def encode(self, texts: Sequence[str], vocab: Vocabulary) -> list[np.ndarray]:
        """Each text as an int64 id array (truncated; unknown symbols -> ``<unk>``)."""
        return [vocab.encode(self.truncate(self.tokenize(t))) for t in texts]
