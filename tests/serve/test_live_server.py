"""The service as a real process on a free loopback port: bad input and dropped clients leave it
alive; SIGTERM under load drains (every accepted request answered) and the process exits."""

from __future__ import annotations

import asyncio

import pytest

for _module in ("fastapi", "httpx", "orjson", "prometheus_client", "uvicorn"):
    pytest.importorskip(_module, reason=f"the 'serve' extra ({_module}) is not installed")

from seqrnn.serve.faults import (  # noqa: E402
    alive,
    answered_by_service,
    disconnects,
    send_bad_bodies,
    sigterm_under_load,
)
from seqrnn.serve.process import ServiceProcess  # noqa: E402


def test_faults_and_sigterm_under_load(tiny_run):
    with ServiceProcess(tiny_run, "-v") as svc:
        answers = {a.drill: a for a in send_bad_bodies(svc.url)}
        assert all(a.alive for a in answers.values())
        assert answers["malformed JSON"].status == 422
        assert answers["wrong types"].message.startswith("sessions.0.keys:")
        assert answers["invalid UTF-8"].status == 422
        assert answers["50 MB body"].status == 413
        assert answers["10^5 sessions in one request"].status == 422
        assert answers["unknown keys"].status == 200
        assert all(a.alive for a in disconnects(svc.url))
        tally = asyncio.run(sigterm_under_load(svc, clients=4, before_s=0.5, after_s=1.5))
        status = svc.stop()
        log = svc.stderr.decode()
    by_route, in_flight = answered_by_service(log)
    assert in_flight == 0  # drained before exit
    assert set(tally.answered) == {200}
    # every request the app began was answered, and the clients saw each of those answers
    # (plus the drill's warm-up request)
    assert by_route["/v1/events 200"] == tally.answered[200] + 1
    assert status in (0, -15)  # uvicorn re-raises SIGTERM after its graceful shutdown
    assert not alive(svc.url)
