"""The library train function (callbacks, val_loss, run folder, model file) and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from seqrnn.cli.main import cli
from seqrnn.errors import CheckpointError, ConfigError
from seqrnn.forecast import Series, load_model, train
from seqrnn.io.checkpoint import Checkpoint, save_checkpoint
from seqrnn.train.callbacks import Callback

SERIES = Series(10 + np.sin(np.arange(72) * 2 * np.pi / 12) + np.arange(72) * 0.05)


class Recorder(Callback):
    def __init__(self):
        self.rows = []

    def on_epoch_end(self, trainer, row):
        self.rows.append(row)


def test_callbacks_see_val_loss_every_epoch(small_config):
    rec = Recorder()
    result = train(small_config(data={"val_fraction": 0.25}), [rec], series=SERIES)
    assert len(rec.rows) == 3 and all(np.isfinite(r["val_loss"]) for r in rec.rows)
    assert [r["epoch"] for r in result.history] == [1, 2, 3]
    without = train(small_config(), series=SERIES)
    assert "val_loss" not in without.history[-1]


def test_run_folder_and_model_file_round_trip(small_config, tmp_path):
    result = train(small_config(runs_dir=str(tmp_path), name="r", mlp_baseline=True), series=SERIES)
    run = result.run_dir
    for name in (
        "config.json",
        "history.csv",
        "best.safetensors",
        "last.safetensors",
        "history.png",
        "forecasts.csv",
        "metrics.json",
        "forecast_classic.png",
        "forecast_horizon.png",
    ):
        assert (run / name).is_file(), name
    metrics = json.loads((run / "metrics.json").read_text())
    recorded = {"training", "choice", "default", "intervals"}
    assert set(metrics) == recorded | {e.name for e in result.evaluations}
    assert metrics["choice"]["chosen"] in {"network"} | {e.name for e in result.evaluations}
    assert len(result.evaluations) == 6 and metrics["training"]["epochs"] == 3
    loaded, data = load_model(run)
    assert data.season == 12
    origins = np.arange(20, 72)
    assert np.allclose(
        loaded.predict_at(SERIES.values, origins, 3),
        result.forecaster.predict_at(SERIES.values, origins, 3),
    )
    save_checkpoint(tmp_path / "other.safetensors", Checkpoint({}, {"kind": "next_symbol"}))
    with pytest.raises(
        CheckpointError, match=r"holds a next-symbol network .*; `seqrnn forecast` needs"
    ):
        load_model(tmp_path / "other.safetensors")


def test_cli_train_predict_and_bad_csv(tmp_path):
    data = tmp_path / "s.csv"
    lines = [f"{i},{v:.4f}" for i, v in enumerate(SERIES.values)]
    data.write_text("t,v\n" + "\n".join(lines) + "\n")
    runner = CliRunner()
    args = [
        "forecast",
        "train",
        "--data",
        str(data),
        "--season",
        "12",
        "--epochs",
        "2",
        "--look-back",
        "4",
        "--hidden",
        "8",
        "--runs-dir",
        str(tmp_path / "runs"),
        "--name",
        "cli",
        "--no-mlp-baseline",
    ]
    out = runner.invoke(cli, args)
    assert out.exit_code == 0, out.output
    assert "seasonal naive" in out.output and "test" in out.output
    out = runner.invoke(
        cli, ["forecast", "predict", str(tmp_path / "runs" / "cli"), "--horizon", "3"]
    )
    assert out.exit_code == 0, out.output
    lines = [ln.split("\t") for ln in out.output.splitlines() if "\t" in ln]
    assert lines[0] == ["step", "forecast", "q0.025", "q0.1", "q0.5", "q0.9", "q0.975"]
    assert [ln[0] for ln in lines[1:]] == ["+1", "+2", "+3"]
    for _, point, *q in lines[1:]:  # the intervals reach a season (12) ahead: all there
        assert (
            float(q[0]) <= float(q[1]) <= float(point) == float(q[2]) <= float(q[3]) <= float(q[4])
        )
    bad = tmp_path / "bad.csv"
    bad.write_text("t,v\n0,1\n1,oops\n")
    out = runner.invoke(cli, ["forecast", "compare", str(bad)])
    assert out.exit_code == 1
    assert out.output.strip() == f"Error: {bad}:3: column 'v': 'oops' is not a number"


def test_covariates_are_extra_channels_and_need_direct_for_several_steps(small_config):
    cov = np.cos(np.arange(72) * 2 * np.pi / 12)[:, None]  # [N, 1]
    series = Series(SERIES.values, covariates=cov, covariate_names=("c",))
    result = train(small_config(model={"horizon": 2, "strategy": "direct"}), series=series)
    assert result.forecaster.net.encoder.rnn.input_size == 2  # target + covariate
    assert result.evaluations[0].forecasts["test"].shape[1] == 2
    with pytest.raises(ConfigError, match="recursive forecasts of several steps cannot use"):
        train(small_config(model={"horizon": 2}), series=series)
    with pytest.raises(ConfigError, match="stateful framing forecasts several steps with"):
        small_config(model={"framing": "stateful", "horizon": 3})
