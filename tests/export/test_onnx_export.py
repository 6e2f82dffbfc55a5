"""ONNX export: onnxruntime gives PyTorch's numbers (1e-5) for every cell, direction and input
kind; the step model streams what the scoring model gives on each prefix."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from seqrnn.models.neural import NeuralNextSymbolModel
from seqrnn.nn.encoder import Cell, EncoderConfig
from seqrnn.nn.next_symbol import Head, NextSymbolConfig, NextSymbolNet

pytest.importorskip("onnx", reason="the 'onnx' extra (onnx) is not installed")
ort = pytest.importorskip("onnxruntime", reason="the 'onnx' extra (onnxruntime) is not installed")

from seqrnn.data.vocab import Vocabulary  # noqa: E402
from seqrnn.export.onnx import export_onnx, zero_state  # noqa: E402
from seqrnn.export.runtime import load_onnx_model  # noqa: E402

V = 11


def make_net(cell: str, bidirectional: bool, embedding_dim: int, head=Head.LAST) -> NextSymbolNet:
    torch.manual_seed(0)
    encoder = EncoderConfig(Cell(cell), hidden_size=8, num_layers=2, bidirectional=bidirectional)
    config = NextSymbolConfig(V, embedding_dim, encoder, head)
    return NextSymbolNet(config).eval()


def meta() -> dict:
    return {"kind": "next_symbol", "vocab": [str(k) for k in range(V - 2)], "window": 6}


@pytest.mark.parametrize("embedding_dim", [0, 4], ids=["one_hot", "embedding"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_scoring_model_equals_pytorch(tmp_path, cell, bidirectional, embedding_dim):
    net = make_net(cell, bidirectional, embedding_dim)
    paths = export_onnx(net, meta(), tmp_path / "m.onnx")
    assert len(paths) == (1 if bidirectional else 2)
    onnx_model = load_onnx_model(paths[0])
    torch_model = NeuralNextSymbolModel(net, Vocabulary(meta()["vocab"]), 6, "cpu")
    for shape in [(1, 6), (5, 6), (3, 13)]:  # batch and length both vary
        ids = torch.randint(0, V, shape)
        expected = torch_model.next_log_probs(ids).numpy()
        got = onnx_model.next_log_probs(ids).numpy()
        np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)


@pytest.mark.parametrize(
    ("cell", "head"), [("lstm", Head.LAST), ("gru", Head.PER_STEP), ("rnn", Head.LAST)]
)
def test_step_model_streams_the_scoring_model_position_by_position(tmp_path, cell, head):
    net = make_net(cell, False, 4, head)
    score_path, step_path = export_onnx(net, meta(), tmp_path / "m.onnx")
    step = ort.InferenceSession(str(step_path))
    score = load_onnx_model(score_path)
    ids = torch.randint(0, V, (3, 9))
    state = [s.numpy() for s in zero_state(net, 3)]
    names = [i.name for i in step.get_inputs()][1:]
    for t in range(ids.size(1)):
        feed = {"ids": ids[:, t : t + 1].numpy(), **dict(zip(names, state, strict=True))}
        logp, *state = step.run(None, feed)
        prefix = score.next_log_probs(ids[:, : t + 1]).numpy()
        np.testing.assert_allclose(logp, prefix, atol=1e-5, rtol=0)


def test_metadata_props_carry_the_run(tmp_path):
    import onnx

    net = make_net("lstm", False, 0)
    path = export_onnx(net, meta(), tmp_path / "m.onnx", step=False)[0]
    props = {p.key: p.value for p in onnx.load(str(path)).metadata_props}
    assert props["seqrnn.kind"] == "next_symbol" and props["seqrnn.window"] == "6"
    assert json.loads(props["seqrnn.vocab"]) == meta()["vocab"]
    assert props["seqrnn.role"] == "score" and json.loads(props["seqrnn.state"]) == ["h", "c"]
    model = load_onnx_model(path)
    assert model.context_length == 6 and model.vocab_size == V
    assert model.describe() == "ONNX LSTM 2x8, window 6"
