"""Run the app under uvicorn: loopback by default, graceful shutdown on SIGTERM / Ctrl-C.

On SIGTERM uvicorn stops accepting connections, lets the requests in flight finish (up to
``drain_s`` seconds), then runs the app's shutdown, which empties the batching queues; so an
accepted request is answered before the process exits.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def serve(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 8000,
    drain_s: float = 30.0,
    log_level: str = "warning",
) -> None:
    """Serve ``app`` until SIGTERM or SIGINT, then drain and return."""
    import uvicorn

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        timeout_graceful_shutdown=drain_s,
        access_log=False,
        server_header=False,
    )
    server = uvicorn.Server(config)
    logger.info("serving on http://%s:%d", host, port)
    server.run()
