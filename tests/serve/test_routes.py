"""``/v1/forecast`` and ``/v1/classify`` in process, on runs trained for real (conftest.py): a
single-series forecaster with its backtest intervals, a global network with its quantiles, a
naive Bayes classifier. Each answers as the library does, and bad fields get a 4xx naming them."""

from __future__ import annotations

import numpy as np
import pytest

for _module in ("fastapi", "httpx", "orjson", "prometheus_client", "uvicorn"):
    pytest.importorskip(_module, reason=f"the 'serve' extra ({_module}) is not installed")

from seqrnn.serve.app import create_app  # noqa: E402
from seqrnn.serve.backends import load_backend  # noqa: E402

SEASON = 12  # of the tiny forecast runs (conftest.py)
LEVELS = ["q0.025", "q0.1", "q0.5", "q0.9", "q0.975"]


@pytest.fixture(scope="module")
def forecast_app(forecast_run):
    return create_app(load_backend(forecast_run))


@pytest.fixture(scope="module")
def global_app(global_file):
    return create_app(load_backend(global_file))


def test_a_forecast_run_answers_its_default_with_the_backtest_intervals(
    call, forecast_run, seasonal
):
    from seqrnn.forecast.default import load_default
    from seqrnn.forecast.readers import Series

    app = create_app(load_backend(forecast_run))
    history = [round(v, 4) for v in seasonal(100, seed=5)]
    ok, far, health, model = call(
        app,
        [
            ("POST", "/v1/forecast", {"history": history, "horizon": 3}),
            ("POST", "/v1/forecast", {"history": history, "horizon": SEASON + 1}),
            ("GET", "/healthz", None),
            ("GET", "/v1/model", None),
        ],
    )
    assert ok.status_code == far.status_code == 200 and health.json() == {"status": "ok"}
    run = load_default(forecast_run)
    assert ok.json() == run.predict(Series(np.array(history)), 3).to_dict()
    body = ok.json()
    assert list(body["quantiles"]) == LEVELS
    low, high = np.array(body["intervals"]["95"]["low"]), np.array(body["intervals"]["95"]["high"])
    assert np.all(low < np.array(body["forecast"])) and np.all(np.array(body["forecast"]) < high)
    assert body["intervals"]["80"]["low"] == body["quantiles"]["q0.1"]
    assert "backtest" in body["intervals_note"]
    # a recursive model forecasts past the backtest's reach (one season); no interval there
    assert far.json()["quantiles"]["q0.975"][-1] is None and far.json()["forecast"][-1] is not None
    assert "steps after +12 have no interval" in far.json()["intervals_note"]
    info = model.json()
    assert info["kind"] == "forecast" and info["checkpoint_kind"] == "forecast"
    assert info["config"]["intervals"]["steps"] == SEASON
    assert info["config"]["default"] == run.choice.chosen
    text = call(app, [("GET", "/metrics", None)])[0].text
    assert 'seqrnn_requests_total{route="/v1/forecast",status="200"} 2.0' in text


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"history": [1, 2, 3], "horizon": 2}', "history: this model needs at least"),
        (b'{"history": [1, 2, 3], "horizon": 0}', "horizon: Input should be greater than or"),
        (b'{"history": [1, NaN, 3], "horizon": 1}', "history.1: Input should be a finite number"),
        (b'{"history": "1 2 3", "horizon": 1}', "history: Input should be a valid array"),
        (b'{"history": [1, 2], "horizon": 1, "id": "a"}', "id: Extra inputs are not permitted"),
        (b'{"history": [1, 2]}', "horizon: Field required"),
        (b'{"history": [1, 2], "horizon": 1', "body: Invalid JSON"),
    ],
)
def test_bad_forecast_bodies_are_422_naming_the_field(call, forecast_app, body, words):
    (r,) = call(forecast_app, [("POST", "/v1/forecast", body)])
    assert r.status_code == 422 and words in r.json()["error"]


def test_a_forecast_service_has_no_detector_routes(call, forecast_app):
    (r,) = call(forecast_app, [("POST", "/v1/sessions", {"sessions": [{"keys": [1]}]})])
    assert r.status_code == 404


