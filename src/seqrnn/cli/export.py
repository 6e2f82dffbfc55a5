"""CLI verb ``export``: a trained next-symbol network as ONNX (extra ``onnx``)."""

from __future__ import annotations

import click

from seqrnn.cli.common import friendly_errors, setup_logging


@click.command("export")
@click.argument("run")
@click.option("--format", "fmt", type=click.Choice(["onnx"]), default="onnx", show_default=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="model.onnx")
@click.option("--no-step", is_flag=True, help="Do not write the single-step streaming model.")
@click.option("-v", "--verbose", is_flag=True)
@friendly_errors
def export_cmd(run, fmt, out, no_step, verbose):
    """Write RUN's network as ONNX (scoring model, and OUT.step.onnx for streaming)."""
    setup_logging(verbose)
    try:
        import onnx  # noqa: F401

        from seqrnn.export.onnx import export_onnx
    except ImportError as exc:
        raise click.ClickException(
            f"seqrnn export needs the 'onnx' extra (pip install 'seqrnn[onnx]'): {exc}"
        ) from None
    from seqrnn.serve.backends import load_network

    net, meta = load_network(run)
    for path in export_onnx(net, meta, out, step=not no_step):
        click.echo(f"wrote {path}")


def register(group: click.Group) -> None:
    """Add this module's verbs to the top-level group."""
    group.add_command(export_cmd)
