"""Request bodies of the service, validated by pydantic: a wrong field is a 422 that names it.

Limits (keys per session, sessions per request, texts, horizon) are part of the schema, so a
request over them is refused before any work is done. The limits of one service come from
:class:`Limits` and are applied by :func:`request_models`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model, model_validator

Key = Annotated[str, StringConstraints(min_length=1, max_length=200)] | int
Line = Annotated[str, StringConstraints(max_length=20_000)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Value = Annotated[float, Field(allow_inf_nan=False)]  # NaN / Infinity are refused by name


@dataclass(frozen=True)
class Limits:
    """How much one request may ask for."""

    max_body_bytes: int = 8 << 20
    max_sessions: int = 10_000  # sessions per /v1/sessions request
    max_events: int = 100_000  # events per /v1/events request
    max_keys: int = 100_000  # keys (or lines) per session
    max_texts: int = 1_000  # texts per /v1/classify request
    max_horizon: int = 1_000
    max_history: int = 1_000_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _exactly_one(item: BaseModel, a: str, b: str) -> Any:
    if (getattr(item, a) is None) == (getattr(item, b) is None):
        raise ValueError(f"give exactly one of {a!r} or {b!r}")
    return item


class SessionIn(_Strict):
    """A session: its keys, or its raw log lines (for a service started with a parser)."""

    id: str | None = None
    keys: list[Key] | None = None
    lines: list[Line] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> SessionIn:
        return _exactly_one(self, "keys", "lines")


class EventIn(_Strict):
    """One event of a stream: the session it belongs to and its key or raw log line."""

    session: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    key: Key | None = None
    line: Line | None = None

    @model_validator(mode="after")
    def _one_of(self) -> EventIn:
        return _exactly_one(self, "key", "line")


class ForecastIn(_Strict):
    """The series so far and how many steps ahead to forecast."""

    history: list[Value]
    horizon: int = Field(ge=1)


class GlobalForecastIn(ForecastIn):
    """A series for a global network: its history, the steps ahead, and optionally an id
    (echoed), its category (for a network trained with categories) and its seasonal period
    (only for a file that records none; else it must agree)."""

    id: Name | None = None
    category: Name | None = None
    season: int | None = Field(None, ge=1, le=1000)


class ClassifyIn(_Strict):
    """Texts to label."""

    texts: list[str]


@dataclass(frozen=True)
class RequestModels:
    """The request bodies with one service's limits built in."""

    sessions: type[BaseModel]
    events: type[BaseModel]
    forecast: type[BaseModel]
    global_forecast: type[BaseModel]
    classify: type[BaseModel]


def request_models(limits: Limits) -> RequestModels:
    """Request models whose list lengths are capped by ``limits`` (pydantic reports the field
    and the limit when a request goes over)."""
    session = create_model(
        "Session",
        __base__=SessionIn,
        keys=(list[Key] | None, Field(None, max_length=limits.max_keys)),
        lines=(list[Line] | None, Field(None, max_length=limits.max_keys)),
    )
    capped: dict[str, Any] = {
        "history": (list[Value], Field(min_length=1, max_length=limits.max_history)),
        "horizon": (int, Field(ge=1, le=limits.max_horizon)),
    }
    return RequestModels(
        sessions=create_model(
            "SessionsRequest",
            __base__=_Strict,
            sessions=(list[session], Field(min_length=1, max_length=limits.max_sessions)),
        ),
        events=create_model(
            "EventsRequest",
            __base__=_Strict,
            events=(list[EventIn], Field(min_length=1, max_length=limits.max_events)),
        ),
        forecast=create_model("ForecastRequest", __base__=ForecastIn, **capped),
        global_forecast=create_model("GlobalForecastRequest", __base__=GlobalForecastIn, **capped),
        classify=create_model(
            "ClassifyRequest",
            __base__=ClassifyIn,
            texts=(list[str], Field(min_length=1, max_length=limits.max_texts)),
        ),
    )
