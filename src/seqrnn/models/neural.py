"""The neural next-symbol model: a trained :class:`~seqrnn.nn.NextSymbolNet` + its vocabulary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from seqrnn.config import from_dict, to_dict
from seqrnn.data.formats import InputFormat
from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import CheckpointError
from seqrnn.io.checkpoint import Checkpoint, load_state_strict
from seqrnn.models.base import NextSymbolModel
from seqrnn.models.kinds import load_checkpoint_of
from seqrnn.models.registry import resolve_model_path
from seqrnn.nn.next_symbol import Head, NextSymbolConfig, NextSymbolNet


class NeuralNextSymbolModel(NextSymbolModel):
    """Wraps a network for inference: eval mode, ``inference_mode``, batched, any device."""

    def __init__(
        self,
        net: NextSymbolNet,
        vocab: Vocabulary,
        context_length: int,
        device: torch.device | str | None = None,
        input_format: InputFormat | str = InputFormat.SESSIONS,
    ):
        self.net = net
        self.vocab = vocab
        self.context_length = context_length
        self.input_format = InputFormat(input_format)
        self.device = torch.device(device) if device is not None else next(net.parameters()).device
        self.net.to(self.device)

    @torch.inference_mode()
    def next_log_probs(self, contexts: torch.Tensor) -> torch.Tensor:
        """``[B, L]`` -> ``[B, V]``; dropout is off (eval mode) whatever the caller did."""
        self.net.eval()
        logits, _ = self.net(contexts.to(self.device))
        if self.net.config.head is Head.PER_STEP:
            logits = logits[:, -1]  # [B, V]: the prediction after the last step
        return F.log_softmax(logits.float(), dim=-1).cpu()

    @torch.inference_mode()
    def sequence_log_probs(
        self, ids: np.ndarray | torch.Tensor, batch_size: int = 4096
    ) -> torch.Tensor:
        """Single pass for per-step networks: carry the state along the whole sequence.

        Row ``t`` is conditioned on *all* symbols before ``t`` (not only the last ``L``).
        Window-trained (last-head) networks fall back to the padded-window default.
        """
        if self.net.config.head is not Head.PER_STEP:
            return super().sequence_log_probs(ids, batch_size)
        self.net.eval()
        ids = torch.as_tensor(np.asarray(ids), dtype=torch.int64)
        # Shift right by one: the prediction for position t is read after symbol t-1; the first
        # symbol is predicted from a single PAD (the "nothing yet" context).
        inputs = torch.cat([torch.zeros(1, dtype=torch.int64), ids[:-1]])
        out, state = [], None
        for chunk in inputs.split(batch_size):
            logits, state = self.net(chunk[None].to(self.device), state)  # [1, C, V]
            out.append(F.log_softmax(logits[0].float(), dim=-1).cpu())
        return torch.cat(out)

    def describe(self) -> str:
        c = self.net.config
        e = c.encoder
        bi = "bi-" if e.bidirectional else ""
        cell = e.cell.value.upper()
        return f"{bi}{cell} {e.num_layers}x{e.hidden_size}, window {self.context_length}"


#: checkpoint kind of next-symbol networks trained by ``seqrnn train`` / ``train-detector``
KIND = "next_symbol"


def model_meta(
    model_cfg: NextSymbolConfig, vocab: Vocabulary, window: int, fmt: InputFormat | str
) -> dict[str, Any]:
    """The part of a checkpoint that rebuilds the model: kind, config, vocabulary, window and
    the input format it was trained on."""
    return {
        "kind": KIND,
        "model_config": to_dict(model_cfg),
        "vocab": vocab.to_list(),
        "window": window,
        "input_format": InputFormat(fmt).value,
    }


def load_model(path: str | Path, device: str | None = None) -> NeuralNextSymbolModel:
    """Load a next-symbol model from a checkpoint file, or from a run folder (its best one)."""
    ckpt, net, vocab = load_net(path, KIND)
    fmt = InputFormat(ckpt.meta.get("input_format", InputFormat.SESSIONS.value))
    window = int(ckpt.meta["window"])
    return NeuralNextSymbolModel(net, vocab, window, device or default_device(), fmt)


def load_net(
    path: str | Path, kind: str, verb: str = "this command"
) -> tuple[Checkpoint, NextSymbolNet, Vocabulary]:
    """Rebuild a :class:`NextSymbolNet` and its vocabulary from a checkpoint of ``kind``
    (a file, or a run folder's best checkpoint). Shared by every loader of neural
    next-symbol models, so each checks the file the same way; another kind is refused with
    what ``verb`` needs."""
    path = resolve_model_path(path)
    ckpt = load_checkpoint_of(path, [kind], verb)
    config, vocab = net_config(ckpt, path)
    net = NextSymbolNet(config)
    load_state_strict(net, ckpt.section("model"), str(path))
    return ckpt, net, vocab


def net_config(ckpt: Checkpoint, path: str | Path) -> tuple[NextSymbolConfig, Vocabulary]:
    """The network config and vocabulary a checkpoint of a neural next-symbol model records,
    checked against each other (``path`` names the file in messages)."""
    config = from_dict(NextSymbolConfig, ckpt.meta["model_config"], f"{path} model_config")
    vocab = Vocabulary.from_list(ckpt.meta["vocab"])
    if config.vocab_size != len(vocab):
        raise CheckpointError(
            f"{path}: vocabulary size {len(vocab)} does not match the model's {config.vocab_size}"
        )
    return config, vocab


def default_device() -> str:
    """CUDA when present, else the CPU."""
    return "cuda" if torch.cuda.is_available() else "cpu"
