"""Bad option values: usage errors (exit 2, the option named) from the CLI, ConfigError from
the library; errors about files and data exit 1. No traceback in any case."""

from __future__ import annotations

import click
import numpy as np
import pytest
from click.testing import CliRunner

from seqrnn.cli.main import cli
from seqrnn.errors import ConfigError

#: (arguments, the option the message must name); the option's type refuses the value before
#: the verb reads MODEL or DATA, so the paths need not exist
BAD_VALUES = [
    (["evaluate", "m", "d", "--top-k", "-3"], "--top-k"),
    (["predict", "m", "--top-k", "0"], "--top-k"),
    (["generate", "m", "--temperature", "-1"], "--temperature"),
    (["generate", "m", "--temperature", "nan"], "--temperature"),
    (["generate", "m", "--temperature", "inf"], "--temperature"),
    (["generate", "m", "--top-p", "2"], "--top-p"),
    (["generate", "m", "--top-p", "0"], "--top-p"),
    (["generate", "m", "--top-k", "0"], "--top-k"),
    (["generate", "m", "--length", "-5"], "--length"),
    (["generate", "m", "--num-samples", "0"], "--num-samples"),
    (["text", "evaluate", "m", "f", "--window", "0"], "--window"),
    (["forecast", "predict", "m", "--horizon", "-5"], "--horizon"),
    (["forecast", "predict", "m", "--horizon", "0"], "--horizon"),
    (["forecast", "compare", "d", "--train-fraction", "1.5"], "--train-fraction"),
    (["forecast", "backtest", "--folds", "0"], "--folds"),
    (["classify", "train", "--folds", "1"], "--folds"),
    (["classify", "train", "--dropout", "1"], "--dropout"),
    (["train", "--epochs", "0"], "--epochs"),
    (["train", "--epochs", "1.5"], "--epochs"),
    (["train", "--lr", "nan"], "--lr"),
    (["train", "--lr", "-0.1"], "--lr"),
    (["train", "--val-fraction", "1"], "--val-fraction"),
    (["train", "--seed", "-1"], "--seed"),
    (["train-detector", "--window", "0"], "--window"),
    (["train-detector", "--target-fpr", "1"], "--target-fpr"),
    (["train-detector", "--folds", "1"], "--folds"),
    (["train-detector", "--restarts", "0"], "--restarts"),
    (["detect", "m", "-g", "0"], "--g"),
    (["detect", "m", "--quantile", "1.5"], "--quantile"),
    (["baseline", "markov", "--order", "0"], "--order"),
    (["baseline", "markov", "--alpha", "nan"], "--alpha"),
    (["parse", "x", "--similarity", "2"], "--similarity"),
    (["text", "train", "--minutes", "-1"], "--minutes"),
    (["tune", "--trials", "0"], "--trials"),
    (["reference", "generate", "m", "--length", "0"], "--length"),
    (["reference", "vanishing", "--steps", "1"], "--steps"),
    (["demo", "--epochs", "-1"], "--epochs"),
]


@pytest.mark.parametrize(("args", "option"), BAD_VALUES, ids=lambda v: " ".join(v))
def test_bad_option_value_is_a_usage_error(args, option):
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2, res.output
    assert f"Invalid value for '{option}'" in res.output or f"'-g' / '{option}'" in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def _numeric_options():
    """Every int/float option of every verb, walked from the click tree."""
    found = []

    def walk(cmd, path):
        ctx = click.Context(cmd)
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                walk(cmd.get_command(ctx, name), [*path, name])
            return
        for p in cmd.params:
            if isinstance(p.type, click.types.IntParamType | click.types.FloatParamType):
                found.append((" ".join(path), p.opts[-1], p.type))

    walk(cli, [])
    return found


