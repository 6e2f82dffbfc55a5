"""The detector's routes in process (httpx over ASGI, the app's lifespan running), on a trained
tiny run; the other kinds' routes are in test_routes.py."""

from __future__ import annotations

import json

import numpy as np
import pytest

for _module in ("fastapi", "httpx", "orjson", "prometheus_client", "uvicorn"):
    pytest.importorskip(_module, reason=f"the 'serve' extra ({_module}) is not installed")

from seqrnn.serve.app import ServeSettings, create_app  # noqa: E402
from seqrnn.serve.backends import load_backend  # noqa: E402
from seqrnn.serve.schemas import Limits  # noqa: E402


@pytest.fixture(scope="module")
def backend(tiny_run):
    return load_backend(tiny_run)


def test_health_model_and_metrics(call, backend):
    app = create_app(backend)
    health, model, sessions = call(
        app,
        [
            ("GET", "/healthz", None),
            ("GET", "/v1/model", None),
            ("POST", "/v1/sessions", {"sessions": [{"keys": [5, 22, 5]}]}),
        ],
    )
    assert health.json() == {"status": "ok"}
    info = model.json()
    assert info["kind"] == "detector" and info["vocab_size"] == 31  # 28 keys, pad, unk, eos
    assert len(info["sha256"]) == 64 and info["config"]["window"] == 4
    assert sessions.status_code == 200
    text = call(app, [("GET", "/metrics", None)])[0].text
    assert 'seqrnn_requests_total{route="/v1/sessions",status="200"} 1.0' in text
    assert "seqrnn_sessions_judged_total 1.0" in text
    assert "seqrnn_request_seconds_bucket" in text and "seqrnn_anomalies_total" in text


def test_sessions_verdicts_and_unknown_keys_are_verdicts(call, backend):
    body = {
        "sessions": [
            {"id": "a", "keys": [5, 22, 5, 11, 9, 11, 9, 26]},
            {"id": "b", "keys": ["5", "22", "not-a-key", "9", "11", "9"]},
            {"keys": []},
        ]
    }
    (r,) = call(create_app(backend), [("POST", "/v1/sessions", body)])
    assert r.status_code == 200
    out = r.json()["results"]
    assert [v["id"] for v in out] == ["a", "b", None]
    unknown = out[1]
    assert unknown["verdict"] == "anomalous" and unknown["score"] is None
    assert unknown["unknown_keys"] == 1
    assert any(p["unknown_key"] for p in unknown["explanation"]["positions"])
    assert out[2]["verdict"] == "anomalous"  # an empty session is never normal
    direct = backend.judge_sessions(backend_inputs(body))
    assert [v["verdict"] for v in out] == [v["verdict"] for v in direct]


def backend_inputs(body: dict) -> list:
    from seqrnn.serve.backends import SessionInput

    return [SessionInput([str(k) for k in s["keys"]]) for s in body["sessions"]]


def test_concurrent_requests_share_forward_passes(call, backend):
    app = create_app(backend, ServeSettings(batch_window_ms=20))
    rng = np.random.default_rng(0)
    bodies = [{"sessions": [{"keys": rng.integers(2, 30, 12).tolist()}]} for _ in range(40)]
    responses = call(app, [("POST", "/v1/sessions", b) for b in bodies])
    assert all(r.status_code == 200 for r in responses)
    alone = backend.judge_sessions(backend_inputs({"sessions": [b["sessions"][0] for b in bodies]}))
    assert [r.json()["results"][0]["score"] for r in responses] == [v["score"] for v in alone]
    text = call(app, [("GET", "/metrics", None)])[0].text
    batches = float(text.split("seqrnn_batch_items_count ")[1].split()[0])
    assert batches < 40  # 40 requests, fewer forward passes


def test_a_session_judged_before_is_answered_from_the_memo_unchanged(call, tiny_run):
    app = create_app(load_backend(tiny_run))
    body = {"sessions": [{"id": "x", "keys": [5, 22, 5, 11, 9, 26]}]}
    (first,) = call(app, [("POST", "/v1/sessions", body)])
    (second,) = call(app, [("POST", "/v1/sessions", body)])
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    text = call(app, [("GET", "/metrics", None)])[0].text
    assert "seqrnn_sessions_remembered_total 1.0" in text  # the second, not the first
    assert "seqrnn_batch_items_count 1.0" in text  # one forward pass for both


