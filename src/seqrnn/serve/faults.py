"""Fault drills against a running service: bad bodies, dropped clients, SIGTERM under load.

Each drill returns what the service answered, so the benchmark can list every answer and the
tests can assert on them. After each drill ``/healthz`` is asked again: the process must still
be there (or, after SIGTERM, have drained and exited with status 0).
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import httpx

SESSION = {"keys": [5, 22, 5, 11, 9, 11, 9, 11, 9, 26, 26, 26, 23, 23, 23, 21, 21, 21]}


@dataclass
class Answer:
    """One drill: what was sent, what came back, and whether /healthz answered after."""

    drill: str
    status: int | str  # HTTP status, or what happened instead
    message: str = ""
    alive: bool = True


def bad_bodies(big_mb: int = 50) -> dict[str, bytes]:
    """The malformed requests of the drill, by name."""
    many = json.dumps({"sessions": [{"keys": [5, 22]}] * 100_000}).encode()
    return {
        "malformed JSON": b'{"sessions": [{"keys": [5, 22',
        "wrong types": b'{"sessions": [{"keys": "5 22 11"}]}',
        "missing field": b'{"session": []}',
        "invalid UTF-8": b'{"sessions": [{"keys": ["\xff\xfe\xfd"]}]}',
        f"{big_mb} MB body": b'{"sessions": [{"keys": ["' + b"5" * (big_mb << 20) + b'"]}]}',
        "10^5 sessions in one request": many,
        "unknown keys": b'{"sessions": [{"keys": ["no-such-key", 5]}]}',
    }


def alive(url: str, headers: dict[str, str] | None = None) -> bool:
    """Whether ``/healthz`` answers 200."""
    try:
        return httpx.get(url + "/healthz", headers=headers, timeout=10).status_code == 200
    except httpx.HTTPError:
        return False


def send_bad_bodies(url: str, headers: dict[str, str] | None = None) -> list[Answer]:
    """POST each malformed body to ``/v1/sessions``; record the answer and liveness."""
    out = []
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        for name, body in bad_bodies().items():
            try:
                r = client.post("/v1/sessions", content=body)
                text = r.json().get("error", "") if r.status_code >= 400 else _verdicts(r)
                out.append(Answer(name, r.status_code, text[:160]))
            except httpx.HTTPError as exc:
                out.append(Answer(name, type(exc).__name__, str(exc)[:160]))
            out[-1].alive = alive(url, headers)
    return out


def _verdicts(r: httpx.Response) -> str:
    return ", ".join(v["verdict"] for v in r.json()["results"])


def disconnects(url: str) -> list[Answer]:
    """Clients that go away: mid-body, and right after sending a full request."""
    host, port = urlparse(url).hostname, urlparse(url).port
    full = json.dumps({"sessions": [SESSION] * 2000}).encode()
    cases = {
        "disconnect mid-body": _request_bytes(host, port, full)[: -len(full) // 2],
        "disconnect before the answer": _request_bytes(host, port, full),
    }
    out = []
    for name, data in cases.items():
        with socket.create_connection((host, port), timeout=10) as s:
            s.sendall(data)
        time.sleep(0.2)
        out.append(Answer(name, "client gone", alive=alive(url)))
    return out


def _request_bytes(host: str | None, port: int | None, body: bytes) -> bytes:
    head = (
        f"POST /v1/sessions HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


@dataclass
class LoadTally:
    """Outcomes of the requests sent while the service was told to stop."""

    answered: Counter = field(default_factory=Counter)  # HTTP status -> count
    # sent before SIGTERM and answered after it: the requests the service drained
    drained: int = 0
    refused: int = 0  # never accepted (connection refused: the listener had closed)
    # the connection closed with no answer: a request still in the listen queue when the
    # listener closed (the app never saw it), or one the app began and dropped (a bug);
    # :func:`answered_by_service` tells them apart from the service's own count
    dropped: int = 0
    errors: Counter = field(default_factory=Counter)


def answered_by_service(log: str) -> tuple[dict[str, int], int]:
    """From the service's last log line (``-v``): answers by ``"route status"`` and how many
    requests were still in flight when it exited."""
    line = [x for x in log.splitlines() if "requests answered" in x][-1]
    in_flight = int(line.split(" in flight")[0].rsplit(" ", 1)[1])
    return json.loads(line.split("answered by route: ", 1)[1]), in_flight


async def sigterm_under_load(
    service: Any, clients: int = 16, before_s: float = 1.0, after_s: float = 3.0
) -> LoadTally:
    """``clients`` loops posting events (to ``/v1/events``, which no other drill uses, so the
    service's count of its answers is this drill's alone); SIGTERM after ``before_s``; stop
    after ``after_s`` more. Every accepted request must have been answered; those in flight
    at the signal are counted in ``drained``."""
    tally = LoadTally()
    body = {"events": [{"session": f"load-{i % 7}", "key": k} for i, k in enumerate(SESSION)]}
    async with httpx.AsyncClient(base_url=service.url, timeout=60) as c:  # warm the model up
        await c.post("/v1/events", json=body)
    clients_ready, go = asyncio.Semaphore(0), asyncio.Event()
    sigterm_at = [float("inf")]

    async def client() -> None:
        async with httpx.AsyncClient(base_url=service.url, timeout=30) as c:
            clients_ready.release()  # building a client is slow: all are built before the clock
            await go.wait()
            while time.monotonic() < stop:
                try:
                    sent = time.monotonic()
                    r = await c.post("/v1/events", json=body)
                    tally.answered[r.status_code] += 1
                    tally.drained += sent < sigterm_at[0] < time.monotonic()
                except httpx.ConnectError:
                    tally.refused += 1
                    await asyncio.sleep(0.05)
                except httpx.HTTPError as exc:
                    tally.dropped += 1
                    tally.errors[type(exc).__name__] += 1

    async def terminate() -> None:
        nonlocal stop
        for _ in range(clients):
            await clients_ready.acquire()
        stop = time.monotonic() + before_s + after_s
        go.set()
        await asyncio.sleep(before_s)
        sigterm_at[0] = time.monotonic()
        service.terminate()

    stop = float("inf")
    await asyncio.gather(terminate(), *(client() for _ in range(clients)))
    return tally
