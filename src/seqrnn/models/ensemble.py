"""An ensemble of neural next-symbol networks as one model: the median of their probabilities.

``seqrnn train-detector`` trains ``restarts.count`` members (seeds ``s .. s + count - 1``) and
saves them as one :class:`~seqrnn.nn.ensemble.MedianEnsembleNet`: one checkpoint of kind
``next_symbol_ensemble`` whose tensors are ``model.members.<i>.*`` and whose JSON header holds
the shared member config, the vocabulary, the window and ``members`` (the count). Scoring,
detection, explanations and serving read it through the one model interface.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seqrnn.data.formats import InputFormat
from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import CheckpointError
from seqrnn.io.checkpoint import load_state_strict
from seqrnn.models.kinds import load_checkpoint_of
from seqrnn.models.neural import NeuralNextSymbolModel, default_device, model_meta, net_config
from seqrnn.models.registry import resolve_model_path
from seqrnn.nn.ensemble import MedianEnsembleNet
from seqrnn.nn.next_symbol import NextSymbolConfig, NextSymbolNet

#: checkpoint kind of the ensembles ``seqrnn train-detector`` writes
KIND = "next_symbol_ensemble"


class EnsembleNextSymbolModel(NeuralNextSymbolModel):
    """A :class:`MedianEnsembleNet` for inference (eval mode: the median of the members)."""

    net: MedianEnsembleNet

    def describe(self) -> str:
        return f"median of {self.net.size} x {super().describe()}"


def ensemble_meta(
    model_cfg: NextSymbolConfig, vocab: Vocabulary, window: int, fmt: InputFormat | str, size: int
) -> dict[str, Any]:
    """What rebuilds an ensemble of ``size`` members of ``model_cfg``."""
    return {**model_meta(model_cfg, vocab, window, fmt), "kind": KIND, "members": size}


def load_ensemble(path: str | Path, device: str | None = None) -> EnsembleNextSymbolModel:
    """Load an ensemble from a checkpoint file, or from a run folder (its best one)."""
    path = resolve_model_path(path)
    ckpt = load_checkpoint_of(path, [KIND])
    config, vocab = net_config(ckpt, path)
    size = ckpt.meta.get("members")
    if not isinstance(size, int) or size < 1:
        raise CheckpointError(f"{path}: 'members' must be a positive integer, got {size!r}")
    net = MedianEnsembleNet([NextSymbolNet(config) for _ in range(size)])
    load_state_strict(net, ckpt.section("model"), str(path))
    fmt = InputFormat(ckpt.meta.get("input_format", InputFormat.SESSIONS.value))
    window = int(ckpt.meta["window"])
    return EnsembleNextSymbolModel(net, vocab, window, device or default_device(), fmt)
