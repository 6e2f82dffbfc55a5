"""NaN and infinity never become perfect scores: refused as settings (flags and config files),
never written as bare ``NaN`` into JSON, and a model that answers NaN stops scoring with one
error instead of reporting accuracy 1.0 (NaN compares False, so every target ranked first)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from seqrnn.config import from_dict, save_json
from seqrnn.data.samples import sample_path
from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import CheckpointError, ConfigError
from seqrnn.evaluation.scoring import score_sequences
from seqrnn.io.checkpoint import load_checkpoint, save_checkpoint
from seqrnn.io.runs import save_metrics
from seqrnn.models.markov import MarkovModel
from seqrnn.train.config import TrainConfig

TRAIN = sample_path("hdfs", "train_normal.txt")


def _strict(text: str):
    """``json.loads`` that refuses NaN / Infinity (as every non-Python reader does)."""

    def refuse(name):
        raise ValueError(f"bare {name} in JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    "kind, alpha", [("markov", "nan"), ("naive-bayes", "nan"), ("markov", "inf")]
)
def test_baseline_refuses_a_non_finite_alpha(tmp_path, run_cli, one_line_error, kind, alpha):
    out = tmp_path / "m.safetensors"
    r = run_cli(["baseline", kind, "--train", TRAIN, "--alpha", alpha, "--out", out])
    # the option's type refuses it first: a usage error (exit 2) naming the option
    one_line_error(r, "Invalid value for '--alpha'", "is not a finite number")
    assert r.exit_code == 2
    assert not out.exists()


@pytest.mark.parametrize(
    "name", ["learning_rate", "weight_decay", "momentum", "grad_clip", "min_delta"]
)
@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_train_config_refuses_non_finite_floats(name, value):
    with pytest.raises(ConfigError, match=f"{name} must be a finite number"):
        TrainConfig(**{name: value})


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", float("nan")])
def test_every_float_setting_is_checked_where_it_is_read(value):
    with pytest.raises(ConfigError, match=r"^train\.learning_rate: expected a finite number"):
        from_dict(TrainConfig, {"learning_rate": value}, "train")


@pytest.mark.parametrize(
    "name, text",
    [
        ("c.toml", "[train]\nlearning_rate = nan\n"),
        ("c.yaml", "train:\n  learning_rate: .inf\n"),
        ("c.json", '{"train": {"learning_rate": NaN}}'),
    ],
)
def test_a_config_file_with_nan_is_refused_before_training(
    tmp_path, run_cli, one_line_error, name, text
):
    config = tmp_path / name
    config.write_text(text)
    r = run_cli(["train", "--config", config, "--runs-dir", tmp_path / "runs"])
    one_line_error(r, "learning_rate: expected a finite number")
    assert not (tmp_path / "runs").exists()


def test_the_lr_flag_refuses_infinity(tmp_path, run_cli, one_line_error):
    r = run_cli(["train", "--lr", "inf", "--runs-dir", tmp_path / "runs"])
    one_line_error(r, "Invalid value for '--lr': 'inf' is not a finite number")
    assert r.exit_code == 2


def test_metrics_json_never_holds_bare_nan(tmp_path, caplog):
    path = save_metrics(
        tmp_path, {"loss": math.nan, "perplexity": math.inf, "top": [1.0, -math.inf]}
    )
    assert _strict(path.read_text()) == {"loss": None, "perplexity": None, "top": [1.0, None]}
    assert "loss is nan, written as null" in caplog.text


def test_a_config_with_nan_is_not_saved(tmp_path):
    with pytest.raises(ConfigError, match="not a finite number"):
        save_json({"lr": math.nan}, tmp_path / "config.json")
    assert not (tmp_path / "config.json").exists()


class _NaNModel(MarkovModel):
    """A chain whose answers are NaN, like a diverged network."""

    def next_log_probs(self, contexts: torch.Tensor) -> torch.Tensor:
        return torch.full((len(contexts), self.vocab_size), math.nan)


def test_scoring_refuses_nan_log_probabilities():
    vocab = Vocabulary(["a", "b"])
    seqs = [vocab.encode(list("abab"))]
    model = _NaNModel.fit(seqs, vocab, order=1)
    with pytest.raises(CheckpointError, match="non-finite log-probabilities"):
        score_sequences(model, seqs)
    assert len(score_sequences(MarkovModel.fit(seqs, vocab, order=1), seqs)) == 4


@pytest.fixture(scope="module")
def nan_model(tmp_path_factory) -> Path:
    """A valid, correctly signed Naive Bayes file whose tables hold NaN (diverged weights)."""
    from click.testing import CliRunner

    from seqrnn.cli.main import cli

    path = tmp_path_factory.mktemp("nan") / "nb.safetensors"
    CliRunner().invoke(cli, ["baseline", "naive-bayes", "--train", str(TRAIN), "--out", str(path)])
    ckpt = load_checkpoint(path)
    ckpt.tensors = {
        k: torch.full_like(v, math.nan) if v.is_floating_point() else v
        for k, v in ckpt.tensors.items()
    }
    save_checkpoint(path, ckpt)
    return path


def test_evaluate_does_not_report_accuracy_one_for_a_nan_model(
    nan_model, tmp_path, run_cli, one_line_error
):
    r = run_cli(["evaluate", nan_model, sample_path("hdfs", "test_normal.txt")])
    one_line_error(r, "non-finite log-probabilities")
    assert "accuracy" not in r.output


def test_detect_does_not_report_f1_one_for_a_nan_model(
    nan_model, tmp_path, run_cli, one_line_error
):
    normal, abnormal = (sample_path("hdfs", f"test_{k}.txt") for k in ("normal", "abnormal"))
    args = ["detect", nan_model, "--normal", normal, "--abnormal", abnormal]
    r = run_cli([*args, "--out", tmp_path / "report"])
    one_line_error(r, "non-finite log-probabilities")
    assert not (tmp_path / "report" / "metrics.json").exists()
    assert np.isnan(load_checkpoint(nan_model).tensors["nb.log_prior"].numpy()).all()


@pytest.mark.parametrize("verb", [["predict", "{m}", "5"], ["generate", "{m}"]], ids=lambda v: v[0])
def test_predict_and_generate_refuse_a_nan_model(nan_model, run_cli, one_line_error, verb):
    r = run_cli([a.format(m=nan_model) for a in verb])
    one_line_error(r, "non-finite log-probabilities")
    assert "nan" not in r.output.replace("non-finite", "")
