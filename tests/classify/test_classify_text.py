"""Tokenizer and vocabulary at the edges: empty text, unknown words, unicode, truncation."""

from __future__ import annotations

import pytest

from seqrnn.classify.text import TextConfig, Tokenizer
from seqrnn.data.vocab import UNK
from seqrnn.errors import ConfigError


def tok(**kw) -> Tokenizer:
    return Tokenizer(TextConfig(**kw))


def test_empty_and_blank_texts_give_no_tokens():
    assert tok().tokenize("") == []
    assert tok().tokenize("   \n\t ") == []
    assert tok(mode="char").tokenize("") == []


def test_word_tokenizer_splits_punctuation_and_lowercases():
    assert tok().tokenize("Don't STOP, it's GOOD!!") == [
        "don't",
        "stop",
        ",",
        "it's",
        "good",
        "!",
        "!",
    ]
    assert tok(punctuation="drop").tokenize("Don't STOP, it's good!") == [
        "don't",
        "stop",
        "it's",
        "good",
    ]
    assert tok(punctuation="keep", lowercase=False).tokenize("Don't STOP, ok!") == [
        "Don't",
        "STOP,",
        "ok!",
    ]


def test_unicode_words_stay_whole():
    assert tok().tokenize("Café NAÏVE – 東京 x-men ½") == [
        "café",
        "naïve",
        "–",
        "東京",
        "x-men",
        "½",
    ]


def test_markup_and_escaped_quotes_are_removed():
    text = 'Great.<br /><br />I said \\"wow\\"'
    assert tok().tokenize(text) == ["great", ".", "i", "said", '"', "wow", '"']
    assert "<" in tok(strip_markup=False).tokenize(text)


def test_char_mode_collapses_whitespace():
    assert tok(mode="char").tokenize(" Ab  c\n") == ["a", "b", " ", "c"]


def test_truncation_keeps_head_or_tail():
    words = ["a", "b", "c", "d", "e"]
    assert tok(max_length=2).truncate(words) == ["a", "b"]
    assert tok(max_length=2, truncate="tail").truncate(words) == ["d", "e"]
    assert tok(max_length=0).truncate(words) == words


def test_vocabulary_from_training_only_with_caps_and_unknowns():
    t = tok(min_count=2, max_vocab=2)
    vocab = t.build_vocab(["good good film", "bad bad film", "good film", "rare"])
    assert vocab.to_list() == ["film", "good"]  # bad (2) loses to film (3), good (3) on the cap
    ids = t.encode(["good unseen film", ""], vocab)
    assert ids[0].tolist() == [vocab.index["good"], UNK, vocab.index["film"]]
    assert ids[1].tolist() == []


def test_bad_text_config_is_refused():
    with pytest.raises(ConfigError, match="min_count must be >= 1"):
        TextConfig(min_count=0)
