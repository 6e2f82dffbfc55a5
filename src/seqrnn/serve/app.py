"""The HTTP service: routes for whatever kind of run it serves, limits, auth and metrics.

``create_app(backend, settings)`` builds a FastAPI app around one backend
(:mod:`seqrnn.serve.backends`). Bodies are validated by pydantic against models with this
service's limits built in (:mod:`seqrnn.serve.schemas`); every failure is a JSON answer
``{"error": "<field>: <what was expected>"}`` with a 4xx status, and an unexpected exception
is a 500 that leaves the process running.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from seqrnn.serve.backends import Backend, ClassifierBackend, DetectorBackend, SessionInput
from seqrnn.serve.batching import MicroBatcher
from seqrnn.serve.info import Kind
from seqrnn.serve.limits import BodyLimit
from seqrnn.serve.metrics import ServiceMetrics
from seqrnn.serve.observe import Observe
from seqrnn.serve.schemas import Limits, request_models

logger = logging.getLogger(__name__)

ROUTES = {
    "/healthz",
    "/metrics",
    "/v1/model",
    "/v1/sessions",
    "/v1/events",
    "/v1/forecast",
    "/v1/classify",
}


@dataclass(frozen=True)
class ServeSettings:
    """How the service behaves (the model comes separately, as a backend)."""

    limits: Limits = field(default_factory=Limits)
    token: str | None = None  # bearer token required on every route but /healthz
    batch_window_ms: float = 0.5  # how long a request alone in the batching queue waits
    max_batch_items: int = 512


class FastJSON(JSONResponse):
    """JSON rendered by orjson (several times faster than the standard library's encoder)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)


class BadRequest(Exception):
    """A request the schema let through but the service cannot answer (status and message)."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


def create_app(backend: Backend, settings: ServeSettings = ServeSettings()) -> FastAPI:
    """A FastAPI app serving ``backend``; its batchers start and stop with the app."""
    metrics = ServiceMetrics()
    models = request_models(settings.limits)
    batchers: list[MicroBatcher] = []

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for b in batchers:
            b.start()
        yield
        for b in batchers:  # uvicorn has drained the connections; finish what is queued
            await b.stop()
        logger.info(
            "stopped: %d requests answered, %d in flight; answered by route: %s",
            sum(metrics.answered.values()),
            metrics.pending,
            json.dumps(dict(sorted(metrics.answered.items()))),
        )

    # no OpenAPI pages and no FastAPI telemetry (the service has its own Prometheus metrics):
    # both cost time on every request and serve nobody here
    off = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}
    app = FastAPI(
        title="seqrnn",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        telemetry=off,
    )
    app.state.metrics = metrics
    _add_errors(app)
    _add_middleware(app, metrics, settings)

    def batcher(run: Callable, size: Callable) -> MicroBatcher:
        b = MicroBatcher(
            run,
            size,
            settings.max_batch_items,
            settings.batch_window_ms / 1000,
            on_batch=lambda n, _: metrics.batch_items.observe(n),
        )
        batchers.append(b)
        return b

    # the task's routes first: the router tries routes in order, and these are the busy ones
    if isinstance(backend, DetectorBackend):
        _detector_routes(app, backend, models, metrics, batcher)
    elif backend.kind is Kind.FORECAST:  # a single-series run or a global network
        _forecast_routes(app, backend, getattr(models, backend.request), batcher)
    elif isinstance(backend, ClassifierBackend):
        _classify_routes(app, backend, models, batcher)
    _common_routes(app, backend, metrics)
    return app


def _common_routes(app: FastAPI, backend: Backend, metrics: ServiceMetrics) -> None:
    @route(app, "/healthz", "GET")
    async def healthz(_: Request) -> FastJSON:
        return FastJSON({"status": "ok"})

    @route(app, "/v1/model", "GET")
    async def model_info(_: Request) -> FastJSON:
        info = asdict(backend.info)
        info["kind"] = str(backend.info.kind)
        return FastJSON(info)

    @route(app, "/metrics", "GET")
    async def prometheus(_: Request) -> Response:
        if isinstance(backend, DetectorBackend):
            metrics.open_sessions.set(backend.open_sessions)
        return Response(metrics.render(), media_type=metrics.content_type)


def route(app: FastAPI, path: str, method: str = "POST") -> Callable:
    """Register ``endpoint(request) -> Response`` as a plain Starlette route of ``app``.

    Every endpoint here reads and validates its own body (one pydantic call, errors named by
    field), so FastAPI's per-request dependency solving and its OpenAPI schema would only add
    cost: about a third of the CPU of a one-session request, measured.
    """

    def add(endpoint: Callable) -> Callable:
        app.add_route(path, endpoint, methods=[method], include_in_schema=False)
        return endpoint

    return add


async def _parse(request: Request, model: type[BaseModel]) -> Any:
    """The body validated against ``model`` (malformed JSON and invalid UTF-8 included)."""
    return model.model_validate_json(await request.body())


def _detector_routes(app, backend: DetectorBackend, models, metrics, batcher) -> None:
    def judge(requests: list[list[SessionInput]]) -> list[list[dict]]:
        return _split(backend.judge_sessions([s for r in requests for s in r]), requests)

    sessions_batcher = batcher(judge, len)
    events_batcher = batcher(backend.feed_events, len)

    @route(app, "/v1/sessions")
    async def sessions(request: Request) -> FastJSON:
        body = await _parse(request, models.sessions)
        items = [SessionInput(_keys(s.keys), s.lines) for s in body.sessions]
        _need_parser(backend, any(s.lines is not None for s in items), "sessions[*].lines")
        verdicts = _known(backend, items)
        if verdicts is not None:
            metrics.remembered.inc(len(verdicts))
        else:
            verdicts = await sessions_batcher.submit(items)
        for s, v in zip(body.sessions, verdicts, strict=True):
            v["id"] = s.id
        anomalous = sum(v["verdict"] == "anomalous" for v in verdicts)
        metrics.sessions.inc(len(verdicts))
        metrics.anomalies.inc(anomalous)
        return FastJSON({"results": verdicts, "anomalous": anomalous})

    @route(app, "/v1/events")
    async def events(request: Request) -> FastJSON:
        body = await _parse(request, models.events)
        items = [
            (e.session, SessionInput(_keys([e.key]) if e.key is not None else None, _line(e)))
            for e in body.events
        ]
        _need_parser(backend, any(e.line is not None for e in body.events), "events[*].line")
        alerts = await events_batcher.submit(items)
        metrics.alerts.inc(len(alerts))
        return FastJSON(
            {
                "alerts": [a.to_dict() for a in alerts],
                "open_sessions": backend.open_sessions,
            }
        )


def _forecast_routes(app, backend, model: type[BaseModel], batcher) -> None:
    forecast_batcher = batcher(backend.forecast, lambda _: 1)

    @route(app, "/v1/forecast")
    async def forecast(request: Request) -> FastJSON:
        body = await _parse(request, model)
        problem = backend.problem(body)
        if problem is not None:
            raise BadRequest(problem)
        return FastJSON(await forecast_batcher.submit(body))


def _classify_routes(app, backend: ClassifierBackend, models, batcher) -> None:
    def classify(requests: list[list[str]]) -> list[list[dict]]:
        return _split(backend.classify([t for r in requests for t in r]), requests)

    classify_batcher = batcher(classify, len)

    @route(app, "/v1/classify")
    async def classify_route(request: Request) -> FastJSON:
        body = await _parse(request, models.classify)
        return FastJSON({"results": await classify_batcher.submit(body.texts)})


def _known(backend: DetectorBackend, items: list[SessionInput]) -> list[dict] | None:
    """The fast path: when every session (given as keys) was judged before, its remembered
    verdicts, straight from the event loop (no queue, no worker thread); else None."""
    if any(i.keys is None for i in items):
        return None  # raw lines: only the batching worker may touch the parser
    return backend.remembered([tuple(i.keys) for i in items])


def _split(flat: list, requests: list[list]) -> list[list]:
    """Results of the concatenated requests, cut back into one list per request."""
    out, i = [], 0
    for r in requests:
        out.append(flat[i : i + len(r)])
        i += len(r)
    return out


def _keys(keys: list | None) -> list[str] | None:
    return None if keys is None else [str(k) for k in keys]


def _line(event: Any) -> list[str] | None:
    return None if event.line is None else [event.line]


def _need_parser(backend: DetectorBackend, asked: bool, where: str) -> None:
    if asked and backend.parser is None:
        raise BadRequest(f"{where}: this service has no log parser (start it with --state)")


def _add_errors(app: FastAPI) -> None:
    @app.exception_handler(ValidationError)
    async def invalid(_: Request, exc: ValidationError) -> FastJSON:
        return FastJSON({"error": describe_errors(exc)}, status_code=422)

    @app.exception_handler(BadRequest)
    async def bad(_: Request, exc: BadRequest) -> FastJSON:
        return FastJSON({"error": str(exc)}, status_code=exc.status)


def describe_errors(exc: ValidationError, most: int = 3) -> str:
    """``field.path: message`` for the first few errors, e.g.
    ``sessions.0.keys: Input should be a valid list``."""
    parts = []
    for err in exc.errors()[:most]:
        where = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    more = len(exc.errors()) - most
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def _add_middleware(app: FastAPI, metrics: ServiceMetrics, settings: ServeSettings) -> None:
    # added last = outermost: BodyLimit -> Observe -> FastAPI's own exception handling
    app.add_middleware(Observe, metrics=metrics, routes=ROUTES, token=settings.token)
    app.add_middleware(BodyLimit, limit=settings.limits.max_body_bytes)
