"""Bits per character against a hand computation, and the two scores against plain loops."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from seqrnn.nn.encoder import EncoderConfig
from seqrnn.nn.next_symbol import Head, NextSymbolConfig, NextSymbolNet
from seqrnn.textgen.evaluate import full_context_nll, score_text, window_nll


def _net(vocab: int = 6, hidden: int = 3, seed: int = 0) -> NextSymbolNet:
    torch.manual_seed(seed)
    cfg = NextSymbolConfig(
        vocab_size=vocab,
        embedding_dim=4,
        head=Head.PER_STEP,
        encoder=EncoderConfig(hidden_size=hidden, num_layers=2),
    )
    return NextSymbolNet(cfg)


def test_bits_per_character_by_hand() -> None:
    """A memoryless model (zero head weights) with p = 1/2, 1/4, 1/8, 1/8 over ids 2..5:
    the text 2 2 3 5 4 2 costs 1 + 2 + 3 + 3 + 1 = 10 bits over 5 predicted characters."""
    net = _net()
    with torch.no_grad():
        net.head.weight.zero_()
        net.head.bias.copy_(torch.log(torch.tensor([1e-9, 1e-9, 0.5, 0.25, 0.125, 0.125])))
    scores = score_text(net, np.array([2, 2, 3, 5, 4, 2]), window=2)
    assert scores.positions == 5
    assert math.isclose(scores.full_context_bits, 10 / 5, rel_tol=1e-5)
    assert math.isclose(scores.window_bits, 10 / 5, rel_tol=1e-5)
    assert math.isclose(scores.full_context_nats, 2 * math.log(2), rel_tol=1e-5)


def _loop_nll(net: NextSymbolNet, ids: list[int], fresh_every: int | None) -> list[float]:
    """One symbol at a time, state carried (restarted every ``fresh_every`` inputs)."""
    out, state = [], None
    with torch.no_grad():
        for t in range(len(ids) - 1):
            if fresh_every and t % fresh_every == 0:
                state = None
            logits, state = net(torch.tensor([[ids[t]]]), state)
            out.append(-F.log_softmax(logits[0, -1], -1)[ids[t + 1]].item())
    return out


def test_full_context_equals_a_step_by_step_loop() -> None:
    net = _net(vocab=9, hidden=5).eval()
    ids = np.random.default_rng(0).integers(2, 9, 50)
    got = full_context_nll(net, ids, chunk=7)  # chunks carry the state: same as one pass
    assert np.allclose(got, _loop_nll(net, ids.tolist(), None), atol=1e-5)


def test_windows_restart_from_a_fresh_state() -> None:
    net = _net(vocab=9, hidden=5).eval()
    ids = np.random.default_rng(1).integers(2, 9, 45)  # 44 targets: 5 windows of 8 + 4
    got = window_nll(net, ids, window=8, batch_size=2)
    assert len(got) == 44
    assert np.allclose(got, _loop_nll(net, ids.tolist(), 8), atol=1e-5)
