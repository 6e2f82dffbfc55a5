"""Tiny synthetic labelled texts for the classification tests."""

from __future__ import annotations

import random

import pytest

from seqrnn.classify.readers import LabelledTexts


def contains_rule(n: int, seed: int = 0) -> LabelledTexts:
    """Texts of 2..12 words from a small alphabet; label "yes" iff the word "x" occurs."""
    rng = random.Random(seed)
    words = ["a", "b", "c", "d", "e", "f", "g", "h"]
    texts, labels = [], []
    for i in range(n):
        toks = [rng.choice(words) for _ in range(rng.randint(2, 12))]
        if i % 2:
            toks[rng.randrange(len(toks))] = "x"
        texts.append(" ".join(toks))
        labels.append("yes" if i % 2 else "no")
    return LabelledTexts(texts, labels)


@pytest.fixture
def rule_data() -> tuple[LabelledTexts, LabelledTexts]:
    """(train, test) of the "contains x" rule."""
    return contains_rule(400, seed=1), contains_rule(200, seed=2)
