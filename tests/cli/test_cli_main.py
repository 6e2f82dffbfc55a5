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
