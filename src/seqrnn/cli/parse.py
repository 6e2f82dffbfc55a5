"""CLI verb ``seqrnn parse``: raw log lines -> drain3 templates and keys -> sessions."""

from __future__ import annotations

import click

from seqrnn.anomaly.parse import (
    DEFAULT_MASK_NAMES,
    HDFS_HEADER,
    MASKS,
    ParseConfig,
    default_state,
    masks_for,
    parse_files,
    write_parsed,
)
from seqrnn.cli.common import friendly_errors, setup_logging
from seqrnn.cli.types import POSITIVE, POSITIVE_INT, UNIT
from seqrnn.data.readers import expand_glob


@click.command("parse")
@click.argument("logs", nargs=-1, required=True)
@click.option("--out", required=True, type=click.Path(file_okay=False))
@click.option(
    "--header",
    default=None,
    help=f"Loghub line format as Loghub writes it (regex between fields), e.g. '{HDFS_HEADER}' "
    "(default: whole line).",
)
@click.option("--session-regex", default=None, help=r"Group lines by identifier, e.g. 'blk_-?\d+'.")
@click.option("--window-lines", type=POSITIVE_INT, help="Or: sessions of this many lines...")
@click.option(
    "--step-lines", type=POSITIVE_INT, help="...every this many lines (default: no overlap)."
)
@click.option("--window-seconds", type=POSITIVE, help="Or: sessions of this many seconds...")
@click.option(
    "--step-seconds", type=POSITIVE, help="...every this many seconds (default: no overlap)."
)
@click.option(
    "--time-fields",
    help="Header fields of the time, e.g. 'Date Time' (default: Timestamp, else Date/Time...).",
)
@click.option(
    "--time-format", help="strptime format of the time fields joined by a space, 'unix' or 'iso'."
)
@click.option("--label-field", help="Header field with a per-line label, e.g. Label (BGL).")
@click.option("--normal-label", default="-", show_default=True, help="The label of normal lines.")
@click.option(
    "--mask",
    "masks",
    multiple=True,
    type=click.Choice([*MASKS, "none"]),
    default=DEFAULT_MASK_NAMES,
    show_default=True,
    help="drain3 masks applied before clustering (repeat; 'none': no named mask).",
)
@click.option("--mask-regex", multiple=True, help="A mask regex of one's own (repeat).")
@click.option("--state", default=None, help="drain3 state file (default OUT/drain3_state.json).")
@click.option(
    "--similarity", type=UNIT, default=0.5, show_default=True, help="drain3 similarity threshold."
)
@click.option("-v", "--verbose", is_flag=True)
@friendly_errors
def parse_cmd(logs, out, state, masks, mask_regex, time_fields, verbose, **opts):
    """Raw log lines -> drain3 templates and keys -> sessions (one per line) in OUT."""
    setup_logging(verbose)
    config = ParseConfig(
        masks=masks_for([m for m in masks if m != "none"], mask_regex),
        state=state or default_state(out),
        time_fields=tuple(time_fields.split()) if time_fields else None,
        **opts,
    )
    files = [f for pattern in logs for f in expand_glob(pattern)]
    parsed = parse_files(files, config)
    paths = write_parsed(out, parsed)
    click.echo(
        f"{len(parsed.line_keys):,} lines, {len(parsed.templates)} templates, "
        f"{len(parsed.sessions):,} sessions, {len(parsed.unassigned):,} unassigned lines"
        + (f", {sum(parsed.labels.values()):,} anomalous" if parsed.labels is not None else "")
    )
    for p in [*paths, config.state]:
        click.echo(f"wrote {p}")


def register(group: click.Group) -> None:
    """Add this module's verb to the top-level group."""
    group.add_command(parse_cmd)