def test_events_alert_and_open_sessions_are_capped(call, tiny_run):
    small = load_backend(tiny_run, max_open_sessions=3)
    app = create_app(small)
    events = [{"session": f"s{i % 5}", "key": k} for i, k in enumerate([5, 22, 5, 11, 9] * 4)]
    events.append({"session": "s0", "key": "never-seen"})
    (r,) = call(app, [("POST", "/v1/events", {"events": events})])
    body = r.json()
    assert r.status_code == 200 and body["open_sessions"] == 3
    last = [a for a in body["alerts"] if a["key"] == "never-seen"]
    assert last and last[0]["unknown_key"] and last[0]["session"] == "s0"


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b'{"sessions": [{"keys": [1, 2]', 422, "body: Invalid JSON"),
        (b'{"sessions": [{"keys": "5 22"}]}', 422, "sessions.0.keys"),
        (b'{"sessions": [{"keys": [5], "lines": ["x"]}]}', 422, "exactly one of 'keys' or 'lines'"),
        (b'{"sessions": [], "extra": 1}', 422, "sessions: List should have at least 1 item"),
        (b'{"sessions": [{"keys": ["\xff\xfe"]}]}', 422, "Invalid JSON"),
        (b'{"sessions": [{"lines": ["081109 203615 148 INFO x"]}]}', 422, "no log parser"),
        (b"[]", 422, "body: Input should be an object"),
    ],
)
def test_bad_bodies_are_4xx_naming_the_field(call, backend, body, status, words):
    (r,) = call(create_app(backend), [("POST", "/v1/sessions", body)])
    assert r.status_code == status and words in r.json()["error"]


def test_too_many_sessions_and_oversized_bodies_are_refused(call, backend):
    app = create_app(backend, ServeSettings(Limits(max_body_bytes=1 << 20, max_sessions=1000)))
    many = json.dumps({"sessions": [{"keys": [5]}] * 100_000}).encode()
    big = b'{"sessions": [{"keys": ["' + b"5" * (50 << 20) + b'"]}]}'
    fits = json.dumps({"sessions": [{"keys": [5]}] * 1001}).encode()
    r_many, r_big, r_fits = call(app, [("POST", "/v1/sessions", b) for b in (many, big, fits)])
    assert r_many.status_code == 413 and "limit of 1,048,576 bytes" in r_many.json()["error"]
    assert r_big.status_code == 413
    assert r_fits.status_code == 422 and "sessions: List should have at most 1000" in r_fits.text
    assert call(app, [("GET", "/healthz", None)])[0].status_code == 200


def test_bearer_token_protects_all_but_healthz(call, backend):
    app = create_app(backend, ServeSettings(token="s3cret"))
    health, model, metrics = call(
        app, [("GET", "/healthz", None), ("GET", "/v1/model", None), ("GET", "/metrics", None)]
    )
    assert health.status_code == 200 and model.status_code == 401 and metrics.status_code == 401
    assert "bearer token" in model.json()["error"]
    (ok,) = call(app, [("GET", "/v1/model", None)], {"Authorization": "Bearer s3cret"})
    (bad,) = call(app, [("GET", "/v1/model", None)], {"Authorization": "Bearer wrong"})
    assert ok.status_code == 200 and bad.status_code == 401


def test_a_failing_backend_is_a_500_not_a_dead_process(call, tiny_run, monkeypatch):
    backend = load_backend(tiny_run)  # nothing remembered: the request reaches the batcher
    app = create_app(backend)

    def boom(items):
        raise RuntimeError("scoring failed")

    monkeypatch.setattr(backend, "judge_sessions", boom)
    failed, health = call(
        app, [("POST", "/v1/sessions", {"sessions": [{"keys": [5]}]}), ("GET", "/healthz", None)]
    )
    assert failed.status_code == 500 and "RuntimeError" in failed.json()["error"]
    assert health.status_code == 200


def test_raw_log_lines_are_keyed_by_the_runs_parser_state(call, tiny_run, tmp_path):
    from seqrnn.anomaly.parse import LogParser, ParseConfig, parse_lines
    from seqrnn.serve.backends import SessionInput

    lines = [
        "Receiving block blk_1 src 10.0.0.1",
        "Deleting block blk_1 file /x",
        "Receiving block blk_2 src 10.0.0.2",
    ]
    config = ParseConfig(session_regex=r"blk_-?\d+", state=str(tmp_path / "state.bin"))
    parsed = parse_lines(lines, config)
    LogParser(config)  # the state file is there and readable
    with_parser = load_backend(tiny_run, parse=config)
    app = create_app(with_parser)
    sessions, events = call(
        app,
        [
            ("POST", "/v1/sessions", {"sessions": [{"id": "blk_1", "lines": lines[:2]}]}),
            ("POST", "/v1/events", {"events": [{"session": "blk_2", "line": lines[2]}]}),
        ],
    )
    assert sessions.status_code == 200 and events.status_code == 200
    keys = [str(k) for k in parsed.line_keys[:2]]
    assert sessions.json()["results"][0]["length"] == 2
    assert (
        sessions.json()["results"][0]["score"]
        == (with_parser.judge_sessions([SessionInput(keys)])[0]["score"])
    )
