"""Entry point: ``seqrnn VERB ...``. Each verb group lives in its own module."""

from __future__ import annotations

import click

from seqrnn import __version__
from seqrnn.cli import anomaly, classify, demo, forecast, next_symbol, reference, textgen, tune


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="seqrnn")
def cli() -> None:
    """seqrnn: recurrent neural networks for sequences (next-symbol prediction, log anomaly
    detection, forecasting, classification, text generation)."""


next_symbol.register(cli)
demo.register(cli)
# Task groups register themselves below, one line each.
classify.register(cli)
anomaly.register(cli)
forecast.register(cli)
reference.register(cli)
textgen.register(cli)
tune.register(cli)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="seqrnn")


if __name__ == "__main__":
    main()
