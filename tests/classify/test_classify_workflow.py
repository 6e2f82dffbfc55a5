"""Fitting, saving, loading, metrics, cross-validation and the ``seqrnn classify`` CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from seqrnn.classify.crossval import cross_validate
from seqrnn.classify.metrics import classification_metrics, plot_confusion
from seqrnn.classify.readers import LabelledTexts
from seqrnn.classify.runs import load_model, train
from seqrnn.classify.workflow import (
    ClassifyConfig,
    DataConfig,
    evaluate,
    fit,
    preset,
)
from seqrnn.cli.main import cli
from seqrnn.config import replace
from seqrnn.errors import ConfigError, InputError
from seqrnn.train.callbacks import Callback
from seqrnn.train.config import TrainConfig


@pytest.mark.parametrize("model", ["nb", "logreg", "nbsvm"])
def test_baselines_learn_the_rule_and_reload_identically(rule_data, tmp_path, model):
    train_part, test = rule_data
    (tmp_path / "d.jsonl").write_text(
        "\n".join(
            json.dumps({"text": t, "label": y})
            for t, y in zip(train_part.texts, train_part.labels, strict=True)
        ),
        "utf-8",
    )
    cfg = ClassifyConfig(
        model=model, data=DataConfig(train=[str(tmp_path / "d.jsonl")]), runs_dir=str(tmp_path)
    )
    result = train(cfg)
    assert evaluate(result.model, test).accuracy >= 0.98  # NB: 0.995, one short text
    again = load_model(result.run_dir)
    assert np.allclose(again.predict_proba(test.texts), result.model.predict_proba(test.texts))
    assert (result.run_dir / "confusion.png").stat().st_size > 1000


def test_nbsvm_equals_logistic_regression_on_nb_scaled_features(rule_data):
    """Wang & Manning's recipe written out: binary uni+bigram presence ``X``, the log-count
    ratio ``r``, a logistic regression on ``X * r``; the saved linear form gives its
    probabilities."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    from seqrnn.classify.text import Tokenizer

    train_part, test = rule_data
    fitted = fit(ClassifyConfig(model="nbsvm"), train_part)
    tokenize = Tokenizer(ClassifyConfig().text).tokenize
    vec = CountVectorizer(
        tokenizer=tokenize, lowercase=False, token_pattern=None, ngram_range=(1, 2), binary=True
    )
    X = vec.fit_transform(train_part.texts)
    positive = np.array(train_part.labels) == fitted.model.labels[1]
    p, q = 1 + X[positive].sum(0).A1, 1 + X[~positive].sum(0).A1
    r = np.log(p / p.sum()) - np.log(q / q.sum())
    lr = LogisticRegression(solver="liblinear", max_iter=2000, random_state=0)
    lr.fit(X.multiply(r).tocsr(), positive)
    expected = lr.predict_proba(vec.transform(test.texts).multiply(r).tocsr())[:, 1]
    assert np.allclose(fitted.model.predict_proba(test.texts)[:, 1], expected, atol=1e-9)


def test_neural_run_records_val_loss_calls_callbacks_and_reloads(rule_data, tmp_path):
    train_part, test = rule_data
    seen = []

    class Spy(Callback):
        def on_epoch_end(self, trainer, row):
            seen.append(row["val_loss"])

    cfg = ClassifyConfig(
        model="rnn",
        net=preset("cnn-lstm", embedding_dim=8, encoder={"hidden_size": 8}),
        train=TrainConfig(epochs=2, batch_size=64),
        runs_dir=str(tmp_path),
        name="run",
    )
    result = fit(cfg, train_part, test, [Spy()], in_run_folder=True)
    assert result.run_dir == tmp_path / "run"
    assert len(seen) == 2 and [r["val_loss"] for r in result.history] == seen
    model = load_model(result.run_dir / "best.safetensors")
    assert model.labels == ["no", "yes"]
    best = int(np.argmin(seen))
    assert evaluate(model, test).accuracy == pytest.approx(result.history[best]["val_accuracy"])


def test_metrics_match_hand_counts(tmp_path):
    m = classification_metrics(["a", "a", "b", "c"], ["a", "b", "b", "b"], ["a", "b", "c"])
    assert m.accuracy == 0.5
    assert m.confusion == [[1, 1, 0], [0, 1, 0], [0, 1, 0]]
    assert m.precision == [1.0, 1 / 3, 0.0] and m.recall == [0.5, 1.0, 0.0]
    assert m.macro_f1 == pytest.approx((2 / 3 + 0.5 + 0) / 3)
    assert plot_confusion(m, tmp_path / "cm.png").stat().st_size > 1000


def test_cross_validation_runs_each_fold_once(rule_data):
    data, _ = rule_data
    result = cross_validate(ClassifyConfig(model="nb"), data, folds=4)
    assert len(result.metrics) == 4 and sum(sum(m.support) for m in result.metrics) == len(data)
    assert result.summary()["accuracy_mean"] >= 0.98
    with pytest.raises(ConfigError, match="folds must be >= 2"):
        cross_validate(ClassifyConfig(model="nb"), data, folds=1)


def test_unknown_validation_label_and_single_class_are_refused():
    one = LabelledTexts(["a", "b"], ["x", "x"])
    with pytest.raises(InputError, match="at least two classes"):
        fit(ClassifyConfig(model="nb"), one)
    two = LabelledTexts(["a", "b"], ["x", "y"])
    cfg = ClassifyConfig(model="rnn", train=TrainConfig(epochs=1))
    with pytest.raises(InputError, match="validation data: labels not in the training data: z"):
        fit(cfg, two, LabelledTexts(["c"], ["z"]))


def test_cli_train_predict_from_stdin_and_evaluate(tmp_path):
    pos, neg = tmp_path / "good.txt", tmp_path / "bad.txt"
    pos.write_text("great film\nlovely acting\ngreat fun\nlovely great\n", "utf-8")
    neg.write_text("awful film\nboring acting\nawful mess\nboring awful\n", "utf-8")
    runner = CliRunner()
    args = ["classify", "train", "--train", str(pos), "--train", str(neg), "--model", "nb"]
    args += ["--val-fraction", "0", "--runs-dir", str(tmp_path / "runs"), "--name", "nb"]
    res = runner.invoke(cli, args)
    assert res.exit_code == 0, res.output
    run = tmp_path / "runs" / "nb"
    res = runner.invoke(cli, ["classify", "predict", str(run)], input="a great film\nso awful\n")
    assert res.exit_code == 0, res.output
    lines = [line.split("\t") for line in res.output.splitlines()]
    assert [lab for lab, _ in lines] == ["good", "bad"] and all(float(p) > 0.5 for _, p in lines)
    res = runner.invoke(cli, ["classify", "evaluate", str(run), str(pos), str(neg)])
    assert res.exit_code == 0 and "accuracy 1.0000 on 8 texts" in res.output


def test_cli_bad_file_is_one_clear_line(tmp_path):
    bad = tmp_path / "d.csv"
    bad.write_text("text,label\nok,1\nno,2,3\n", "utf-8")
    res = CliRunner().invoke(cli, ["classify", "train", "--train", str(bad), "--model", "nb"])
    assert res.exit_code == 1
    assert res.output.strip() == f"Error: {bad}:3: expected 2 fields like the header, got 3"


def test_config_typos_get_a_suggestion():
    with pytest.raises(ConfigError, match="did you mean 'pooling'"):
        preset("bilstm", poolng="max")
    with pytest.raises(ConfigError, match="unknown preset 'transformer'"):
        preset("transformer")
    assert replace(ClassifyConfig(), model="logreg").model == "logreg"
