import numpy as np
import pytest
import torch

from seqrnn.data.vocab import PAD
from seqrnn.data.windows import Mapping, Targets, Windows
from seqrnn.errors import InputError


def naive_windows(sessions, L, targets):
    """The obvious loop: left-pad each session with L pads, one window per target."""
    xs, ys = [], []
    for s in sessions:
        padded = [PAD] * L + list(s)
        first = 0 if targets is Targets.ALL else L
        for t in range(first, len(s)):
            xs.append(padded[t : t + L])
            ys.append(padded[t + L])
    return xs, ys


@pytest.mark.parametrize("targets", list(Targets))
def test_windows_equal_naive_loop(targets):
    rng = np.random.default_rng(0)
    sessions = [rng.integers(2, 9, size=n) for n in (1, 4, 7, 12, 3)]
    w = Windows(sessions, 4, targets=targets)
    x, y = w.take(torch.arange(len(w)))
    xs, ys = naive_windows(sessions, 4, targets)
    assert x.tolist() == xs and y.tolist() == ys


def test_shifted_mapping_is_window_moved_by_one():
    w = Windows([np.arange(2, 12)], 3, Mapping.SHIFTED, targets=Targets.FULL_WINDOW)
    x, y = w.take(torch.arange(len(w)))
    assert torch.equal(y[:, :-1], x[:, 1:])
    assert y[:, -1].tolist() == list(range(5, 12))


def test_sessions_never_share_a_window():
    w = Windows([np.array([2, 3, 4]), np.array([5, 6])], 3)
    x, _ = w.take(torch.arange(len(w)))
    for row in x.tolist():
        real = [v for v in row if v != PAD]
        assert set(real) <= {2, 3, 4} or set(real) <= {5, 6}


def test_step_and_offset_select_every_step_th_window():
    seq = [np.arange(2, 30)]
    full = Windows(seq, 5, targets=Targets.FULL_WINDOW)
    stepped = Windows(seq, 5, step=3, offset=2, targets=Targets.FULL_WINDOW)
    assert torch.equal(
        stepped.take(torch.arange(len(stepped)))[0], full.take(torch.arange(2, len(full), 3))[0]
    )


def test_windows_are_views_not_copies():
    w = Windows([np.arange(2, 100_002) % 50 + 2], 100, targets=Targets.FULL_WINDOW)
    assert w._view.untyped_storage().data_ptr() == w.flat.untyped_storage().data_ptr()
    # memory is O(events): flat + starts, not events x window
    assert w.flat.numel() + w.starts.numel() < 3 * 100_100


def test_shuffled_batches_cover_everything_once_and_repeat_per_epoch():
    w = Windows([np.arange(2, 50)], 4)
    ys = torch.cat([y for _, y in w.batches(7, shuffle=True, seed=1, epoch=3)])
    assert sorted(ys.tolist()) == list(range(2, 50))
    again = torch.cat([y for _, y in w.batches(7, shuffle=True, seed=1, epoch=3)])
    other = torch.cat([y for _, y in w.batches(7, shuffle=True, seed=1, epoch=4)])
    assert torch.equal(ys, again) and not torch.equal(ys, other)


def test_ranks_split_the_epoch():
    w = Windows([np.arange(2, 42)], 4)
    parts = [torch.cat([y for _, y in w.batches(5, rank=r, world_size=2)]) for r in (0, 1)]
    assert sorted(torch.cat(parts).tolist()) == list(range(2, 42))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"length": 0}, "window length must be a positive integer, got 0"),
        ({"length": -3}, "window length must be a positive integer, got -3"),
        ({"length": 3, "step": 0}, "window step must be a positive integer"),
        ({"length": 3, "step": 2, "offset": 2}, r"offset must be in \[0, step=2\)"),
    ],
)
def test_bad_window_settings(kwargs, message):
    with pytest.raises(InputError, match=message):
        Windows([np.arange(2, 10)], **kwargs)


def test_bad_batch_size():
    w = Windows([np.arange(2, 10)], 3)
    with pytest.raises(InputError, match="batch size must be a positive integer, got 0"):
        next(w.batches(0))


def test_sequence_shorter_than_one_window():
    with pytest.raises(InputError, match="shorter than one window plus its target"):
        Windows([np.arange(2, 5)], 5, targets=Targets.FULL_WINDOW)
