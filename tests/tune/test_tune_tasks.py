"""Each tunable task other than next_symbol runs a tiny study whose best config its own
``train --config`` accepts."""

from pathlib import Path

from click.testing import CliRunner

from seqrnn.cli.main import cli
from seqrnn.tune import tune
from seqrnn.tune.tasks import TASKS

AIRLINE = str(Path(__file__).resolve().parents[2] / "src/seqrnn/sample_data/airline/airline.csv")


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


def test_classify_study_on_tiny_texts(tmp_path):
    rows = ["text,label"]
    for i in range(60):  # label "yes" iff the text contains "x"
        words = ["a", "b", "c", "d"][i % 4 :] + (["x"] if i % 2 else [])
        rows.append(f"{' '.join(words)},{'yes' if i % 2 else 'no'}")
    (tmp_path / "texts.csv").write_text("\n".join(rows) + "\n")
    data = {
        "model": "rnn",  # the best config then trains the tuned network (default: auto)
        "runs_dir": str(tmp_path / "runs"),
        "name": "best",
        "data": {"train": [str(tmp_path / "texts.csv")], "val_fraction": 0.2},
        "train": {"epochs": 2, "device": "cpu"},
        "search": {"train.learning_rate": [0.01, 0.003], "net.encoder.hidden_size": [8, 16]},
        "tune": {"task": "classify", "out": str(tmp_path / "study"), "n_trials": 2, "seed": 0},
    }
    result = tune(data)
    assert result.report.counts["complete"] == 2
    out = CliRunner().invoke(
        cli, ["classify", "train", "--config", str(result.report.best_config), "--no-progress"]
    )
    assert out.exit_code == 0, out.output
    assert (tmp_path / "runs" / "best" / "history.csv").exists()


def test_task_table_lists_what_can_be_tuned():
    assert set(TASKS) == {"next_symbol", "forecast", "classify"}
