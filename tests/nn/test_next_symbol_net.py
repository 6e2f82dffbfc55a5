import pytest
import torch

from seqrnn.errors import ConfigError
from seqrnn.nn.encoder import Cell, EncoderConfig, RecurrentEncoder
from seqrnn.nn.next_symbol import Head, NextSymbolConfig, NextSymbolNet
from seqrnn.nn.summary import layer_table

GATES = {Cell.RNN: 1, Cell.GRU: 3, Cell.LSTM: 4}


def make(cell="lstm", layers=2, bi=False, head="last", emb=8, V=11, H=6):
    enc = EncoderConfig(cell=Cell(cell), hidden_size=H, num_layers=layers, bidirectional=bi)
    return NextSymbolNet(
        NextSymbolConfig(vocab_size=V, embedding_dim=emb, encoder=enc, head=Head(head))
    )


@pytest.mark.parametrize("cell", list(Cell))
@pytest.mark.parametrize("bi", [False, True])
def test_shapes_of_both_heads(cell, bi):
    x = torch.randint(0, 11, (4, 7))
    logits, _ = make(cell, bi=bi)(x)
    assert logits.shape == (4, 11)
    if not bi:
        logits, _ = make(cell, head="per_step")(x)
        assert logits.shape == (4, 7, 11)


@pytest.mark.parametrize("cell", list(Cell))
@pytest.mark.parametrize("bi", [False, True])
def test_summary_counts_equal_numel_and_formula(cell, bi):
    net = make(cell, layers=3, bi=bi, emb=0, V=9, H=5)  # one-hot inputs: C = V
    rows = layer_table(net)
    assert sum(r.parameters for r in rows) == sum(p.numel() for p in net.parameters())
    D, H = (2 if bi else 1), 5
    for r in rows:
        if r.name.startswith("encoder.rnn.layer0"):
            assert r.parameters == GATES[cell] * (H * 9 + H * H + 2 * H)
        elif r.name.startswith("encoder.rnn.layer"):
            assert r.parameters == GATES[cell] * (H * H * D + H * H + 2 * H)
    assert len([r for r in rows if r.name.startswith("encoder.rnn")]) == 3 * D


def test_one_hot_input_equals_identity_embedding():
    net = make(emb=0)
    x = torch.randint(0, 11, (2, 5))
    assert torch.equal(net.embed(x), torch.eye(11)[x])


def test_per_step_head_refuses_bidirectional():
    with pytest.raises(ConfigError, match="per-step head needs a uni-directional encoder"):
        make(bi=True, head="per_step")


def test_vocab_size_must_come_from_data():
    with pytest.raises(ConfigError, match="vocab_size must come from the data"):
        NextSymbolNet(NextSymbolConfig())


def test_per_step_is_causal():
    """Changing a later input never changes an earlier prediction."""
    net = make(head="per_step").eval()
    x = torch.randint(2, 11, (1, 8))
    y = x.clone()
    y[0, 5] = (y[0, 5] + 1 - 2) % 9 + 2
    a, _ = net(x)
    b, _ = net(y)
    assert torch.allclose(a[:, :5], b[:, :5]) and not torch.allclose(a[:, 5:], b[:, 5:])


def test_packed_encoder_ignores_right_padding():
    enc = RecurrentEncoder(3, EncoderConfig(hidden_size=4, num_layers=2)).eval()
    x = torch.randn(1, 5, 3)
    padded = torch.cat([x, torch.zeros(1, 4, 3)], dim=1)
    _, s1 = enc(x, lengths=torch.tensor([5]))
    _, s2 = enc(padded, lengths=torch.tensor([5]))
    assert torch.allclose(enc.last_hidden(s1), enc.last_hidden(s2), atol=1e-6)