def test_every_numeric_option_has_a_range():
    """No plain int/float option is left: each says which numbers it takes."""
    options = _numeric_options()
    assert len(options) > 100
    loose = [
        f"{verb} {opt}"
        for verb, opt, kind in options
        if not isinstance(kind, click.IntRange | click.FloatRange)
    ]
    assert loose == []
    for _, _, kind in options:
        if isinstance(kind, click.FloatRange):  # every float option refuses nan and inf
            for text in ("nan", "inf"):
                with pytest.raises(click.BadParameter):
                    kind.convert(text, None, None)


def test_data_errors_exit_1_with_file_and_line(tmp_path):
    bad = tmp_path / "train.txt"
    bad.write_text("1 2 3\n4 x 6\n")
    res = CliRunner().invoke(
        cli, ["baseline", "markov", "--train", str(bad), "--out", str(tmp_path / "m.st")]
    )
    assert res.exit_code == 1
    assert res.output == f"Error: {bad}:2: 'x' is not an integer id\n"


def test_a_missing_model_exits_1(tmp_path):
    res = CliRunner().invoke(cli, ["generate", str(tmp_path / "none.safetensors")])
    assert res.exit_code == 1
    assert res.output.startswith("Error: ") and "Traceback" not in res.output


# --- the library refuses the same values for API users ---------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"temperature": -1.0}, "temperature must be a finite number >= 0, got -1.0"),
        ({"temperature": float("nan")}, "temperature must be a finite number >= 0, got nan"),
        ({"top_k": 0}, "top_k must be positive, got 0"),
        ({"top_p": 2.0}, "top_p must be in (0, 1], got 2.0"),
        ({"top_p": float("nan")}, "top_p must be in (0, 1], got nan"),
        ({"length": -5}, "length must be >= 0 and num_samples >= 1, got -5 and 1"),
    ],
)
def test_generate_refuses_bad_sampling_settings(kwargs, message):
    from seqrnn.data.vocab import Vocabulary
    from seqrnn.generation import generate
    from seqrnn.models.markov import MarkovModel

    vocab = Vocabulary.build([["a", "b"]])
    model = MarkovModel.fit([vocab.encode(["a", "b", "a"])], vocab, 1, 1.0)
    args = {"length": 3, **kwargs}
    with pytest.raises(ConfigError) as err:
        generate(model, np.zeros(0, dtype=np.int64), **args)
    assert str(err.value) == message


def test_summarize_refuses_top_k_below_1():
    from seqrnn.evaluation.metrics import summarize

    with pytest.raises(ConfigError, match="top-k must be a positive integer, got -3"):
        summarize(None, -3)  # type: ignore[arg-type]


def test_forecast_from_refuses_horizon_below_1():
    from seqrnn.forecast.evaluation import forecast_from
    from seqrnn.forecast.readers import Series

    with pytest.raises(ConfigError, match="horizon must be a positive integer, got 0"):
        forecast_from(None, Series(np.arange(5.0)), 5, 0)  # type: ignore[arg-type]


def test_window_nll_refuses_window_below_1():
    from seqrnn.textgen.evaluate import window_nll

    with pytest.raises(ConfigError, match="window must be a positive integer, got 0"):
        window_nll(None, np.arange(5), 0)  # type: ignore[arg-type]


def test_cross_validate_refuses_more_folds_than_texts():
    from seqrnn.classify.crossval import cross_validate
    from seqrnn.classify.readers import LabelledTexts
    from seqrnn.classify.workflow import config_from_dict

    data = LabelledTexts([f"text {i}" for i in range(120)], ["pos", "neg"] * 60)
    config = config_from_dict({"model": "nb"})
    with pytest.raises(ConfigError) as err:
        cross_validate(config, data, folds=500)
    assert str(err.value) == (
        "folds: 500 folds need at least 500 texts of every label; label 'pos' has 60 (of 120 texts)"
    )


@pytest.mark.parametrize(
    "args", [["train", "--no-such-option"], ["trian"], ["generate"], ["forecast", "predict"]]
)
def test_unknown_options_verbs_and_missing_arguments_exit_2(args):
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2 and res.output.splitlines()[-1].startswith("Error: ")
