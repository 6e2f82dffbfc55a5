"""The service's memos change no number: cached windows and cached verdicts equal fresh ones."""

from __future__ import annotations

import numpy as np
import torch

from seqrnn.serve.backends import SessionInput, load_backend
from seqrnn.serve.cache import WindowCache


def test_window_cache_gives_the_models_numbers_and_stays_bounded(tiny_run):
    plain = load_backend(tiny_run, cache_windows=0).model
    cached = WindowCache(plain, max_entries=50)
    contexts = torch.randint(0, 30, (40, 4))
    first = cached.next_log_probs(contexts)
    again = cached.next_log_probs(torch.cat([contexts[:10], torch.randint(0, 30, (30, 4))]))
    assert torch.equal(first, plain.next_log_probs(contexts))
    assert torch.equal(again[:10], first[:10])
    assert cached.hits >= 10 and len(cached.entries) <= 50


def test_remembered_verdicts_equal_fresh_ones(tiny_run):
    backend = load_backend(tiny_run)
    fresh = load_backend(tiny_run, cache_windows=0)
    rng = np.random.default_rng(0)
    sessions = [SessionInput([str(k) for k in rng.integers(2, 30, 9)]) for _ in range(6)]
    once = backend.judge_sessions(sessions)
    twice = backend.judge_sessions(sessions[::-1])
    assert twice == once[::-1] == fresh.judge_sessions(sessions)[::-1]
    assert len(backend.memo) == 6
    forgetful = load_backend(tiny_run, remember_sessions=0)
    assert forgetful.judge_sessions(sessions) == once and len(forgetful.memo) == 0
