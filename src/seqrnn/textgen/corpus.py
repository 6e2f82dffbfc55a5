"""Text corpora for language models: reading, tokenising (characters or words), splitting.

A corpus is one long string: the files (globs allowed, many of them) are read in sorted order
and joined with a newline. It is tokenised at one of two levels:

* ``Level.CHAR`` (the default, char-rnn style): every character is a symbol;
* ``Level.WORD``: words, single punctuation marks and line breaks are symbols.

The validation text is the *end* of the corpus (never shuffled pieces of it), so the model is
scored on text that comes after everything it trained on, as char-rnn does.
"""

from __future__ import annotations

import enum
import re
import sysconfig
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from seqrnn.data.readers import expand_glob
from seqrnn.errors import InputError

#: a word (letters, digits, inner apostrophes), one punctuation mark, or a line break
_WORD_RE = re.compile(r"\n|\w+(?:'\w+)*|[^\w\s]")
#: symbols written without a space before them when word tokens are joined back into text
_NO_SPACE_BEFORE = set(".,;:!?)]}'\n")
_NO_SPACE_AFTER = set("([{\n")


class Level(enum.StrEnum):
    """What one symbol of a text model is."""

    CHAR = "char"
    WORD = "word"


def read_texts(patterns: str | Sequence[str]) -> str:
    """Read every file matching ``patterns`` (a path, a glob, or several), joined by newlines.

    Errors name the file (and the line for text that is not UTF-8).
    """
    if isinstance(patterns, str):
        patterns = [patterns]
    texts = []
    for pattern in patterns:
        for path in expand_glob(pattern):
            texts.append(_read_utf8(path))
    text = "\n".join(texts)
    if not text.strip():
        raise InputError("no text found (the files are empty)", ", ".join(patterns))
    return text


def _read_utf8(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text ({exc.reason})", path, line) from None


def tokenize(text: str, level: Level) -> list[str]:
    """Text -> symbols: its characters, or its words, punctuation marks and line breaks."""
    if Level(level) is Level.CHAR:
        return list(text)
    return _WORD_RE.findall(text)


def detokenize(symbols: Sequence[str], level: Level) -> str:
    """Symbols -> text: characters are joined as they are; words with single spaces, except
    before punctuation and around line breaks."""
    if Level(level) is Level.CHAR:
        return "".join(symbols)
    parts: list[str] = []
    for i, s in enumerate(symbols):
        if i and s not in _NO_SPACE_BEFORE and symbols[i - 1] not in _NO_SPACE_AFTER:
            parts.append(" ")
        parts.append(s)
    return "".join(parts)


def split_tail(ids: np.ndarray, val_fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """First ``1 - val_fraction`` of the stream for training, the rest (the end) for
    validation. Both are views of ``ids``."""
    if not 0.0 <= val_fraction < 1.0:
        raise InputError(f"the validation fraction must be in [0, 1), got {val_fraction}")
    cut = int(len(ids) * (1.0 - val_fraction))
    return ids[:cut], ids[cut:]


def stdlib_sources(max_chars: int = 1_000_000) -> list[Path]:
    """Python standard-library modules (``*.py`` at the top of the stdlib folder, sorted by
    name) adding up to about ``max_chars`` characters: text every Python has, so the demo
    needs no download."""
    root = Path(sysconfig.get_paths()["stdlib"])
    files, total = [], 0
    for path in sorted(root.glob("*.py")):
        files.append(path)
        total += path.stat().st_size
        if total >= max_chars:
            break
    if not files:
        raise InputError("no Python source files in the standard library folder", root)
    return files
