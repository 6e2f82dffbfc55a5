"""Training verbs run PyTorch on one thread unless told otherwise, so their figures are the
README's on every machine (with two threads, sums split differently and the weights move)."""

from __future__ import annotations

import pytest
import torch
from click.testing import CliRunner

from seqrnn.cli import anomaly, classify, demo, forecast, forecast_global, next_symbol

VERBS = ["demo", "train-detector", "train", "classify train", "forecast train", "forecast global"]


class _Stop(Exception):
    pass


def _verbs(tmp_path):
    sessions = tmp_path / "sessions.txt"
    sessions.write_text("1 2 3 4\n2 3 4 1\n")
    texts = tmp_path / "texts.csv"
    texts.write_text("text,label\ngood film,pos\nbad film,neg\n")
    series = tmp_path / "series.csv"
    series.write_text("y\n" + "".join(f"{v}\n" for v in range(1, 41)))
    panel = tmp_path / "panel.csv"
    panel.write_text("unique_id,ds,y\n" + "".join(f"a,2020-{m:02d}-01,{m}\n" for m in range(1, 13)))
    return {
        "demo": (demo.demo_cmd, demo.ns, "train", ["--runs-dir", str(tmp_path)]),
        "train-detector": (
            anomaly.train_detector_cmd,
            anomaly,
            "train_detector",
            ["--train", str(sessions), "--runs-dir", str(tmp_path)],
        ),
        "train": (
            next_symbol.train_cmd,
            next_symbol.ns,
            "train",
            ["--train", str(sessions), "--runs-dir", str(tmp_path)],
        ),
        "classify train": (
            classify.train_cmd,
            classify,
            "train",
            ["--train", str(texts), "--runs-dir", str(tmp_path)],
        ),
        "forecast train": (
            forecast.train_cmd,
            forecast.fw,
            "train",
            ["--data", str(series), "--runs-dir", str(tmp_path)],
        ),
        "forecast global": (
            forecast_global.global_cmd,
            forecast_global,
            "holdout",
            [str(panel), "--horizon", "2", "--holdout", "--out", str(tmp_path / "out")],
        ),
    }


@pytest.mark.parametrize("verb", VERBS)
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
        result = CliRunner().invoke(command, [*needed, *args])
    finally:
        torch.set_num_threads(before)
    assert isinstance(result.exception, _Stop), result.output
    assert seen == [expected]


@pytest.mark.parametrize("verb", VERBS)
def test_zero_threads_are_refused(tmp_path, verb):
    command, _, _, needed = _verbs(tmp_path)[verb]
    result = CliRunner().invoke(command, [*needed, "--threads", "0"])
    assert result.exit_code == 2
    assert "--threads" in result.output
