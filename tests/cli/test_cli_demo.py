"""``seqrnn demo`` trains on one PyTorch thread unless told otherwise, so its figures are the
README's on every machine (with two threads, sums split differently and the weights move)."""

from __future__ import annotations

import pytest
import torch
from click.testing import CliRunner

from seqrnn.cli import demo


class _Stop(Exception):
    pass


@pytest.mark.parametrize(("args", "expected"), [([], 1), (["--threads", "2"], 2)])
def test_demo_sets_the_thread_count_before_training(monkeypatch, tmp_path, args, expected):
    seen: list[int] = []

    def fake_train(config, callbacks):
        seen.append(torch.get_num_threads())
        raise _Stop

    before = torch.get_num_threads()
    monkeypatch.setattr(demo.ns, "train", fake_train)
    try:
        result = CliRunner().invoke(
            demo.demo_cmd, [*args, "--no-progress", "--runs-dir", str(tmp_path)]
        )
    finally:
        torch.set_num_threads(before)
    assert isinstance(result.exception, _Stop)
    assert seen == [expected]


def test_demo_refuses_zero_threads(tmp_path):
    result = CliRunner().invoke(demo.demo_cmd, ["--threads", "0", "--runs-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "--threads" in result.output
