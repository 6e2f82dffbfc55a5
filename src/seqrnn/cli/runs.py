"""``seqrnn runs [DIR]``: a table of the runs in a folder."""

from __future__ import annotations

import click

from seqrnn.cli.common import friendly_errors
from seqrnn.errors import SeqrnnError


@click.command("runs")
@click.argument("folder", default="runs", type=click.Path(file_okay=False))
@click.option("--sort", "metric", help="Sort by this metric, best first (e.g. val_loss).")
@click.option("--reverse", is_flag=True, help="Reverse the order.")
@friendly_errors
def runs_cmd(folder, metric, reverse):
    """List the runs in FOLDER (default: runs): name, kind, date, key metric, best epoch."""
    from seqrnn.report.runs import list_runs, sort_runs

    rows = list_runs(folder)
    if metric:
        try:
            rows = sort_runs(rows, metric, reverse)
        except SeqrnnError as exc:
            raise click.BadParameter(str(exc), param_hint="--sort") from None
    elif reverse:
        rows = rows[::-1]
    if not rows:
        click.echo(f"no runs in {folder}")
        return
    table = [["name", "kind", "date", "metric", "value", "best epoch"]]
    if metric:
        table[0].append(metric)
    for r in rows:
        line = [
            r.name,
            r.kind,
            r.created.strftime("%Y-%m-%d %H:%M") if r.created else "",
            r.metric,
            "" if r.value is None else f"{r.value:.4g}",
            "" if r.best_epoch is None else str(r.best_epoch),
        ]
        if metric:
            value = r.metrics.get(metric)
            line.append("" if value is None else f"{value:.4g}")
        table.append(line)
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def register(group: click.Group) -> None:
    """Add ``runs`` to the top-level group."""
    group.add_command(runs_cmd)
