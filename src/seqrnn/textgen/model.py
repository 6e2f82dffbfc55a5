"""A trained text model: the per-step next-symbol network, its vocabulary and its level.

It *is* a :class:`~seqrnn.models.neural.NeuralNextSymbolModel` (so scoring, metrics and
``seqrnn generate`` treat it like every other next-symbol model) that also knows how to turn
text into ids and back. Saved in the one checkpoint format with ``kind = "text"``;
:func:`seqrnn.models.registry.load_next_symbol_model` loads it through :func:`load_text_model`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seqrnn.config import to_dict
from seqrnn.data.formats import InputFormat
from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import CheckpointError
from seqrnn.models.neural import NeuralNextSymbolModel, default_device, load_net
from seqrnn.nn.next_symbol import Head, NextSymbolConfig, NextSymbolNet
from seqrnn.textgen.corpus import Level, detokenize, tokenize

KIND = "text"


class TextModel(NeuralNextSymbolModel):
    """A per-step recurrent language model over characters or words."""

    def __init__(
        self,
        net: NextSymbolNet,
        vocab: Vocabulary,
        context_length: int,
        level: Level = Level.CHAR,
        device: torch.device | str | None = None,
    ):
        self.level = Level(level)
        fmt = InputFormat.CHARS if self.level is Level.CHAR else InputFormat.TOKENS
        super().__init__(net, vocab, context_length, device, fmt)

    def tokenize(self, text: str) -> list[str]:
        """Text -> symbols at this model's level."""
        return tokenize(text, self.level)

    def detokenize(self, symbols: Sequence[str]) -> str:
        """Symbols -> text (characters joined as they are, words with spaces)."""
        return detokenize(symbols, self.level)

    def encode(self, text: str) -> np.ndarray:
        """Text -> ids ``[N]`` (symbols never seen in training become ``UNK``)."""
        return self.vocab.encode(self.tokenize(text))

    def decode(self, ids: Iterable[int]) -> str:
        """Ids -> text."""
        return self.detokenize(self.vocab.decode(ids))

    def describe(self) -> str:
        e = self.net.config.encoder
        return f"{self.level.value}-level {e.cell.value.upper()} {e.num_layers}x{e.hidden_size}"


def text_model_meta(
    model_cfg: NextSymbolConfig, vocab: Vocabulary, seq_len: int, level: Level
) -> dict[str, Any]:
    """The checkpoint metadata that rebuilds a :class:`TextModel`."""
    return {
        "kind": KIND,
        "model_config": to_dict(model_cfg),
        "vocab": vocab.to_list(),
        "window": seq_len,
        "level": Level(level).value,
    }


def load_text_model(path: str | Path, device: str | None = None) -> TextModel:
    """Load a text model from a checkpoint file or a run folder (its best checkpoint)."""
    ckpt, net, vocab = load_net(path, KIND, "`seqrnn text`")
    if net.config.head is not Head.PER_STEP:
        raise CheckpointError(f"{path}: the model config does not match a text model")
    level = Level(ckpt.meta["level"])
    return TextModel(net, vocab, int(ckpt.meta["window"]), level, device or default_device())


def sample(
    model: TextModel,
    prime: str = "\n",
    length: int = 200,
    temperature: float = 1.0,
    seed: int | None = None,
    top_k: int | None = None,
    top_p: float | None = None,
) -> str:
    """``prime`` continued by ``length`` symbols drawn from ``model``, as text."""
    from seqrnn.generation import generate

    ids = generate(model, model.encode(prime), length, temperature, top_k, top_p, 1, seed)[0]
    return prime + model.decode(ids)
