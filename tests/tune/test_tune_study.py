"""seqrnn tune: a tiny study finishes, prunes a bad trial, resumes from its SQLite file with the
earlier trials intact, its best config trains to the best trial's loss, and two workers
sharing one study never run more trials than asked."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import optuna
import pandas as pd
import pytest
from click.testing import CliRunner
from optuna.trial import TrialState

from seqrnn.cli.main import cli
from seqrnn.config import load_config_file
from seqrnn.errors import ConfigError
from seqrnn.next_symbol import training as ns
from seqrnn.tune import TuneConfig, open_study, tune
from seqrnn.tune.study import ERROR_ATTR, budget_used, over_budget

GOOD = {"train.learning_rate": 0.03, "model.encoder.cell": "gru"}
BAD = {"train.learning_rate": 1e-5, "model.encoder.cell": "lstm"}


def write_sessions(path, n=40, seed=0):
    """Sessions of a noisy cycle 1 2 3 4 5 (the symbol after 2 is 3 or 5), 8-14 long."""
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(n):
        s, seq = 1, []
        for _ in range(int(rng.integers(8, 15))):
            seq.append(s)
            s = (5 if rng.random() < 0.3 else 3) if s == 2 else s % 5 + 1
        lines.append(" ".join(map(str, seq)))
    path.write_text("\n".join(lines) + "\n")
    return path


def study_dict(tmp_path, **tune):
    """A tuning config as the file would hold it: base config + [search] + [tune]."""
    return {
        "runs_dir": str(tmp_path / "runs"),
        "name": "best",
        "data": {"train": str(write_sessions(tmp_path / "s.txt")), "window": 4},
        "model": {"embedding_dim": 4, "encoder": {"hidden_size": 8, "num_layers": 1}},
        "train": {"epochs": 2, "batch_size": 32, "device": "cpu"},
        "search": {
            "train": {"learning_rate": {"type": "float", "low": 1e-5, "high": 0.05, "log": True}},
            "model.encoder.cell": ["lstm", "gru"],
        },
        "tune": {
            "out": str(tmp_path / "study"),
            "seed": 0,
            "startup_trials": 10,
            "prune_after_trials": 1,
            "prune_warmup_epochs": 0,
            **tune,
        },
    }


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A 3-trial study whose first two trials are a good and a hopeless setting."""
    tmp = tmp_path_factory.mktemp("tune")
    data = study_dict(tmp, n_trials=3)
    study = open_study(TuneConfig(**data["tune"]))
    study.enqueue_trial(GOOD)
    study.enqueue_trial(BAD)
    result = tune(data)
    return tmp, data, result


def test_tiny_study_finishes_and_prunes_the_bad_trial(finished):
    _, _, result = finished
    trials = result.study.get_trials()
    assert [t.number for t in trials] == [0, 1, 2]
    assert trials[0].state.name == "COMPLETE" and trials[0].params == GOOD
    assert trials[1].state.name == "PRUNED" and trials[1].params == BAD
    assert trials[1].user_attrs["epochs"] == 1  # stopped after 1 of 2 epochs
    table = pd.read_csv(result.report.trials_csv)
    assert list(table["number"]) == [0, 1, 2]
    assert table.loc[1, "state"] == "PRUNED"
    names = sorted(p.name for p in result.report.plots)
    assert names == [
        "intermediate_values.png",
        "optimization_history.png",
        "param_importances.png",
    ]


def test_best_config_trains_unchanged_and_reproduces_the_best_loss(finished):
    tmp, _, result = finished
    cfg = load_config_file(result.report.best_config)
    assert "search" not in cfg and "tune" not in cfg
    assert cfg["train"]["learning_rate"] == result.report.best_params["train.learning_rate"]
    out = CliRunner().invoke(cli, ["train", "--config", str(result.report.best_config)])
    assert out.exit_code == 0, out.output
    history = pd.read_csv(tmp / "runs" / "best" / "history.csv")
    # Same settings, same seed, same data: the run repeats the best trial exactly.
    assert history["val_loss"].min() == pytest.approx(result.report.best_value, abs=1e-6)


def test_resume_from_sqlite_keeps_earlier_trials(finished, tmp_path):
    _, data, first = finished
    before = [(t.number, t.state, t.params, t.value) for t in first.study.get_trials()]
    data = json.loads(json.dumps(data))
    # resume a copy of the study, so the shared one stays as the other tests expect it,
    # whatever order they run in
    shutil.copytree(data["tune"]["out"], tmp_path / "study")
    data["tune"]["out"] = str(tmp_path / "study")
    data["tune"]["n_trials"] = 5
    again = tune(data)  # a new process would do the same: the study lives in study.db
    after = again.study.get_trials()
    assert len(after) == 5
    assert [(t.number, t.state, t.params, t.value) for t in after[:3]] == before
    assert budget_used(again.study) == 5


def test_two_workers_sharing_one_study_never_exceed_the_budget(tmp_path):
    data = study_dict(tmp_path, n_trials=3, startup_trials=2, prune_after_trials=100, plots=False)
    data["train"]["epochs"] = 1
    del data["tune"]["seed"]  # each worker its own random stream
    config = tmp_path / "study.json"
    config.write_text(json.dumps(data))
    env = dict(os.environ, OMP_NUM_THREADS="1")
    # What ``seqrnn tune --config`` calls, without loading every CLI verb's imports.
    code = (
        "import sys; from seqrnn.config import load_config_file as f; "
        "from seqrnn.tune import tune; tune(f(sys.argv[1]))"
    )
    cmd = [sys.executable, "-c", code, str(config)]
    workers = [subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True) for _ in "ab"]
    errors = [w.communicate(timeout=120)[1] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], errors
    study = open_study(TuneConfig(**data["tune"]))
    states = [t.state.name for t in study.get_trials() if "skipped" not in t.user_attrs]
    assert states == ["COMPLETE"] * 3


def test_search_errors_name_the_setting(tmp_path):
    data = study_dict(tmp_path)
    data["search"] = {"train.learnin_rate": [0.1, 0.01]}
    with pytest.raises(ConfigError, match=r"unknown key 'learnin_rate' \(did you mean"):
        tune(data)
    data["search"] = {"train.learning_rate": 0.1}
    with pytest.raises(ConfigError, match=r"search\.train\.learning_rate: expected a table"):
        tune(data)
    data["search"] = {"train.learning_rate": {"type": "float", "low": 0, "high": 1, "log": True}}
    with pytest.raises(ConfigError, match="log-uniform parameter needs low > 0"):
        tune(data)
    data["search"] = {"train.epochs": [1]}
    with pytest.raises(ConfigError, match="'forecasting' cannot be tuned"):
        tune(data, {"task": "forecasting"})


def test_run_config_from_best_config_matches_the_trial(finished):
    _, _, result = finished
    cfg = ns.run_config_from_dict(load_config_file(result.report.best_config))
    assert cfg.model.encoder.cell.value == result.report.best_params["model.encoder.cell"]


def test_trials_opened_at_once_past_the_budget_are_over_it():
    study = optuna.create_study()
    a, b, c = study.ask(), study.ask(), study.ask()  # three workers open trials together
    assert [over_budget(t, 2) for t in (a, b, c)] == [False, False, True]
    study.tell(a, state=TrialState.FAIL)  # cut off by Ctrl-C: frees its slot
    assert not over_budget(c, 2)
    b.set_user_attr(ERROR_ATTR, "bad settings")
    study.tell(b, state=TrialState.FAIL)  # failed because of its settings: still counts
    assert budget_used(study) == 2  # b and c
