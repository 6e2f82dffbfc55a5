"""Training verbs run PyTorch on one thread unless told otherwise, so their figures are the
README's on every machine (with two threads, sums split differently and the weights move)."""

from __future__ import annotations

import pytest
import torch
from click.testing import CliRunner

from seqrnn.cli import anomaly, demo


class _Stop(Exception):
    pass


def _verbs(tmp_path):
    sessions = tmp_path / "sessions.txt"
    sessions.write_text("1 2 3 4\n2 3 4 1\n")
    return {
        "demo": (demo.demo_cmd, demo.ns, "train", ["--runs-dir", str(tmp_path)]),
        "train-detector": (
            anomaly.train_detector_cmd,
            anomaly,
            "train_detector",
            ["--train", str(sessions), "--runs-dir", str(tmp_path)],
        ),
    }


@pytest.mark.parametrize("verb", ["demo", "train-detector"])
@pytest.mark.parametrize(("args", "expected"), [([], 1), (["--threads", "2"], 2)])
def test_training_verbs_set_the_thread_count_before_training(
    monkeypatch, tmp_path, verb, args, expected
):
    command, owner, name, needed = _verbs(tmp_path)[verb]
    seen: list[int] = []

    def fake_train(*_args, **_kwargs):
        seen.append(torch.get_num_threads())
        raise _Stop

    before = torch.get_num_threads()
    monkeypatch.setattr(owner, name, fake_train)
    try:
        result = CliRunner().invoke(command, [*needed, *args, "--no-progress"])
    finally:
        torch.set_num_threads(before)
    assert isinstance(result.exception, _Stop), result.output
    assert seen == [expected]


@pytest.mark.parametrize("verb", ["demo", "train-detector"])
def test_zero_threads_are_refused(tmp_path, verb):
    command, _, _, needed = _verbs(tmp_path)[verb]
    result = CliRunner().invoke(command, [*needed, "--threads", "0"])
    assert result.exit_code == 2
    assert "--threads" in result.output
