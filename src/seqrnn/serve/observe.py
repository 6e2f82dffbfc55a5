"""The service's outer layer, as plain ASGI: bearer token, metrics, and no request that can
end the process.

A pure ASGI middleware rather than ``@app.middleware("http")``: Starlette's
``BaseHTTPMiddleware`` runs every request through an anyio task group and memory streams,
which cost more CPU than the rest of a one-session request together. Here a request costs
a closure and a few counter updates::

    uvicorn -> BodyLimit -> Observe -> FastAPI (routes, validation errors) -> backend
                            token? -> 401
                            exception -> 500 (logged), client gone -> 499 (logged)
                            always -> metrics (route, status, latency)
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Sequence
from typing import Any

import orjson
from starlette.requests import ClientDisconnect

from seqrnn.serve.limits import BodyTooLarge
from seqrnn.serve.metrics import ServiceMetrics

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
UNAUTHORISED = {"error": "Authorization: a valid bearer token is required"}


async def send_json(
    send: Any, status: int, content: Any, headers: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    """Answer ``content`` as JSON with ``status`` (a whole response in two ASGI messages)."""
    body = orjson.dumps(content)
    head = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *headers,
    ]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})


class Observe:
    """Wrap an ASGI app: token check, per-request metrics, exceptions answered 500."""

    def __init__(self, app: Any, metrics: ServiceMetrics, routes: set[str], token: str | None):
        self.app = app
        self.metrics = metrics
        self.routes = routes  # label values: anything else is "other" (bounded cardinality)
        self.expected = None if token is None else f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        path = scope["path"]
        status = 500  # if the request ends without an answer of ours
        started = False

        async def tracked_send(message: dict[str, Any]) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
            await send(message)

        self.metrics.begin()
        try:
            if path != "/healthz" and not self._authorised(scope):
                headers = [(b"www-authenticate", b"Bearer")]
                await send_json(tracked_send, 401, UNAUTHORISED, headers)
            else:
                await self.app(scope, receive, tracked_send)
        except BodyTooLarge:
            status = 413
            raise  # answered by the BodyLimit middleware around this one
        except ClientDisconnect:
            status = 499  # the client went away mid-body; nobody to answer
            logger.info("client left during a request to %s", path)
        except Exception as exc:  # a request must never end the process
            logger.exception("request to %s failed", path)
            if not started:
                error = {"error": f"internal error: {type(exc).__name__}"}
                await send_json(tracked_send, 500, error)
        finally:
            route = path if path in self.routes else "other"
            self.metrics.observe(route, status, time.perf_counter() - start)

    def _authorised(self, scope: Scope) -> bool:
        if self.expected is None:
            return True
        given = b""
        for name, value in scope["headers"]:
            if name == b"authorization":
                given = value
        return secrets.compare_digest(given, self.expected)
