"""Shared fixtures: a fixed seed, small thread count, and the real data in ../shared/data.

Tests that need ``../shared/data`` use the ``shared_data`` fixture and are skipped, with the
reason, on a fresh clone that does not have it (CI has it, so there they run).
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SEQRNN_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(autouse=True)
def _seed() -> None:
    """Every test starts from the same random state."""
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """Every test leaves torch at one thread, whatever the code under test set (a CLI run
    with ``--threads``), so the next test and its fixtures start from one too."""
    yield
    torch.set_num_threads(1)


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data``; skips the test when it is not beside the checkout."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not available: {SHARED_DATA} does not exist (fresh clone)")
    return SHARED_DATA


@pytest.fixture
def cycle_markov(tmp_path: Path):
    """A factory: ``cycle_markov(order)`` saves a Markov chain of that order fitted on the
    keys ``1 2 3 4 5 6`` repeated, in its own folder (a run's place), and gives its path."""
    from seqrnn.data.vocab import Vocabulary
    from seqrnn.models.markov import MarkovModel

    def make(order: int) -> Path:
        cycle = [str(k) for k in [1, 2, 3, 4, 5, 6] * 30]
        vocab = Vocabulary.build([cycle])
        path = tmp_path / f"markov{order}" / "markov.safetensors"
        path.parent.mkdir()
        MarkovModel.fit([vocab.encode(cycle)], vocab, order, 0.1).save(path)
        return path

    return make
