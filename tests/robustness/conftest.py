"""Shared pieces of the hostile-input tests: run a verb, expect one clean error line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from seqrnn.cli.main import cli
from seqrnn.data.samples import sample_path


def _run_cli(args: list[str], **kw) -> Result:
    """``seqrnn ARGS`` in-process; exceptions are caught, so a traceback shows as one."""
    return CliRunner().invoke(cli, [str(a) for a in args], **kw)


def _one_line_error(result: Result, *needles: str) -> str:
    """Exit 1 or 2 through click (no escaped exception), one ``Error:`` line holding
    every needle; returns that line."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"escaped {type(result.exception).__name__}: {result.exception}\n{result.output}"
    )
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


@pytest.fixture(scope="session")
def markov_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Markov baseline fitted on the bundled HDFS sessions (a real, valid model file)."""
    out = tmp_path_factory.mktemp("markov") / "m.safetensors"
    train = sample_path("hdfs", "train_normal.txt")
    result = _run_cli(["baseline", "markov", "--train", train, "--out", out])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def run_cli():
    """``run_cli(args, input=...)``: the CLI result (see :func:`_run_cli`)."""
    return _run_cli


@pytest.fixture
def one_line_error():
    """``one_line_error(result, *needles)``: assert a single clean error line."""
    return _one_line_error
