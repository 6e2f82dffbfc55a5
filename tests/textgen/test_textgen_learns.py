"""The language model learns a short repeated text and writes it back; the run folder holds
a model that every next-symbol verb loads."""

from __future__ import annotations

import numpy as np
import pytest

from seqrnn.generation import generate
from seqrnn.models.registry import load_next_symbol_model
from seqrnn.textgen.model import TextModel
from seqrnn.textgen.workflow import text_config_from_dict, train_text

PHRASE = "the quick brown fox jumps over the lazy dog. "


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("text")
    (folder / "phrase.txt").write_text(PHRASE * 60)
    config = text_config_from_dict(
        {
            "data": {"train": str(folder / "phrase.txt"), "seq_len": 32, "val_fraction": 0.1},
            "model": {"embedding_dim": 16, "encoder": {"hidden_size": 64, "num_layers": 1}},
            "train": {
                "epochs": 12,
                "batch_size": 8,
                "learning_rate": 0.02,
                "seed": 0,
                "precision": "fp32",
            },
            "runs_dir": str(folder / "runs"),
            "name": "phrase",
        }
    )
    return train_text(config)


def test_learns_the_text(trained) -> None:
    assert trained.scores is not None
    assert trained.scores.full_context_bits < 0.05  # near certain of every next character
    assert trained.history[-1]["val_accuracy"] > 0.98


def test_reproduces_the_text_greedily(trained) -> None:
    m = trained.model
    out = generate(m, m.encode("the quick"), 2 * len(PHRASE), temperature=0.0)[0]
    assert ("the quick" + m.decode(out)).startswith((PHRASE * 3)[: 9 + 2 * len(PHRASE)])


def test_registry_loads_the_text_model(trained) -> None:
    m = load_next_symbol_model(trained.run_dir)
    assert isinstance(m, TextModel) and m.level == "char"
    assert m.vocab == trained.model.vocab
    ids = m.encode("the lazy dog")
    assert np.allclose(m.sequence_log_probs(ids), trained.model.sequence_log_probs(ids))


def test_cli_generate_streams_characters_without_spaces(trained) -> None:
    from click.testing import CliRunner

    from seqrnn.cli.main import cli

    args = ["generate", str(trained.run_dir), "--prime", "the quick", "--temperature", "0"]
    res = CliRunner().invoke(cli, [*args, "--length", str(len(PHRASE))])
    assert res.exit_code == 0, res.output
    assert res.output == (PHRASE * 2)[: 9 + len(PHRASE)] + "\n"
    res = CliRunner().invoke(cli, [*args, "--length", "20", "--num-samples", "2", "--no-stream"])
    assert res.output.count("--- sample") == 2 and res.output.count("the quick brown") == 2


def test_cli_train_and_evaluate(tmp_path, trained) -> None:
    from click.testing import CliRunner

    from seqrnn.cli.main import cli

    text = tmp_path / "t.txt"
    text.write_text(PHRASE * 20)
    res = CliRunner().invoke(
        cli,
        ["text", "train", "--train", str(text), "--hidden", "16", "--layers", "1",
         "--epochs", "1", "--batch-size", "4", "--seq-len", "16", "--precision", "fp32",
         "--runs-dir", str(tmp_path), "--name", "cli", "--no-progress"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "held-out" in res.output and "bits/char" in res.output and "--- sample" in res.output
    res = CliRunner().invoke(cli, ["text", "evaluate", str(trained.run_dir), str(text), "--json"])
    assert res.exit_code == 0, res.output
    assert '"full_context_bits"' in res.output
    res = CliRunner().invoke(cli, ["text", "evaluate", str(trained.run_dir), str(tmp_path / "no")])
    assert res.exit_code == 1 and "no file matches this path or glob" in res.output


def test_word_level_model_writes_words(tmp_path) -> None:
    text = tmp_path / "w.txt"
    text.write_text("The cat sat on the mat, and the dog sat on the log.\n" * 40)
    config = text_config_from_dict(
        {
            "data": {"train": str(text), "level": "word", "seq_len": 16},
            "model": {"embedding_dim": 16, "encoder": {"hidden_size": 32, "num_layers": 1}},
            "train": {"epochs": 8, "batch_size": 4, "learning_rate": 0.02, "precision": "fp32"},
            "runs_dir": str(tmp_path),
        }
    )
    result = train_text(config)
    m = load_next_symbol_model(result.run_dir)
    assert m.level == "word" and "mat" in m.vocab and result.scores.positions == 63
    assert result.scores.full_context_bits < 1.0  # bits per word
    out = m.decode(generate(m, m.encode("The cat sat on the"), 4, temperature=0.0)[0])
    assert out == "mat, and the"
