"""The stream laid out as columns: batches continue each column; resets where promised."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqrnn.data.streams import StreamBatches
from seqrnn.errors import InputError
from seqrnn.nn.encoder import reset_columns
from seqrnn.textgen.task import StreamLMTask


def test_batches_continue_each_column() -> None:
    ids = np.arange(1000) + 2
    src = StreamBatches(ids, batch_size=4, seq_len=7, shuffle_offset=False)
    batches = list(src.batches(0))
    assert len(batches) == len(src)
    xs = torch.cat([b[0] for b in batches], dim=1)  # [4, n]
    ys = torch.cat([b[1] for b in batches], dim=1)
    n = (len(ids) - 1) // 4
    for col in range(4):
        assert xs[col].tolist() == ids[col * n : col * n + n].tolist()
    assert torch.equal(ys[:, :-1], xs[:, 1:])  # targets are the next symbols
    assert batches[0][2].all() and not any(b[2].any() for b in batches[1:])


def test_epoch_offsets_move_and_repeat() -> None:
    src = StreamBatches(np.arange(5000), 8, 16, shuffle_offset=True, seed=3)
    first = [next(iter(src.batches(e)))[0][0, 0].item() for e in range(6)]
    again = [next(iter(src.batches(e)))[0][0, 0].item() for e in range(6)]
    assert first == again and len(set(first)) > 1 and all(0 <= f < 16 for f in first)


def test_fresh_fraction_resets_about_that_share() -> None:
    src = StreamBatches(np.arange(200_000), 50, 10, fresh_fraction=0.25, seed=1)
    resets = torch.stack([b[2] for b in src.batches(0)][1:]).float()
    assert 0.22 < resets.mean().item() < 0.28


def test_too_short_text_is_a_clean_error() -> None:
    with pytest.raises(InputError, match=r"text is too short \(20 symbols\) for 16 columns"):
        StreamBatches(np.arange(20), 16, 8)


def test_reset_columns_zeroes_only_marked_columns() -> None:
    h = torch.ones(2, 3, 4)
    c = torch.full((2, 3, 4), 2.0)
    h2, c2 = reset_columns((h, c), torch.tensor([False, True, False]))
    assert h2[:, 1].abs().sum() == 0 and c2[:, 1].abs().sum() == 0
    assert torch.equal(h2[:, 0], h[:, 0]) and torch.equal(c2[:, 2], c[:, 2])
    assert reset_columns((h, c), torch.tensor([True, True, True])) is None


def test_task_carries_state_between_batches() -> None:
    """Two half-batches with the state carried give the same loss as one whole batch."""
    from seqrnn.nn.encoder import EncoderConfig
    from seqrnn.nn.next_symbol import Head, NextSymbolConfig, NextSymbolNet

    net = NextSymbolNet(
        NextSymbolConfig(
            vocab_size=9, embedding_dim=4, head=Head.PER_STEP, encoder=EncoderConfig(hidden_size=5)
        )
    )
    x = torch.randint(2, 9, (3, 12))
    y = torch.randint(2, 9, (3, 12))
    no = torch.zeros(3, dtype=torch.bool)
    whole = StreamLMTask().step(net, (x, y, ~no), train=False).loss
    task = StreamLMTask()
    a = task.step(net, (x[:, :5], y[:, :5], ~no), train=False).loss
    b = task.step(net, (x[:, 5:], y[:, 5:], no), train=False).loss
    assert torch.allclose((a * 5 + b * 7) / 12, whole, atol=1e-6)
