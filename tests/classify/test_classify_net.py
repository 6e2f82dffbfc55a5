"""The classifier network: padding never changes a prediction, it learns a rule, batches
are bucketed and complete, the prior channels leave each training text out."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqrnn.classify.batching import TextBatches, pad_batch
from seqrnn.classify.net import TextClassifierNet
from seqrnn.classify.workflow import ClassifyConfig, evaluate, fit, preset
from seqrnn.config import replace
from seqrnn.train.config import TrainConfig

VARIANTS = {
    "lstm-last": preset("lstm"),
    "gru-last": preset("gru"),
    "bilstm-max": preset("bilstm"),
    "bilstm-2layers-mean": preset("bilstm", pooling="mean", encoder={"num_layers": 2}),
    "cnn-lstm": preset("cnn-lstm"),
    "cnn-even-kernel-max_mean": preset("cnn-lstm", conv_kernel=4, conv_pool=3, pooling="max_mean"),
    "bilstm-prior": preset("bilstm", prior_features=True, prior_buckets=64),
    "cnn-bilstm-prior-shortcut": preset("cnn-bilstm-prior", prior_buckets=64),
}


def small_net(cfg, vocab=20, classes=3) -> TextClassifierNet:
    torch.manual_seed(0)
    cfg = replace(cfg, vocab_size=vocab, num_classes=classes, embedding_dim=8)
    cfg = replace(cfg, encoder={**vars(cfg.encoder), "hidden_size": 6})
    net = TextClassifierNet(cfg)
    if cfg.prior_features:
        g = torch.Generator().manual_seed(1)
        net.set_prior(
            torch.rand(vocab, classes, generator=g) * 5, torch.rand(64, classes, generator=g) * 5
        )
    return net.eval()


@pytest.mark.parametrize("name", list(VARIANTS))
def test_extra_padding_never_changes_a_prediction(name):
    net = small_net(VARIANTS[name])
    rng = np.random.default_rng(0)
    seqs = [rng.integers(1, 20, size=n) for n in (1, 3, 7, 12)] + [np.zeros(0, dtype=np.int64)]
    ids, lengths = pad_batch(seqs)  # [5, 12]
    with torch.no_grad():
        ref = net(ids, lengths)  # [5, K]
        padded = torch.nn.functional.pad(ids, (0, 9))  # 9 more PAD columns
        assert torch.allclose(net(padded, lengths), ref, atol=1e-5)
        for i, s in enumerate(seqs):  # alone, without any padding
            one, n = pad_batch([s])
            assert torch.allclose(net(one, n)[0], ref[i], atol=1e-5)


def test_bucketed_batches_cover_every_text_once_and_group_lengths():
    lengths = np.random.default_rng(0).integers(1, 50, size=1000)
    src = TextBatches([np.ones(n, dtype=np.int64) for n in lengths], np.zeros(1000), 10, True)
    batches = src.index_batches(epoch=3)
    assert sorted(np.concatenate(batches).tolist()) == list(range(1000))
    spread = np.mean([np.ptp(lengths[b]) for b in batches])
    assert spread < 5  # sorted pools: near-equal lengths in a batch (random: about 40)
    assert [b.tolist() for b in batches] == [b.tolist() for b in src.index_batches(epoch=3)]


def test_leave_one_out_prior_removes_the_texts_own_count():
    net = small_net(VARIANTS["bilstm-prior"], vocab=5, classes=2)
    words = torch.tensor([[0, 0], [0, 0], [1.0, 0.0], [3, 3], [0, 0]])  # word 2 seen once
    net.set_prior(words, torch.zeros(64, 2))
    ids = torch.tensor([[2, 3]])
    seen = net.prior_channels(ids, None)[0, 0, :2]
    left_out = net.prior_channels(ids, torch.tensor([0]))[0, 0, :2]
    # totals per class: counts + alpha * V = [4 + 5, 3 + 5]; r = (log p0 - log p1) / 2 = -r1
    assert torch.allclose(seen[0], 0.5 * torch.log(torch.tensor((2 / 9) / (1 / 8))))
    assert torch.allclose(left_out[0], 0.5 * torch.log(torch.tensor((1 / 9) / (1 / 8))))
    assert torch.allclose(left_out[1], -left_out[0])
    # word 3 (3 texts per class): leaving out one class-0 text tilts it towards class 1
    assert (net.prior_channels(ids, torch.tensor([0]))[0, 1, 1] > 0).item()


def test_net_learns_whether_a_word_occurs(rule_data):
    train, test = rule_data
    train = train.subset(range(240))
    net = preset("bilstm", embedding_dim=8, encoder={"hidden_size": 8})
    cfg = ClassifyConfig(
        model="rnn", net=net, train=TrainConfig(epochs=4, batch_size=16, learning_rate=0.03)
    )
    cfg = replace(cfg, text=replace(cfg.text, max_length=0))
    result = fit(cfg, train, test)
    assert evaluate(result.model, test).accuracy >= 0.95
    assert all("val_loss" in row for row in result.history)
