"""Prometheus metrics of one service, in its own registry (no process-wide globals, so two
apps in one process, as in the tests, count apart)."""

from __future__ import annotations

import collections

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


class ServiceMetrics:
    """Requests, latency, sessions judged, anomalies, alerts, errors, batch sizes."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "seqrnn_requests", "HTTP requests answered", ["route", "status"], registry=r
        )
        self.latency = Histogram(
            "seqrnn_request_seconds",
            "Time to answer a request",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.sessions = Counter("seqrnn_sessions_judged", "Sessions judged", registry=r)
        self.remembered = Counter(
            "seqrnn_sessions_remembered",
            "Sessions answered from the verdict memo on the fast path (no scoring)",
            registry=r,
        )
        self.anomalies = Counter("seqrnn_anomalies", "Sessions judged anomalous", registry=r)
        self.alerts = Counter("seqrnn_alerts", "Anomalous events of streams", registry=r)
        self.errors = Counter(
            "seqrnn_errors", "Requests answered with an error", ["kind"], registry=r
        )
        self.batch_items = Histogram(
            "seqrnn_batch_items",
            "Items per forward pass (micro-batch size)",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096),
            registry=r,
        )
        self.in_flight = Gauge("seqrnn_in_flight", "Requests being answered", registry=r)
        self.pending = 0  # the same, readable at shutdown
        self.answered: collections.Counter[str] = collections.Counter()  # "route status"
        self.open_sessions = Gauge(
            "seqrnn_open_stream_sessions", "Stream sessions held in memory", registry=r
        )
        self._children: dict[tuple[str, int], tuple] = {}  # labels() looked up once each

    def begin(self) -> None:
        """A request came in."""
        self.pending += 1
        self.in_flight.inc()

    def observe(self, route: str, status: int, seconds: float) -> None:
        """One answered request."""
        self.pending -= 1
        self.answered[f"{route} {status}"] += 1
        self.in_flight.dec()
        children = self._children.get((route, status))
        if children is None:
            error = self.errors.labels("client" if status < 500 else "server")
            children = (
                self.requests.labels(route, str(status)),
                self.latency.labels(route),
                error if status >= 400 else None,
            )
            self._children[(route, status)] = children
        requests, latency, error = children
        requests.inc()
        latency.observe(seconds)
        if error is not None:
            error.inc()

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)
