"""Corpus reading, tokenising and the tail split."""

from __future__ import annotations

import numpy as np
import pytest

from seqrnn.errors import InputError
from seqrnn.textgen.corpus import (
    Level,
    detokenize,
    read_texts,
    split_tail,
    stdlib_sources,
    tokenize,
)


def test_char_tokens_round_trip() -> None:
    text = "To be, or not\nto be."
    assert tokenize(text, Level.CHAR) == list(text)
    assert detokenize(tokenize(text, Level.CHAR), Level.CHAR) == text


def test_word_tokens_and_spacing() -> None:
    text = "KING: Thou art, I think, a man's fool!\nAway."
    words = tokenize(text, Level.WORD)
    assert words == [
        "KING", ":", "Thou", "art", ",", "I", "think", ",", "a", "man's", "fool", "!", "\n",
        "Away", ".",
    ]  # fmt: skip
    assert detokenize(words, Level.WORD) == text


def test_split_tail_takes_the_end() -> None:
    ids = np.arange(100)
    train, val = split_tail(ids, 0.1)
    assert train.tolist() == list(range(90)) and val.tolist() == list(range(90, 100))
    with pytest.raises(InputError, match=r"validation fraction must be in \[0, 1\), got 1.5"):
        split_tail(ids, 1.5)


def test_read_many_files_in_order(tmp_path) -> None:
    (tmp_path / "b.txt").write_text("second")
    (tmp_path / "a.txt").write_text("first")
    assert read_texts(str(tmp_path / "*.txt")) == "first\nsecond"
    assert read_texts([str(tmp_path / "b.txt"), str(tmp_path / "a.txt")]) == "second\nfirst"


def test_non_utf8_names_file_and_line(tmp_path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine\nalso fine\n\xff broken\n")
    with pytest.raises(InputError) as err:
        read_texts(str(bad))
    assert str(err.value).startswith(f"{bad}:3:") and "not UTF-8" in str(err.value)


def test_missing_file_is_a_clean_error(tmp_path) -> None:
    with pytest.raises(InputError, match="no file matches"):
        read_texts(str(tmp_path / "nothing*.txt"))


def test_stdlib_demo_corpus_exists() -> None:
    files = stdlib_sources(50_000)
    assert files and all(f.suffix == ".py" for f in files)
    assert sum(f.stat().st_size for f in files) >= 50_000
