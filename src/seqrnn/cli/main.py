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

#: verb -> (the cli module whose ``register(group)`` defines it, the one-line summary that
#: ``seqrnn --help`` lists). The summary is kept here so that ``--help`` imports no verb module;
#: tests/cli/test_cli_main.py checks each equals the first sentence of the command's own help.
VERBS: dict[str, tuple[str, str]] = {
    "train": ("next_symbol", "Train a next-symbol model; writes a run folder and prints where."),
    "evaluate": (
        "next_symbol",
        "Cross-entropy, perplexity and top-k accuracy of MODEL (file or run folder) on DATA.",
    ),
    "predict": (
        "next_symbol",
        "The top-k next symbols after PREFIX (whitespace-separated symbols) with probabilities.",
    ),
    "generate": (
        "next_symbol",
        "Sample continuations from MODEL with temperature / top-k / top-p.",
    ),
    "score": (
        "next_symbol",
        "For every position of DATA: p(true next symbol), its rank and -log p, as CSV + plots.",
    ),
    "summary": (
        "next_symbol",
        "Each layer of MODEL with its parameter count; the total equals sum(p.numel()).",
    ),
    "demo": (
        "demo",
        "Train a DeepLog-style LSTM on bundled HDFS log-key sessions and print its evaluation.",
    ),
    "detect": (
        "anomaly",
        "Judge sessions of MODEL's keys (any next-symbol model: LSTM, Markov, Naive Bayes).",
    ),
    "parse": (
        "parse",
        "Raw log lines -> drain3 templates and keys -> sessions (one per line) in OUT.",
    ),
    "baseline": (
        "anomaly",
        "Fit a Markov chain or Naive Bayes next-key model; use it with detect like an LSTM.",
    ),
    "train-detector": (
        "anomaly",
        "Train a next-key LSTM for detection on the distinct (window, next key) rows.",
    ),
    "forecast": (
        "forecast",
        "Time-series forecasting with recurrent networks, beside naive baselines.",
    ),
    "classify": (
        "classify",
        "Text classification: recurrent networks (LSTM, GRU, BiLSTM, CNN+LSTM) and bag-of-words "
        "baselines (naive Bayes, logistic regression).",
    ),
    "text": (
        "textgen",
        "Character- and word-level language models: train, evaluate, demo (sample with ``seqrnn "
        "generate``).",
    ),
    "reference": (
        "reference",
        "The NumPy reference implementation: equations, BPTT, gradient check, experiments.",
    ),
    "tune": (
        "tune",
        "Search hyper-parameters; write best_config.json, trials.csv and plots into the study "
        "folder.",
    ),
    "report": (
        "report",
        "One HTML file (opens offline) with each run's config, metrics, learning curves and task "
        "figures.",
    ),
    "runs": (
        "runs",
        "List the runs in FOLDER (default: runs): name, kind, date, key metric, best epoch.",
    ),
    "serve": (
        "serve",
        "Serve RUN (detector, forecaster or classifier) over HTTP until SIGTERM / Ctrl-C.",
    ),
    "export": (
        "export",
        "Write RUN's network as ONNX (scoring model, and OUT.step.onnx for streaming).",
    ),
}


class LazyGroup(click.Group):
    """A click group that imports a verb's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(VERBS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in VERBS:
            return None
        if cmd_name not in self.commands:
            module = importlib.import_module(f"seqrnn.cli.{VERBS[cmd_name][0]}")
            scratch = click.Group()
            module.register(scratch)
            self.commands.update(scratch.commands)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the verbs from :data:`VERBS` without importing their modules."""
        limit = formatter.width - 6 - max(len(verb) for verb in VERBS)
        rows = [(verb, _shorten(summary, limit)) for verb, (_, summary) in VERBS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in VERBS:
            near = difflib.get_close_matches(name, list(VERBS), n=1)
            hint = f" Did you mean {near[0]!r}?" if near else ""
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)


def _shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, as click shortens."""
    if len(text) <= limit:
        return text
    return text[: limit - 3].rsplit(" ", 1)[0] + "..."


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
