"""CLI verb ``seqrnn parse``: raw log lines -> drain3 templates and keys -> sessions."""

from __future__ import annotations

import click

from seqrnn.anomaly.parse import HDFS_HEADER, ParseConfig, default_state, parse_lines, write_parsed
from seqrnn.cli.common import friendly_errors, setup_logging
from seqrnn.cli.types import POSITIVE_INT, UNIT
from seqrnn.data.readers import expand_glob


@click.command("parse")
@click.argument("logs", nargs=-1, required=True)
@click.option("--out", required=True, type=click.Path(file_okay=False))
@click.option(
    "--header",
    default=None,
    help=f"Loghub line format, e.g. '{HDFS_HEADER}' (default: whole line).",
)
@click.option("--session-regex", default=None, help=r"Group lines by identifier, e.g. 'blk_-?\d+'.")
@click.option("--window-lines", type=POSITIVE_INT, help="Or: sessions of this many lines...")
@click.option(
    "--step-lines", type=POSITIVE_INT, help="...every this many lines (default: no overlap)."
)
@click.option("--state", default=None, help="drain3 state file (default OUT/drain3_state.json).")
@click.option(
    "--similarity", type=UNIT, default=0.5, show_default=True, help="drain3 similarity threshold."
)
@click.option("-v", "--verbose", is_flag=True)
@friendly_errors
def parse_cmd(
    logs, out, header, session_regex, window_lines, step_lines, state, similarity, verbose
):
    """Raw log lines -> drain3 templates and keys -> sessions (one per line) in OUT."""
    setup_logging(verbose)
    config = ParseConfig(
        header=header,
        session_regex=session_regex,
        window_lines=window_lines,
        step_lines=step_lines,
        state=state or default_state(out),
        similarity=similarity,
    )
    files = [f for pattern in logs for f in expand_glob(pattern)]

    def lines():
        for f in files:
            with open(f, encoding="utf-8", errors="replace", newline="") as fh:
                yield from (line.rstrip("\r\n") for line in fh)

    parsed = parse_lines(lines(), config)
    paths = write_parsed(out, parsed)
    click.echo(
        f"{len(parsed.line_keys):,} lines, {len(parsed.templates)} templates, "
        f"{len(parsed.sessions):,} sessions, {len(parsed.unassigned):,} unassigned lines"
    )
    for p in [*paths, config.state]:
        click.echo(f"wrote {p}")


def register(group: click.Group) -> None:
    """Add this module's verb to the top-level group."""
    group.add_command(parse_cmd)
