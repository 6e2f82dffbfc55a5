"""Entry point: ``seqrnn VERB ...``. Each verb group lives in its own module.

Verb modules are imported only when their verb runs (``LazyGroup``): ``seqrnn train`` does
not pay for importing Optuna, drain3 or scikit-learn, and ``torchrun -m seqrnn`` starts its
workers faster.
"""

from __future__ import annotations

import difflib
import importlib

import click

from seqrnn import __version__

#: verb -> the cli module whose ``register(group)`` defines it
VERBS: dict[str, str] = {
    "train": "next_symbol",
    "evaluate": "next_symbol",
    "predict": "next_symbol",
    "generate": "next_symbol",
    "score": "next_symbol",
    "summary": "next_symbol",
    "demo": "demo",
    "detect": "anomaly",
    "parse": "parse",
    "baseline": "anomaly",
    "train-detector": "anomaly",
    "forecast": "forecast",
    "classify": "classify",
    "text": "textgen",
    "reference": "reference",
    "tune": "tune",
    "report": "report",
    "runs": "runs",
    "serve": "serve",
    "export": "export",
}


class LazyGroup(click.Group):
    """A click group that imports a verb's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(VERBS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in VERBS:
            return None
        if cmd_name not in self.commands:
            module = importlib.import_module(f"seqrnn.cli.{VERBS[cmd_name]}")
            scratch = click.Group()
            module.register(scratch)
            self.commands.update(scratch.commands)
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in VERBS:
            near = difflib.get_close_matches(name, list(VERBS), n=1)
            hint = f" Did you mean {near[0]!r}?" if near else ""
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="seqrnn")
def cli() -> None:
    """seqrnn: recurrent neural networks for sequences (next-symbol prediction, log anomaly
    detection, forecasting, classification, text generation)."""


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="seqrnn")


if __name__ == "__main__":
    main()
