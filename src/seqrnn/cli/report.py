"""``seqrnn report RUN [RUN ...] --out report.html``: one self-contained HTML report."""

from __future__ import annotations

import click

from seqrnn.cli.common import friendly_errors, setup_logging, use_threads
from seqrnn.cli.types import POSITIVE_INT


@click.command("report")
@click.argument("runs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False), help="The HTML file to write."
)
@click.option(
    "--detect",
    type=click.Path(exists=True, file_okay=False),
    help="A `seqrnn detect --out` folder shown with the first run (default: RUN/detect*/).",
)
@click.option(
    "--threads",
    type=POSITIVE_INT,
    default=1,
    show_default=True,
    help="CPU threads for PyTorch (samples are drawn one symbol at a time: one is fastest).",
)
@click.option("-v", "--verbose", is_flag=True)
@friendly_errors
def report_cmd(runs, out, detect, threads, verbose):
    """One HTML file (opens offline) with each run's config, metrics, learning curves and
    task figures; with several runs, a comparison of configs, metrics and curves."""
    from seqrnn.report.build import write_report

    setup_logging(verbose)
    use_threads(threads)
    path = write_report(runs, out, detect)
    click.echo(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


def register(group: click.Group) -> None:
    """Add ``report`` to the top-level group."""
    group.add_command(report_cmd)
