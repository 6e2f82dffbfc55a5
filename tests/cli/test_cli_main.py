"""The top-level ``seqrnn`` group: ``--help`` lists every verb without importing verb modules."""

from __future__ import annotations

import subprocess
import sys

import click
from click.testing import CliRunner

from seqrnn.cli.main import VERBS, cli


def test_help_lists_every_verb_without_importing_verb_modules() -> None:
    code = (
        "import sys\n"
        "from seqrnn.cli.main import cli\n"
        "try:\n"
        "    cli(['--help'], prog_name='seqrnn')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in sys.modules if m in ('torch', 'sklearn', 'optuna', 'drain3')"
        " or m.startswith('seqrnn.cli.') and m not in ('seqrnn.cli.main',))\n"
        "print('IMPORTED', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "IMPORTED []" in out.stdout
    for verb in VERBS:
        assert f"  {verb} " in out.stdout


def test_each_summary_is_the_first_sentence_of_the_commands_help() -> None:
    ctx = click.Context(cli)
    for verb, (_, summary) in VERBS.items():
        command = cli.get_command(ctx, verb)
        assert command is not None, verb
        first = " ".join((command.help or "").split())
        assert first.startswith(summary.rstrip(".")), (verb, summary, first[:120])


def test_unknown_verb_suggests_the_nearest() -> None:
    result = CliRunner().invoke(cli, ["trian"])
    assert result.exit_code == 2
    assert "Did you mean 'train'?" in result.output


def test_parse_imports_no_torch(tmp_path) -> None:
    """``seqrnn parse`` reads logs with drain3; the packages it imports load their other
    modules (and PyTorch) only on first use (seqrnn.lazy)."""
    log = tmp_path / "app.log"
    log.write_text(
        "".join(f"081109 2035{i:02d} 143 INFO dfs.DataNode: got blk_{i % 3}\n" for i in range(9))
    )
    code = (
        "import sys\n"
        "from seqrnn.cli.main import cli\n"
        f"args = ['parse', {str(log)!r}, '--out', {str(tmp_path / 'out')!r},"
        " '--session-regex', 'blk_-?\\\\d+',"
        " '--header', '<Date> <Time> <Pid> <Level> <Component>: <Content>']\n"
        "try:\n"
        "    cli(args, prog_name='seqrnn')\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print('TORCH', 'torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "TORCH False" in out.stdout
    assert (tmp_path / "out" / "sessions.txt").read_text().count("\n") == 3
