"""The default's averaged candidates: a log-probability pool whose network weight is chosen by
the inner cross-validation, cross-fitted so that no fold's score reads its own labels."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from seqrnn.classify import select
from seqrnn.classify.runs import load_model
from seqrnn.classify.workflow import ClassifyConfig, evaluate
from seqrnn.cli.main import cli
from seqrnn.errors import ConfigError


class Fixed:
    """A classifier that answers fixed probabilities."""

    def __init__(self, proba: np.ndarray, labels=("a", "b")):
        self.proba, self.labels = proba, list(labels)

    def predict_proba(self, texts):
        return self.proba


def test_pool_is_the_weighted_log_probability_mixture_and_no_weights_the_mean():
    p, q = np.array([[0.9, 0.1], [0.2, 0.8]]), np.array([[0.4, 0.6], [0.5, 0.5]])
    pooled = select.AveragedClassifier([Fixed(p), Fixed(q)], [0.7, 0.3]).predict_proba([])
    by_hand = p**0.7 * q**0.3
    assert np.allclose(pooled, by_hand / by_hand.sum(1, keepdims=True))
    # binary: the pool's log-odds are the weighted log-odds
    logit = lambda x: np.log(x[:, 1] / x[:, 0])  # noqa: E731
    assert np.allclose(logit(pooled), 0.7 * logit(p) + 0.3 * logit(q))
    assert np.allclose(
        select.AveragedClassifier([Fixed(p), Fixed(q)]).predict_proba([]), (p + q) / 2
    )
    with pytest.raises(ValueError, match="one weight per"):
        select.AveragedClassifier([Fixed(p), Fixed(q)], [1.0])


def _disagreeing_members(rng: np.random.Generator, n: int):
    """Network and bag-of-words probabilities [n, 2] that disagree often, so the weight
    decides many predictions, and the class indices they are scored against."""
    truth = rng.integers(0, 2, n)
    z_net = (2 * truth - 1) * 1.0 + rng.normal(0, 2.0, n)
    z_bow = (2 * truth - 1) * 0.3 + rng.normal(0, 0.4, n)
    to_p = lambda z: np.stack([1 / (1 + np.exp(z)), 1 / (1 + np.exp(-z))], 1)  # noqa: E731
    return to_p(z_net), to_p(z_bow), truth


def test_each_folds_weight_is_chosen_without_its_labels():
    rng = np.random.default_rng(0)
    p_net, p_bow, truth = _disagreeing_members(rng, 600)
    fold = np.arange(600) % 3
    clean = select.cross_fitted_weights(p_net, p_bow, truth, fold)
    for f in range(3):
        poisoned = truth.copy()
        poisoned[fold == f] = 1 - poisoned[fold == f]  # every label of fold f wrong
        again = select.cross_fitted_weights(p_net, p_bow, poisoned, fold)
        assert again[f] == clean[f]  # fold f's weight never read fold f's labels
        assert any(again[g] != clean[g] for g in range(3) if g != f)  # the others' did
    # each is the best weight on the other folds
    for f, w in clean.items():
        rest = fold != f
        assert w == select.best_weight(p_net[rest], p_bow[rest], truth[rest])


def test_inner_scores_of_an_average_are_cross_fitted():
    """The average's inner score is what its cross-fitted weights give on each fold, not
    the (optimistic) score of the weight tuned on all folds."""
    rng = np.random.default_rng(3)
    p_net, p_bow, truth = _disagreeing_members(rng, 300)
    fold = np.arange(300) % 3
    oof = {"rnn": p_net, "nb": p_bow, "nbsvm": p_bow, "logreg": p_bow}
    choice = select._scores(oof, truth, fold)
    weights = select.cross_fitted_weights(p_net, p_bow, truth, fold)
    by_fold = []
    for f, w in weights.items():
        mine = fold == f
        pooled = select.log_pool([p_net[mine], p_bow[mine]], [w, 1 - w])
        by_fold.append((pooled.argmax(1) == truth[mine]).mean())
    assert choice.means["rnn+nb"] == round(float(np.mean(by_fold)), 4)
    assert choice.weights["rnn+nb"] == select.best_weight(p_net, p_bow, truth)
    assert choice.means["rnn"] == round(float((p_net.argmax(1) == truth).mean()), 4)


def test_a_weighted_average_run_reloads_with_its_weight(rule_data, tmp_path):
    train_part, test = rule_data
    path = tmp_path / "d.tsv"
    rows = [f"{t}\t{y}" for t, y in zip(train_part.texts, train_part.labels, strict=True)]
    path.write_text("text\tlabel\n" + "\n".join(rows) + "\n")
    args = ["classify", "train", "--train", str(path), "--model", "rnn+nbsvm"]
    args += ["--average-weight", "0.3", "--hidden", "8", "--embedding-dim", "8", "--epochs", "1"]
    args += ["--runs-dir", str(tmp_path / "runs"), "--name", "w", "--no-progress"]
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 0, out.output
    model = load_model(tmp_path / "runs" / "w")
    assert model.weights == [0.3, 0.7]
    members = [m.predict_proba(test.texts) for m in model.members]
    expected = select.log_pool(members, [0.3, 0.7])
    assert np.allclose(model.predict_proba(test.texts), expected)
    assert evaluate(model, test).accuracy > 0.9
    with pytest.raises(ConfigError, match=r"average_weight must be in \(0, 1\), got 1.0"):
        ClassifyConfig(average_weight=1.0)
