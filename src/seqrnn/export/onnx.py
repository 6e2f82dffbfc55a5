"""A trained next-symbol network as ONNX: a scoring model and a single-step streaming model.

Two graphs are written, each carrying the run's metadata (kind, vocabulary, window, network
config) in its ONNX metadata props, so that an ``.onnx`` file is served without the
checkpoint (:mod:`seqrnn.export.runtime`):

* ``model.onnx`` -- ``ids [B, T] int64 -> log_probs [B, V]``: log P(next symbol | ids), the
  same numbers as :meth:`NeuralNextSymbolModel.next_log_probs`; batch and length dynamic;
* ``model.step.onnx`` (uni-directional networks only) -- one symbol at a time with the
  recurrent state explicit: ``ids [B, 1], h [layers, B, H] (, c) -> log_probs [B, V],
  h_out (, c_out)``; feeding a sequence step by step gives, at every position, what the
  scoring model gives on the prefix up to it.

The exporter is torch's TorchScript-based one (``dynamo=False``): in torch 2.13 it still
ships, maps ``nn.LSTM/GRU/RNN`` to the ONNX ``LSTM/GRU/RNN`` ops with dynamic length, and
takes a fraction of a second; the ``torch.export`` path (``dynamo=True``, needs onnxscript)
gives the same outputs but took 17-40 s per network on the shared 2-core machine.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from seqrnn.errors import ConfigError
from seqrnn.io.atomic import atomic_write
from seqrnn.nn.encoder import Cell
from seqrnn.nn.next_symbol import Head, NextSymbolNet

logger = logging.getLogger(__name__)

OPSET = 17  # LSTM/GRU/RNN have been stable since opset 14; 17 is widely supported
PREFIX = "seqrnn."


class ScoringGraph(nn.Module):
    """``ids [B, T] -> log_probs [B, V]`` of the symbol after the last id."""

    def __init__(self, net: NextSymbolNet):
        super().__init__()
        self.net = net

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        logits, _ = self.net(ids)  # [B, V] or [B, T, V]
        if self.net.config.head is Head.PER_STEP:
            logits = logits[:, -1]  # [B, V]
        return F.log_softmax(logits.float(), dim=-1)


class StepGraph(nn.Module):
    """One step with explicit state: ``ids [B, 1], h (, c) -> log_probs [B, V], h' (, c')``."""

    def __init__(self, net: NextSymbolNet):
        super().__init__()
        self.net = net
        self.lstm = net.config.encoder.cell is Cell.LSTM

    def forward(self, ids: torch.Tensor, *state: torch.Tensor) -> tuple[torch.Tensor, ...]:
        carried = (state[0], state[1]) if self.lstm else state[0]
        logits, new = self.net(ids, carried)  # [B, V] or [B, 1, V]
        if self.net.config.head is Head.PER_STEP:
            logits = logits[:, -1]
        logp = F.log_softmax(logits.float(), dim=-1)  # [B, V]
        return (logp, *new) if self.lstm else (logp, new)


def state_names(net: NextSymbolNet) -> list[str]:
    """The step model's state inputs: ``h`` (and ``c`` for an LSTM)."""
    return ["h", "c"] if net.config.encoder.cell is Cell.LSTM else ["h"]


def zero_state(net: NextSymbolNet, batch: int) -> list[torch.Tensor]:
    """The initial state of the step model: zeros ``[layers, B, H]`` per state input."""
    e = net.config.encoder
    return [torch.zeros(e.num_layers, batch, e.hidden_size) for _ in state_names(net)]


def export_onnx(
    net: NextSymbolNet, metadata: dict[str, Any], out: str | Path, step: bool = True
) -> list[Path]:
    """Write the scoring model to ``out`` and, for a uni-directional net when ``step``, the
    step model beside it (``NAME.step.onnx``); returns the paths written."""
    net = net.eval().cpu()
    out = Path(out)
    if out.suffix != ".onnx":
        raise ConfigError(f"--out: expected a file name ending in .onnx, got {str(out)!r}")
    props = _props(net, metadata)
    ids = torch.randint(2, net.config.vocab_size, (2, 5))
    _write(ScoringGraph(net), (ids,), ["ids"], ["log_probs"], props | {"role": "score"}, out)
    written = [out]
    if step and not net.config.encoder.bidirectional:
        inputs = state_names(net)
        dyn = {"ids": {0: "batch"}} | {n: {1: "batch"} for n in inputs}
        path = out.with_suffix(".step.onnx")
        args = (ids[:, :1], *zero_state(net, 2))
        outputs = ["log_probs", *(f"{n}_out" for n in inputs)]
        _write(StepGraph(net), args, ["ids", *inputs], outputs, props | {"role": "step"}, path, dyn)
        written.append(path)
    elif step:
        logger.info("no step model: a bi-directional network reads the whole window at once")
    return written


def _props(net: NextSymbolNet, metadata: dict[str, Any]) -> dict[str, str]:
    config = asdict(net.config)
    return {
        "kind": str(metadata.get("kind", "next_symbol")),
        "vocab": json.dumps(metadata["vocab"]),
        "window": str(int(metadata["window"])),
        "model_config": json.dumps(config, default=str),
        "state": json.dumps(state_names(net)),
    }


def _write(
    graph: nn.Module,
    args: tuple[torch.Tensor, ...],
    inputs: list[str],
    outputs: list[str],
    props: dict[str, str],
    path: Path,
    dynamic: dict[str, dict[int, str]] | None = None,
) -> None:
    import onnx

    dynamic = dynamic or {"ids": {0: "batch", 1: "length"}}
    dynamic |= {outputs[0]: {0: "batch"}}
    buffer = io.BytesIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")  # the legacy exporter's deprecation and trace notes
        torch.onnx.export(
            graph,
            args,
            buffer,
            input_names=inputs,
            output_names=outputs,
            dynamic_axes=dynamic,
            opset_version=OPSET,
            dynamo=False,
        )
    model = onnx.load_from_string(buffer.getvalue())
    onnx.helper.set_model_props(model, {PREFIX + k: v for k, v in props.items()})
    onnx.checker.check_model(model)
    atomic_write(path, lambda tmp: onnx.save(model, str(tmp)))
