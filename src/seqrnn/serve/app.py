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
import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.requests import ClientDisconnect

from seqrnn.serve.backends import (
    Backend,
    ClassifierBackend,
    DetectorBackend,
    ForecastBackend,
    SessionInput,
)
from seqrnn.serve.batching import MicroBatcher
from seqrnn.serve.limits import BodyLimit, BodyTooLarge
from seqrnn.serve.metrics import ServiceMetrics
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
    batch_window_ms: float = 2.0
    max_batch_items: int = 512


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

    app = FastAPI(title="seqrnn", lifespan=lifespan, docs_url=None, redoc_url=None)
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

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/model")
    async def model_info() -> dict[str, Any]:
        info = asdict(backend.info)
        info["kind"] = str(backend.info.kind)
        return info

    @app.get("/metrics")
    async def prometheus() -> Response:
        if isinstance(backend, DetectorBackend):
            metrics.open_sessions.set(backend.open_sessions)
        return Response(metrics.render(), media_type=metrics.content_type)

    if isinstance(backend, DetectorBackend):
        _detector_routes(app, backend, models, metrics, batcher)
    elif isinstance(backend, ForecastBackend):
        _forecast_routes(app, backend, models)
    elif isinstance(backend, ClassifierBackend):
        _classify_routes(app, backend, models, batcher)
    return app


async def _parse(request: Request, model: type[BaseModel]) -> Any:
    """The body validated against ``model`` (malformed JSON and invalid UTF-8 included)."""
    return model.model_validate_json(await request.body())


def _detector_routes(app, backend: DetectorBackend, models, metrics, batcher) -> None:
    def judge(requests: list[list[SessionInput]]) -> list[list[dict]]:
        return _split(backend.judge_sessions([s for r in requests for s in r]), requests)

    sessions_batcher = batcher(judge, len)
    events_batcher = batcher(backend.feed_events, len)

    @app.post("/v1/sessions")
    async def sessions(request: Request) -> JSONResponse:
        body = await _parse(request, models.sessions)
        items = [SessionInput(_keys(s.keys), s.lines) for s in body.sessions]
        _need_parser(backend, any(s.lines is not None for s in items), "sessions[*].lines")
        verdicts = await sessions_batcher.submit(items)
        for s, v in zip(body.sessions, verdicts, strict=True):
            v["id"] = s.id
        anomalous = sum(v["verdict"] == "anomalous" for v in verdicts)
        metrics.sessions.inc(len(verdicts))
        metrics.anomalies.inc(anomalous)
        return JSONResponse({"results": verdicts, "anomalous": anomalous})

    @app.post("/v1/events")
    async def events(request: Request) -> JSONResponse:
        body = await _parse(request, models.events)
        items = [
            (e.session, SessionInput(_keys([e.key]) if e.key is not None else None, _line(e)))
            for e in body.events
        ]
        _need_parser(backend, any(e.line is not None for e in body.events), "events[*].line")
        alerts = await events_batcher.submit(items)
        metrics.alerts.inc(len(alerts))
        return JSONResponse(
            {
                "alerts": [a.to_dict() for a in alerts],
                "open_sessions": backend.open_sessions,
            }
        )


def _forecast_routes(app, backend: ForecastBackend, models) -> None:
    @app.post("/v1/forecast")
    async def forecast(request: Request) -> JSONResponse:
        body = await _parse(request, models.forecast)
        if len(body.history) < backend.min_history:
            raise BadRequest(
                f"history: this model needs at least {backend.min_history} values, "
                f"got {len(body.history)}"
            )
        point = backend.forecast(body.history, body.horizon)
        return JSONResponse(
            {"forecast": point, "intervals": None, "intervals_note": backend.intervals_note}
        )


def _classify_routes(app, backend: ClassifierBackend, models, batcher) -> None:
    def classify(requests: list[list[str]]) -> list[list[dict]]:
        return _split(backend.classify([t for r in requests for t in r]), requests)

    classify_batcher = batcher(classify, len)

    @app.post("/v1/classify")
    async def classify_route(request: Request) -> JSONResponse:
        body = await _parse(request, models.classify)
        return JSONResponse({"results": await classify_batcher.submit(body.texts)})


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
    async def invalid(_: Request, exc: ValidationError) -> JSONResponse:
        return JSONResponse({"error": describe_errors(exc)}, status_code=422)

    @app.exception_handler(BadRequest)
    async def bad(_: Request, exc: BadRequest) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=exc.status)


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
    @app.middleware("http")
    async def observe(request: Request, call_next: Callable) -> Response:
        start = time.perf_counter()
        metrics.begin()
        path = request.url.path
        status = 500  # if the request ends without an answer of ours (client gone)
        try:
            if path != "/healthz" and not _authorised(request, settings):
                status = 401
                return _unauthorised()
            response = await call_next(request)
            status = response.status_code
            return response
        except BodyTooLarge:
            status = 413
            raise  # answered by the BodyLimit middleware around this one
        except ClientDisconnect:
            status = 499  # the client went away mid-body; nobody to answer
            logger.info("client left during a request to %s", path)
            return Response(status_code=status)
        except Exception as exc:  # a request must never end the process
            logger.exception("request to %s failed", path)
            return JSONResponse({"error": f"internal error: {type(exc).__name__}"}, status)
        finally:
            route = path if path in ROUTES else "other"  # bounded label values
            metrics.observe(route, status, time.perf_counter() - start)

    app.add_middleware(BodyLimit, limit=settings.limits.max_body_bytes)


def _unauthorised() -> JSONResponse:
    return JSONResponse(
        {"error": "Authorization: a valid bearer token is required"},
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


def _authorised(request: Request, settings: ServeSettings) -> bool:
    if settings.token is None:
        return True
    given = request.headers.get("authorization", "")
    expected = f"Bearer {settings.token}"
    return secrets.compare_digest(given.encode(), expected.encode())
