"""The NumPy network as a next-symbol model, saved in the one checkpoint format.

It answers :class:`~seqrnn.models.base.NextSymbolModel` like every other model, so scoring,
metrics, anomaly detection and generation run on it unchanged. A ``PAD`` input resets the
state ("a sequence starts here"), so a left-padded context ``[PAD .. PAD, x_0 .. x_j]`` gives
exactly the state a carried pass reaches after ``[PAD, x_0 .. x_j]``: windowed and carried
scoring agree wherever the window holds the whole history.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from seqrnn.data.formats import InputFormat
from seqrnn.data.vocab import PAD, Vocabulary
from seqrnn.errors import CheckpointError
from seqrnn.io.checkpoint import Checkpoint, save_checkpoint
from seqrnn.models.base import NextSymbolModel
from seqrnn.models.kinds import load_checkpoint_of
from seqrnn.models.registry import resolve_model_path
from seqrnn.reference.cells import CellType
from seqrnn.reference.network import Network

KIND = "numpy_reference"


class ReferenceNextSymbolModel(NextSymbolModel):
    """A trained :class:`Network` + its vocabulary and context length."""

    def __init__(
        self, network: Network, vocab: Vocabulary, context_length: int, input_format: str = ""
    ):
        if network.vocab_size != len(vocab):
            raise ValueError(f"network has {network.vocab_size} symbols, vocabulary {len(vocab)}")
        self.network = network
        self.vocab = vocab
        self.context_length = context_length
        #: how the training data was read ("ids", "sessions", "tokens" or "chars")
        self.training_format = input_format
        if input_format in {f.value for f in InputFormat}:
            # what the generic CLI verbs read new data with (they do not know "chars")
            self.input_format = InputFormat(input_format)

    def next_log_probs(self, contexts: torch.Tensor) -> torch.Tensor:
        """``contexts [B, L]`` -> ``[B, V]`` float32: run from the zero state, read the last
        step's ``log p``."""
        ids = np.asarray(torch.as_tensor(contexts).cpu(), dtype=np.int64)
        out = [  # [b, V] per slice of rows: bounds the one-hot inputs' memory
            self.network.forward(ids[i : i + 1024], keep_trace=False)[0][:, -1]
            for i in range(0, len(ids), 1024)
        ]
        if not out:
            return torch.zeros(0, self.vocab_size)
        return torch.from_numpy(np.concatenate(out)).float()

    def sequence_log_probs(
        self, ids: np.ndarray | torch.Tensor, batch_size: int = 4096
    ) -> torch.Tensor:
        """One carried pass: row ``t`` is conditioned on every symbol before ``t``."""
        ids = np.asarray(torch.as_tensor(ids).cpu(), dtype=np.int64)
        inputs = np.concatenate([[PAD], ids[:-1]])[None]  # [1, N]: PAD first, shifted by one
        out, state = [], None
        for i in range(0, inputs.shape[1], batch_size):
            logp, state, _, _ = self.network.forward(inputs[:, i : i + batch_size], state, False)
            out.append(logp[0])
        if not out:
            return torch.zeros(0, self.vocab_size)
        return torch.from_numpy(np.concatenate(out)).float() if out else torch.zeros(0, 0)

    def describe(self) -> str:
        n = self.network
        return f"NumPy reference {n.cell_type.value.upper()} 1x{n.hidden_size}, window " + str(
            self.context_length
        )


def save_model(
    path: str | Path, model: ReferenceNextSymbolModel, extra: dict[str, Any] | None = None
) -> Path:
    """Write ``model`` as a checkpoint of kind ``numpy_reference`` (float64 tensors)."""
    net = model.network
    tensors = {f"model.{k}": torch.from_numpy(v.copy()) for k, v in net.params.items()}
    meta = {
        "kind": KIND,
        "cell": net.cell_type.value,
        "hidden_size": net.hidden_size,
        "vocab": model.vocab.to_list(),
        "window": model.context_length,
        "input_format": model.training_format,
        **(extra or {}),
    }
    save_checkpoint(path, Checkpoint(tensors=tensors, meta=meta))
    return Path(path)


def load_model(path: str | Path) -> ReferenceNextSymbolModel:
    """Rebuild a saved reference model; refuses other kinds and weights that do not fit."""
    path = resolve_model_path(path)
    ckpt = load_checkpoint_of(path, [KIND])
    meta = ckpt.meta
    vocab = Vocabulary.from_list(meta["vocab"])
    net = Network(CellType(meta["cell"]), len(vocab), int(meta["hidden_size"]))
    saved = ckpt.section("model")
    if set(saved) != set(net.params):
        raise CheckpointError(
            f"{path}: parameters {sorted(saved)} do not match a {meta['cell']} network"
        )
    for name, value in saved.items():
        if tuple(value.shape) != net.params[name].shape:
            raise CheckpointError(
                f"{path}: {name} has shape {tuple(value.shape)}, expected {net.params[name].shape}"
            )
        net.params[name][...] = value.double().numpy()
    return ReferenceNextSymbolModel(
        net, vocab, int(meta["window"]), str(meta.get("input_format", ""))
    )
