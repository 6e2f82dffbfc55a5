"""forecast.assess: evaluate a saved run beside the baselines, backtest a configuration."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from seqrnn import forecast
from seqrnn.cli.main import cli
from seqrnn.forecast.metrics import METRICS

SERIES = forecast.Series(10 + np.sin(np.arange(72) * 2 * np.pi / 12) + np.arange(72) * 0.05)


def test_backtest_runs_the_network_and_every_baseline_on_the_same_folds(small_config):
    results = forecast.backtest(
        small_config(train={"epochs": 2}), SERIES, folds=3, initial=48, step=6, steps_ahead=2
    )
    names = [r.name for r in results]
    assert names[0].startswith("lstm") and "seasonal naive" in " ".join(names).lower()
    ends = {tuple(row["train_end"] for row in r.folds) for r in results}
    assert ends == {(48, 54, 60)}  # every forecaster, the same three origins
    for r in results:
        assert r.mean["rmse"] == pytest.approx(np.mean([row["rmse"] for row in r.folds]))
        assert "fold" not in r.mean and "train_end" not in r.mean


def test_evaluate_saved_puts_the_model_first_and_write_evaluation_writes_its_files(
    small_config, tmp_path
):
    csv = tmp_path / "series.csv"
    csv.write_text("value\n" + "\n".join(f"{v:.4f}" for v in SERIES.values) + "\n")
    run = forecast.train(
        small_config(
            train={"epochs": 2},
            runs_dir=str(tmp_path / "runs"),
            name="r",
            data={"path": str(csv), "season": 12},
        )
    ).run_dir
    evals, series = forecast.evaluate_saved(run)
    assert len(series) == 72 and evals[0].name.startswith("lstm")
    assert len(evals) > 2 and all("test" in e.metrics for e in evals)
    files = forecast.write_evaluation(tmp_path / "eval", evals, series)
    assert [f.name for f in files] == ["metrics.json", "forecast_classic.png"]
    assert set(json.loads(files[0].read_text())) == {e.name for e in evals}

    out = CliRunner().invoke(cli, ["forecast", "evaluate", str(run), "--out", str(tmp_path / "e")])
    assert out.exit_code == 0, out.output
    test_line = next(line for line in out.output.splitlines() if " test " in line)
    assert test_line.startswith(evals[0].name)  # the printed figures are the library's
    for metric in METRICS:
        assert f"{evals[0].metrics['test'][metric]:8.3f}" in test_line
    assert "wrote " in out.output
