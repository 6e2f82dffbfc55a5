"""The NumPy reference equals PyTorch: forward (< 1e-10) and gradients (< 1e-8), float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from seqrnn.reference.bptt import backward_sequence, forward_sequence
from seqrnn.reference.bridge import (
    linear_to_reference,
    network_from_torch,
    torch_to_reference,
)
from seqrnn.reference.gated import make_cell

MODULES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
B, T, C, H = 3, 9, 5, 4


def _copy(module: nn.RNNBase, cell_name: str):
    cell = make_cell(cell_name, module.input_size, module.hidden_size)
    for name, value in torch_to_reference(module).items():
        cell.params[name][...] = value
    return cell


def _torch_state(name: str, state: tuple[np.ndarray, ...]):
    t = [torch.tensor(s[None], requires_grad=True) for s in state]  # [1, B, H]
    return t, (tuple(t) if name == "lstm" else t[0])


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bias", [True, False])
def test_forward_and_bptt_equal_pytorch(name: str, bias: bool) -> None:
    module = MODULES[name](C, H, bias=bias, batch_first=True, dtype=torch.float64)
    cell = _copy(module, name)
    rng = np.random.default_rng(1)
    state0 = tuple(rng.normal(size=(B, H)) for _ in range(cell.state_size))
    x = torch.randn(B, T, C, dtype=torch.float64, requires_grad=True)
    leaves, tstate = _torch_state(name, state0)
    out, tfinal = module(x, tstate)  # out [B, T, H]
    g_out = torch.randn_like(out)
    tfinal = tfinal if name == "lstm" else (tfinal,)
    g_final = [torch.randn_like(s) for s in tfinal]
    loss = (out * g_out).sum() + sum((s * g).sum() for s, g in zip(tfinal, g_final, strict=True))
    loss.backward()

    hs, final, trace = forward_sequence(cell, x.detach().numpy(), state0)
    assert np.abs(hs - out.detach().numpy()).max() < 1e-10
    for ours, theirs in zip(final, tfinal, strict=True):
        assert np.abs(ours - theirs.detach().numpy()[0]).max() < 1e-10

    d_final = tuple(g.numpy()[0] for g in g_final)
    grads, dxs, d0 = backward_sequence(cell, trace, g_out.numpy(), d_final)
    expected = torch_to_reference(module, gradients=True)
    assert set(expected) == (set(grads) if bias else {k for k in grads if k[0] in "UW"})
    for key, value in expected.items():
        assert np.abs(grads[key] - value).max() < 1e-8, key
    assert np.abs(dxs - x.grad.numpy()).max() < 1e-8
    for ours, leaf in zip(d0, leaves, strict=True):
        assert np.abs(ours - leaf.grad.numpy()[0]).max() < 1e-8


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
def test_bias_ih_and_bias_hh_gradients_are_the_same_block(name: str) -> None:
    """Why one ``b_k`` per gate is enough (except the GRU's b_hn, kept as ``b_new_h``)."""
    module = MODULES[name](C, H, batch_first=True, dtype=torch.float64)
    out, _ = module(torch.randn(B, T, C, dtype=torch.float64))
    out.pow(2).sum().backward()
    gi, gh = module.bias_ih_l0.grad, module.bias_hh_l0.grad
    if name == "gru":
        assert torch.allclose(gi[: 2 * H], gh[: 2 * H], atol=1e-12)
        assert not torch.allclose(gi[2 * H :], gh[2 * H :])  # r * (W_hn h + b_hn)
    else:
        assert torch.allclose(gi, gh, atol=1e-12)


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
def test_network_loss_and_gradients_equal_pytorch(name: str) -> None:
    """One-hot symbols -> cell -> o_t = c + V s_t -> mean cross-entropy, end to end."""
    K = 6
    rnn = MODULES[name](K, H, batch_first=True, dtype=torch.float64)
    readout = nn.Linear(H, K, dtype=torch.float64)
    net = network_from_torch(rnn, readout)
    rng = np.random.default_rng(2)
    ids = rng.integers(1, K, size=(B, T))  # no PAD: no resets, as in PyTorch
    targets = rng.integers(0, K, size=(B, T))

    x = F.one_hot(torch.as_tensor(ids), K).double()
    out, _ = rnn(x)
    logits = readout(out)  # [B, T, K]
    loss = F.cross_entropy(logits.reshape(-1, K), torch.as_tensor(targets).reshape(-1))
    loss.backward()

    logp = net.forward(ids)[0]
    assert np.abs(logp - F.log_softmax(logits, -1).detach().numpy()).max() < 1e-10
    our_loss, grads, _ = net.loss_and_grads(ids, targets)
    assert abs(our_loss - loss.item()) < 1e-10
    expected = {**torch_to_reference(rnn, True), **linear_to_reference(readout, True)}
    for key, value in expected.items():
        assert np.abs(grads[key] - value).max() < 1e-8, key


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
def test_truncated_bptt_equals_pytorch_with_detached_states(name: str) -> None:
    """Truncation k: the loss at t reaches steps t-k..t; in PyTorch, re-run those steps from
    the detached state and back-propagate each loss separately."""
    k = 2
    module = MODULES[name](C, H, batch_first=True, dtype=torch.float64)
    cell = _copy(module, name)
    x = torch.randn(B, T, C, dtype=torch.float64)
    g_out = torch.randn(B, T, H, dtype=torch.float64)
    with torch.no_grad():
        states = [None]  # state entering step t
        for t in range(T):
            states.append(module(x[:, t : t + 1], states[-1])[1])
    for t in range(T):
        start = max(t - k, 0)
        out, _ = module(x[:, start : t + 1], states[start])
        (out[:, -1] * g_out[:, t]).sum().backward()

    _, _, trace = forward_sequence(cell, x.numpy())
    grads, _, _ = backward_sequence(cell, trace, g_out.numpy(), truncate=k)
    expected = torch_to_reference(module, gradients=True)
    for key, value in grads.items():
        assert np.abs(value - expected[key]).max() < 1e-8, key


def test_bridge_refuses_what_it_cannot_copy() -> None:
    with pytest.raises(ValueError, match="only single-layer, one-direction"):
        torch_to_reference(nn.LSTM(3, 4, num_layers=2))
    with pytest.raises(ValueError, match="the reference plain RNN uses tanh"):
        torch_to_reference(nn.RNN(3, 4, nonlinearity="relu"))
