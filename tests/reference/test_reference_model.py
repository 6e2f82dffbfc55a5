"""The NumPy model is a NextSymbolModel: shared scoring, metrics, generation and the one
checkpoint format work on it unchanged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from seqrnn.cli.main import cli
from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import CheckpointError
from seqrnn.evaluation.metrics import summarize
from seqrnn.evaluation.scoring import score_sequences
from seqrnn.generation import generate
from seqrnn.io.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from seqrnn.models.base import NextSymbolModel
from seqrnn.models.registry import load_next_symbol_model
from seqrnn.reference.model import ReferenceNextSymbolModel, load_model, save_model
from seqrnn.reference.network import Network


@pytest.fixture
def model() -> ReferenceNextSymbolModel:
    vocab = Vocabulary([str(i) for i in range(2, 8)])  # 8 ids with PAD and UNK
    return ReferenceNextSymbolModel(Network("lstm", len(vocab), 5, seed=3), vocab, 6, "ids")


def test_next_log_probs_are_normalised_float32(model: ReferenceNextSymbolModel) -> None:
    contexts = torch.tensor([[0, 0, 0, 2, 3, 4], [5, 6, 7, 2, 3, 4]])
    logp = model.next_log_probs(contexts)
    assert logp.shape == (2, 8) and logp.dtype == torch.float32
    assert torch.allclose(logp.exp().sum(1), torch.ones(2), atol=1e-6)


def test_carried_scoring_equals_padded_windows_while_the_window_holds_the_history(
    model: ReferenceNextSymbolModel,
) -> None:
    """PAD resets the state, so [PAD..PAD, x_0..x_j] reads like the carried [PAD, x_0..x_j]."""
    ids = np.array([2, 3, 4, 5, 6, 7, 2, 3, 4, 5])
    carried = model.sequence_log_probs(ids)  # [N, V], one pass
    windowed = NextSymbolModel.sequence_log_probs(model, ids)  # padded windows of L = 6
    assert carried.shape == windowed.shape == (10, 8)
    assert torch.allclose(carried[:6], windowed[:6], atol=1e-6)  # history <= L - 1 + PAD
    assert not torch.allclose(carried[7:], windowed[7:], atol=1e-6)  # history cut off


def test_shared_scoring_metrics_and_generation_run_unchanged(
    model: ReferenceNextSymbolModel,
) -> None:
    seqs = [np.array([2, 3, 4, 5, 6]), np.array([7, 6, 5])]
    scores = score_sequences(model, seqs)
    assert len(scores) == 8
    metrics = summarize(scores)
    assert metrics.cross_entropy == pytest.approx(float(np.mean(scores.nll)))
    assert metrics.cross_entropy < 3.0  # log(8) = 2.08 would be uniform; random weights
    out = generate(model, np.array([2, 3]), 12, temperature=1.0, num_samples=3, seed=0)
    assert out.shape == (3, 12) and out.min() >= 2  # PAD and UNK are never drawn
    assert (generate(model, np.array([2, 3]), 12, num_samples=3, seed=0) == out).all()


def test_checkpoint_round_trip_through_the_registry(
    model: ReferenceNextSymbolModel, tmp_path: Path
) -> None:
    path = save_model(tmp_path / "ref.safetensors", model)
    assert load_checkpoint(path).meta["kind"] == "numpy_reference"
    loaded = load_next_symbol_model(path)  # the generic loader every CLI verb uses
    assert isinstance(loaded, ReferenceNextSymbolModel)
    assert loaded.vocab == model.vocab and loaded.context_length == 6
    for name, value in model.network.params.items():
        assert np.array_equal(loaded.network.params[name], value)  # float64, bit for bit
    ctx = torch.tensor([[0, 2, 3, 4, 5, 6]])
    assert torch.equal(loaded.next_log_probs(ctx), model.next_log_probs(ctx))


def test_another_kind_is_refused(tmp_path: Path, model: ReferenceNextSymbolModel) -> None:
    path = save_model(tmp_path / "ref.safetensors", model)
    ckpt = load_checkpoint(path)
    save_checkpoint(tmp_path / "other.safetensors", Checkpoint(ckpt.tensors, {"kind": "markov"}))
    with pytest.raises(CheckpointError, match=r"holds a Markov chain \(made by `seqrnn baseline"):
        load_model(tmp_path / "other.safetensors")


def test_cli_train_generate_gradcheck_counts(tmp_path: Path) -> None:
    text = tmp_path / "t.txt"
    text.write_text("abcabcabd " * 30, encoding="utf-8")
    out = tmp_path / "m.safetensors"
    runner = CliRunner()
    args = ["reference", "train", str(text), "--hidden", "16", "--epochs", "15"]
    args += ["--batch-size", "4", "--seq-length", "10", "--out", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and out.exists()
    result = runner.invoke(cli, ["reference", "generate", str(out), "--prime", "ab", "--seed", "1"])
    assert result.exit_code == 0 and result.output.startswith("ab")
    result = runner.invoke(cli, ["reference", "gradcheck", "--cell", "rnn"])
    assert result.exit_code == 0 and "pass at 1e-6" in result.output
    result = runner.invoke(cli, ["reference", "counts", "--classes", "30", "--hidden", "8"])
    assert result.exit_code == 0 and "MISMATCH" not in result.output
    result = runner.invoke(cli, ["reference", "train", str(tmp_path / "nope.txt"), "--out", "x"])
    assert result.exit_code == 1 and "no file matches this path or glob" in result.output


def test_generic_evaluate_verb_reads_a_reference_model(tmp_path: Path) -> None:
    """Trained on sessions, the NumPy model goes through ``seqrnn evaluate`` like any model."""
    from seqrnn.reference.train import ReferenceTrainConfig
    from seqrnn.reference.workflow import read_symbols, train_model

    data = tmp_path / "s.txt"
    data.write_text("5 6 7 8 5 6\n5 6 7 8\n9 5 6 7\n" * 10, encoding="utf-8")
    config = ReferenceTrainConfig(hidden_size=8, epochs=2, batch_size=4, window=5)
    model, _ = train_model(read_symbols(data, "sessions"), config, "sessions")
    path = save_model(tmp_path / "m.safetensors", model)
    result = CliRunner().invoke(cli, ["evaluate", str(path), str(data)])
    assert result.exit_code == 0, result.output
    assert "positions: 140" in result.output
