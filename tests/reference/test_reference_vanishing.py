"""The vanishing-gradient experiment shows what it claims, and draws its PNG."""

from __future__ import annotations

from pathlib import Path

from seqrnn.reference.vanishing import VanishingConfig, plot_vanishing, vanishing_experiment

SMALL = VanishingConfig(steps=40, hidden_size=16, batch=16, seeds=2)


def test_plain_rnn_gradient_vanishes_and_open_keep_gate_preserves_it(tmp_path: Path) -> None:
    results = vanishing_experiment(config=SMALL)
    rnn = results["plain RNN (PyTorch init)"]
    lstm_open = results["LSTM, keep-gate bias +3"]
    assert rnn.shape == (40,)
    assert rnn[39] < 1e-8 * rnn[0]  # geometric decay: ~1e-10 of the k = 0 value
    assert lstm_open[39] > 1e-2 * lstm_open[0]  # the memory cell carries it back
    assert lstm_open[39] > 1e6 * rnn[39]
    # at PyTorch's default init the LSTM's keep gate sits near 0.5: it vanishes too
    assert results["LSTM (PyTorch init)"][39] < 1e-6 * results["LSTM (PyTorch init)"][0]

    png = plot_vanishing(results, tmp_path / "v.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
