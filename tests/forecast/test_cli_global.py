"""``seqrnn forecast global``: a smoke run on a tiny long-format panel, and a one-line error
for a bad file."""

from __future__ import annotations

import numpy as np
from click.testing import CliRunner

from seqrnn.cli.main import cli
from seqrnn.forecast import load_global


def _panel_csv(path, n_series=6, n=40):
    rng = np.random.default_rng(0)
    lines = ["unique_id,ds,y"]
    for s in range(n_series):
        scale = 10 ** rng.uniform(0, 3)
        for t in range(n):
            month = f"{2000 + t // 12}-{t % 12 + 1:02d}-01"
            y = scale * (3 + np.sin(2 * np.pi * t / 12 + s) + 0.1 * rng.standard_normal())
            lines.append(f"s{s},{month},{y:.4f}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_global_holdout_writes_forecasts_and_fan_chart(tmp_path):
    data = _panel_csv(tmp_path / "panel.csv")
    out = tmp_path / "out"
    args = ["forecast", "global", str(data), "--horizon", "6", "--look-back", "12"]
    args += ["--chunk", "3", "--epochs", "1", "--holdout", "--out", str(out), "--plot", "s1"]
    args += ["--save", str(tmp_path / "net.safetensors")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "chosen:" in result.output and "theta" in result.output
    lines = (out / "forecasts.csv").read_text().splitlines()
    assert lines[0].startswith("unique_id,step,method,forecast,q0.025")
    assert len(lines) == 1 + 6 * 6
    assert (out / "fan_charts.png").stat().st_size > 0
    assert load_global(tmp_path / "net.safetensors").config.horizon == 6


def test_global_bad_file_one_line_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("unique_id,ds,y\na,2020-01-01,1\na,2020-02-01,oops\n")
    result = CliRunner().invoke(cli, ["forecast", "global", str(bad), "--horizon", "2"])
    assert result.exit_code == 1
    assert "bad.csv:3: series a: value 'oops' is not a number" in result.output
