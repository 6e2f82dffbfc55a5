"""A model of the wrong kind: every loader says what the file holds, what made it, and what
the verb needs (exit 1, one line), instead of a KeyError or a message about missing labels."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from seqrnn.cli.main import cli
from seqrnn.errors import CheckpointError
from seqrnn.models.kinds import KINDS, check_kind, describe_kind

TEXT = "a text language model (made by `seqrnn text train`)"
FORECAST = "a forecasting model (made by `seqrnn forecast train`)"
MARKOV = "a Markov chain (made by `seqrnn baseline markov`)"
CLASSIFIER = (
    "a text classifier (made by `seqrnn classify train`) or a bag-of-words text classifier "
    "(made by `seqrnn classify train --model nb` or `--model logreg`)"
)
NEXT_SYMBOL = "a next-symbol network (made by `seqrnn train` or `seqrnn train-detector`)"
KEY_MODEL = (
    "a next-key model (made by `seqrnn train-detector`, `seqrnn train`, `seqrnn baseline` or "
    "`seqrnn reference train`)"
)
ANY_NEXT_SYMBOL = (
    "a next-symbol model (made by `seqrnn train`, `seqrnn train-detector`, `seqrnn text train`, "
    "`seqrnn baseline` or `seqrnn reference train`)"
)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """One tiny model of each kind the cases need: Markov file, text, forecast, classifier."""
    tmp = tmp_path_factory.mktemp("kinds")
    sessions = tmp / "s.txt"
    sessions.write_text("5 5 22 11 9\n22 5 11 9 26\n" * 5)
    text = tmp / "t.txt"
    text.write_text("the cat sat on the mat. " * 20)
    series = tmp / "f.csv"
    series.write_text(
        "Month,v\n" + "".join(f"19{50 + i // 12}-{i % 12 + 1:02d},{i % 7}\n" for i in range(48))
    )
    pos, neg = tmp / "good.txt", tmp / "bad.txt"
    pos.write_text("great film\nlovely acting\n")
    neg.write_text("awful film\nboring acting\n")
    small = ["--hidden", 4, "--layers", 1, "--epochs", 1, "--runs-dir", tmp]
    commands = [
        ["baseline", "markov", "--train", sessions, "--out", tmp / "markov.safetensors"],
        ["text", "train", "--train", text, "--seq-len", 8, *small, "--name", "text"],
        [
            "forecast",
            "train",
            "--data",
            series,
            "--look-back",
            3,
            "--season",
            12,
            *small,
            "--name",
            "forecast",
        ],
        ["classify", "train", "--train", pos, "--train", neg, "--model", "nb", "--val-fraction"],
    ]
    commands[-1] += [0, "--runs-dir", tmp, "--name", "classifier"]
    for args in commands:
        res = run(*args, *(["--no-progress"] if args[0] == "text" else []))
        assert res.exit_code == 0, res.output
    return {
        "markov": tmp / "markov.safetensors",
        "text": tmp / "text",
        "forecast": tmp / "forecast",
        "classifier": tmp / "classifier",
        "sessions": sessions,
        "text_file": text,
        "labelled": [pos, neg],
    }


def _checkpoint(folder):
    """The file the loaders read in a run folder (best, else model)."""
    for name in ("best.safetensors", "model.safetensors"):
        if (folder / name).exists():
            return folder / name
    return folder


def test_detect_refuses_a_character_model(models, tmp_path):
    res = run("detect", models["text"], models["sessions"], "--out", tmp_path / "o")
    assert res.exit_code == 1
    assert res.output == (
        f"Error: {_checkpoint(models['text'])} holds {TEXT}; `seqrnn detect` needs {KEY_MODEL}\n"
    )


@pytest.mark.parametrize("verb", ["predict", "evaluate"])
def test_classify_refuses_a_forecast_run(models, verb):
    data = [models["text_file"]] if verb == "predict" else models["labelled"]
    res = run("classify", verb, models["forecast"], *data)
    assert res.exit_code == 1
    assert res.output == (
        f"Error: {_checkpoint(models['forecast'])} holds {FORECAST}; `seqrnn classify` needs "
        f"{CLASSIFIER}\n"
    )


def test_train_resume_refuses_a_forecast_run(models):
    res = run("train", "--resume", models["forecast"])
    assert res.exit_code == 1
    assert res.output == (
        f"Error: {_checkpoint(models['forecast'])} holds {FORECAST}; `seqrnn train --resume` "
        f"needs {NEXT_SYMBOL}\n"
    )


def test_forecast_refuses_a_classifier(models):
    res = run("forecast", "predict", models["classifier"])
    assert res.exit_code == 1
    assert res.output == (
        f"Error: {_checkpoint(models['classifier'])} holds a bag-of-words text classifier (made "
        "by `seqrnn classify train --model nb` or `--model logreg`); `seqrnn forecast` needs "
        f"{FORECAST}\n"
    )


def test_generate_refuses_a_forecast_run(models):
    res = run("generate", models["forecast"])
    assert res.exit_code == 1
    assert res.output == (
        f"Error: {_checkpoint(models['forecast'])} holds {FORECAST}; `seqrnn generate` needs "
        f"{ANY_NEXT_SYMBOL}\n"
    )


def test_text_evaluate_refuses_a_markov_chain(models):
    res = run("text", "evaluate", models["markov"], models["text_file"])
    assert res.exit_code == 1
    assert res.output == f"Error: {models['markov']} holds {MARKOV}; `seqrnn text` needs {TEXT}\n"


def test_every_kind_is_described_and_unknown_kinds_by_name(tmp_path):
    for kind in KINDS:
        assert describe_kind(kind).startswith("a") and "(made by `seqrnn " in describe_kind(kind)
    with pytest.raises(CheckpointError) as err:
        check_kind(tmp_path / "m.safetensors", "mystery", ["forecast"], "`seqrnn forecast`")
    assert str(err.value) == (
        f"{tmp_path / 'm.safetensors'} holds a model of unknown kind 'mystery'; "
        f"`seqrnn forecast` needs {FORECAST}"
    )