def test_a_global_network_answers_its_quantiles_for_any_series(
    call, global_app, global_file, seasonal
):
    from seqrnn.forecast import load_global

    a, b = seasonal(30, seed=7) * 3, seasonal(20, seed=8)
    ok_a, ok_b, model = call(
        global_app,
        [
            ("POST", "/v1/forecast", {"history": a.tolist(), "horizon": 6, "id": "a"}),
            ("POST", "/v1/forecast", {"history": b.tolist(), "horizon": 2, "season": SEASON}),
            ("GET", "/v1/model", None),
        ],
    )
    assert ok_a.status_code == ok_b.status_code == 200
    net = load_global(global_file)
    for r, y, h in ((ok_a, a, 6), (ok_b, b, 2)):
        q = net.predict([y], SEASON)[0, :h]  # [H, Q]
        body = r.json()
        got = [body["quantiles"][name] for name in LEVELS]
        assert np.allclose(got, q.T, rtol=1e-5)  # float32, batched with the other request
        assert body["forecast"] == body["quantiles"]["q0.5"]
        assert body["intervals"]["95"]["high"] == body["quantiles"]["q0.975"]
    assert ok_a.json()["id"] == "a" and ok_b.json()["id"] is None
    # the fixture's members trained their median with the MASE-scaled loss
    assert [m.loss for _, m in net.members] == ["mase", "mase"]
    assert "the median with the mase loss" in ok_a.json()["intervals_note"]
    info = model.json()
    assert info["checkpoint_kind"] == "global-forecaster" and info["config"]["season"] == SEASON
    assert info["config"]["global"]["horizon"] == 6


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"history": [5.0] * 20, "horizon": 7}, "horizon: this model forecasts at most 6 steps"),
        ({"history": [5.0] * 19 + [-1.0], "horizon": 2}, "history: values <= 0"),
        ({"history": [5.0] * 5, "horizon": 2}, "history: 5 values < min_input + horizon"),
        ({"history": [5.0] * 20, "horizon": 2, "season": 4}, "season: this model was trained"),
        ({"history": [5.0] * 20, "horizon": 2, "category": ""}, "category: String should have"),
        (
            {"history": [5.0] * 20, "horizon": 2, "category": "A"},
            "category: this model was trained",
        ),
        ({"history": [], "horizon": 2}, "history: List should have at least 1 item"),
        ({"history": [5.0] * 20, "horizon": 2, "extra": 1}, "extra: Extra inputs are not"),
    ],
)
def test_bad_global_forecast_bodies_are_422_naming_the_field(call, global_app, body, words):
    (r,) = call(global_app, [("POST", "/v1/forecast", body)])
    assert r.status_code == 422 and words in r.json()["error"]


def test_a_classifier_run_labels_texts_like_the_library(call, classifier_run):
    from seqrnn.classify.runs import load_model

    app = create_app(load_backend(classifier_run))
    texts = ["a x b c", "a b c d", "x"]
    ok, model, *bad = call(
        app,
        [
            ("POST", "/v1/classify", {"texts": texts}),
            ("GET", "/v1/model", None),
            ("POST", "/v1/classify", {"texts": "a b"}),
            ("POST", "/v1/classify", {"texts": []}),
            ("POST", "/v1/classify", {"texts": ["a", 3]}),
        ],
    )
    assert ok.status_code == 200
    results = ok.json()["results"]
    assert [r["label"] for r in results] == ["yes", "no", "yes"]
    proba = load_model(classifier_run).predict_proba(texts)  # [N, 2]: no, yes
    assert [[r["probabilities"][k] for k in ("no", "yes")] for r in results] == proba.tolist()
    assert model.json()["kind"] == "classifier" and model.json()["config"]["labels"] == [
        "no",
        "yes",
    ]
    words = [
        "texts: Input should be a valid array",
        "texts: List should have at least 1",
        "texts.1:",
    ]
    for r, w in zip(bad, words, strict=True):
        assert r.status_code == 422 and w in r.json()["error"]
    text = call(app, [("GET", "/metrics", None)])[0].text
    assert 'seqrnn_requests_total{route="/v1/classify",status="422"} 3.0' in text


def test_the_global_note_names_the_median_loss_only_when_it_is_not_pinball():
    from seqrnn.serve.forecasts import global_note

    assert "median" not in global_note(["pinball", "pinball"])
    assert "pinball loss on its panel, the median with the mase/smape loss" in global_note(
        ["smape", "pinball", "mase"]
    )
