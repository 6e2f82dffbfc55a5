"""CLI verb ``serve``: an HTTP scoring service for a run (extra ``serve``)."""

from __future__ import annotations

from pathlib import Path

import click

from seqrnn.cli.common import friendly_errors, setup_logging, use_threads
from seqrnn.cli.types import NON_NEGATIVE, NON_NEGATIVE_INT, POSITIVE, POSITIVE_INT


@click.command("serve")
@click.argument("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--backend",
    type=click.Choice(["torch", "onnxruntime"]),
    default="torch",
    show_default=True,
    help="onnxruntime: RUN is a .onnx file written by seqrnn export.",
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, exists=True),
    help="File holding a bearer token required on every route but /healthz.",
)
@click.option(
    "-g", "--g", type=POSITIVE_INT, default=9, show_default=True, help="top-g detector (DeepLog)."
)
@click.option("--state", help="drain3 state file (seqrnn parse): accept raw log lines.")
@click.option("--header", help="With --state: Loghub line format of the raw lines.")
@click.option("--session-regex", help="With --state: session identifier regex.")
@click.option(
    "--max-open-sessions", type=POSITIVE_INT, default=100_000, show_default=True, help="/v1/events."
)
@click.option(
    "--cache-windows",
    type=NON_NEGATIVE_INT,
    default=100_000,
    show_default=True,
    help="Distinct windows whose scores are remembered across requests (0: none).",
)
@click.option(
    "--remember-sessions",
    type=NON_NEGATIVE_INT,
    default=20_000,
    show_default=True,
    help="Distinct sessions whose verdicts are remembered and answered at once (0: none).",
)
@click.option(
    "--max-body-mb", type=POSITIVE, default=8.0, show_default=True, help="Larger bodies get 413."
)
@click.option(
    "--max-sessions", type=POSITIVE_INT, default=10_000, show_default=True, help="Per request."
)
@click.option(
    "--batch-window-ms",
    type=NON_NEGATIVE,
    default=0.5,
    show_default=True,
    help="How long a request alone in the batching queue waits for company (0: none).",
)
@click.option(
    "--threads", type=POSITIVE_INT, help="Threads of the forward pass (default: torch's)."
)
@click.option("-v", "--verbose", is_flag=True)
@friendly_errors
def serve_cmd(run, host, port, backend, token_file, g, state, header, session_regex, **opts):
    """Serve RUN (detector, forecaster or classifier) over HTTP until SIGTERM / Ctrl-C.

    A forecaster is a forecast run folder (its default and intervals) or a global network
    file written by `seqrnn forecast global --save`."""
    setup_logging(opts["verbose"])
    try:
        from seqrnn.serve.app import ServeSettings, create_app
        from seqrnn.serve.backends import Runtime, load_backend
        from seqrnn.serve.schemas import Limits
        from seqrnn.serve.server import serve
    except ImportError as exc:
        raise click.ClickException(
            f"seqrnn serve needs the 'serve' extra (pip install 'seqrnn[serve]'): {exc}"
        ) from None
    from seqrnn.anomaly.detectors import Method
    from seqrnn.anomaly.parse import ParseConfig
    from seqrnn.anomaly.workflow import DetectConfig

    use_threads(opts["threads"])
    token = Path(token_file).read_text().strip() if token_file else None
    if token_file and not token:
        raise click.UsageError(f"--token-file: {token_file} is empty; expected a token")
    parse = ParseConfig(header=header, session_regex=session_regex, state=state) if state else None
    detect = DetectConfig(Method.TOP_G, g=g)
    b = load_backend(
        run,
        Runtime(backend),
        detect,
        parse,
        opts["max_open_sessions"],
        opts["cache_windows"],
        opts["remember_sessions"],
    )
    limits = Limits(
        max_body_bytes=int(opts["max_body_mb"] * (1 << 20)), max_sessions=opts["max_sessions"]
    )
    settings = ServeSettings(limits, token, opts["batch_window_ms"])
    click.echo(f"serving {b.info.kind} {b.info.description} on http://{host}:{port}", err=True)
    serve(create_app(b, settings), host, port)


def register(group: click.Group) -> None:
    """Add this module's verbs to the top-level group."""
    group.add_command(serve_cmd)
