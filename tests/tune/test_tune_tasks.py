"""Each tunable task other than next_symbol runs a tiny study whose best config its own
``train --config`` accepts."""

from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from seqrnn.cli.main import cli
from seqrnn.tune import tune
from seqrnn.tune.tasks import TASKS

AIRLINE = str(Path(__file__).resolve().parents[2] / "src/seqrnn/sample_data/airline/airline.csv")


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_forecast_study_on_the_airline_sample(tmp_path):
    data = {
        "runs_dir": str(tmp_path / "runs"),
        "name": "best",
        "mlp_baseline": False,
        "data": {"path": AIRLINE, "season": 12, "val_fraction": 0.2},
        "train": {"epochs": 3, "device": "cpu"},
        "search": {
            "train.learning_rate": {"type": "float", "low": 1e-3, "high": 3e-2, "log": True},
            "model.encoder.hidden_size": [4, 8],
        },
        "tune": {"task": "forecast", "out": str(tmp_path / "study"), "n_trials": 2, "seed": 0},
    }
    result = tune(data)
    assert result.report.counts["complete"] == 2
    out = CliRunner().invoke(cli, ["forecast", "train", "--config", str(result.report.best_config)])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "runs" / "best" / "history.csv").exists()


def test_task_table_lists_what_can_be_tuned():
    assert {"next_symbol", "forecast"} <= set(TASKS)
