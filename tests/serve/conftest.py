"""Fixtures of the service tests: tiny runs trained for real (a few seconds each, once per
session): a detector, a single-series forecaster, a global forecaster and a text classifier."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

KEYS = [str(k) for k in range(2, 30)]
WINDOW = 4
NORMAL = [  # HDFS-like sessions: every key 2..29 occurs, in a few fixed orders
    [5, 22, 5, 11, 9, 11, 9, 26, 2, 3, 4],
    [5, 5, 22, 11, 9, 11, 9, 26, 26, 6, 7, 8],
    [5, 22, 11, 9, 26, 10, 12, 13, 14, 15, 16, 17],
    [5, 22, 11, 9, 26, 18, 19, 20, 21, 23, 24, 25, 27, 28, 29],
]
SEASON = 12


def _seasonal(n: int, seed: int = 0, noise: float = 1.0) -> np.ndarray:
    """``50 + 10 sin(2 pi t / 12)`` plus Gaussian noise of standard deviation ``noise``."""
    t = np.arange(n)
    return (
        50
        + 10 * np.sin(2 * np.pi * t / SEASON)
        + noise * np.random.default_rng(seed).normal(size=n)
    )


@pytest.fixture(scope="session")
def seasonal() -> Callable[..., np.ndarray]:
    """``seasonal(n, seed=0, noise=1.0)``: a series like the ones the tiny forecasters saw."""
    return _seasonal


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A detector run folder: a 1x16 LSTM trained 2 epochs on the sessions above (window 4)."""
    from seqrnn.anomaly import detector_config_from_dict, train_detector

    tmp = tmp_path_factory.mktemp("detector")
    train = tmp / "train.txt"
    train.write_text("".join(" ".join(map(str, s)) + "\n" for s in NORMAL * 10))
    config = detector_config_from_dict(
        {
            "data": {"train": str(train), "window": WINDOW},
            "model": {"encoder": {"hidden_size": 16, "num_layers": 1}},
            "train": {"epochs": 2, "batch_size": 16, "learning_rate": 0.01},
            "restarts": {"count": 1},
            "runs_dir": str(tmp),
            "name": "detector",
        }
    )
    return train_detector(config).run_dir


@pytest.fixture(scope="session")
def forecast_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A single-series forecast run folder (season 12, an 8-unit LSTM, 3 epochs), with the
    default chosen and its intervals made by the training-part backtest."""
    from seqrnn.forecast import config_from_dict, train

    tmp = tmp_path_factory.mktemp("forecast")
    data = tmp / "series.csv"
    data.write_text("value\n" + "".join(f"{v:.4f}\n" for v in _seasonal(120)))
    config = config_from_dict(
        {
            "data": {"path": str(data), "season": SEASON},
            "model": {"look_back": 4, "encoder": {"hidden_size": 8}},
            "train": {"epochs": 3},
            "runs_dir": str(tmp),
            "name": "forecast",
            "mlp_baseline": False,
        }
    )
    return train(config).run_dir


@pytest.fixture(scope="session")
def global_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A global network (horizon 6, look-back 12, an 8-unit LSTM, 1 epoch) trained on six
    positive seasonal series, saved with its season."""
    from seqrnn.forecast import GlobalConfig, fit_global, save_global
    from seqrnn.nn.encoder import EncoderConfig
    from seqrnn.train.config import TrainConfig

    panel = [_seasonal(48, seed) * (1 + seed) for seed in range(6)]
    config = GlobalConfig(
        horizon=6,
        look_backs=(12,),
        losses=("mase",),  # the median's note names a loss other than pinball
        chunk=3,
        min_input=6,
        per_epoch=0,
        encoder=EncoderConfig(hidden_size=8, num_layers=1),
        train=TrainConfig(epochs=1, batch_size=64, device="cpu"),
    )
    path = tmp_path_factory.mktemp("global") / "global.safetensors"
    save_global(path, fit_global(panel, SEASON, config), season=SEASON)
    return path


@pytest.fixture(scope="session")
def classifier_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A naive Bayes classify run: label "yes" iff the text holds the word "x"."""
    from seqrnn.classify.runs import train
    from seqrnn.classify.workflow import ClassifyConfig, DataConfig

    tmp = tmp_path_factory.mktemp("classify")
    rng = np.random.default_rng(0)
    rows = []
    for i in range(200):
        words = list(rng.choice(list("abcdefgh"), size=int(rng.integers(3, 9))))
        if i % 2:
            words[int(rng.integers(len(words)))] = "x"
        rows.append(json.dumps({"text": " ".join(words), "label": "yes" if i % 2 else "no"}))
    (tmp / "texts.jsonl").write_text("\n".join(rows) + "\n")
    config = ClassifyConfig(
        model="nb", data=DataConfig(train=[str(tmp / "texts.jsonl")]), runs_dir=str(tmp), name="c"
    )
    return train(config).run_dir


def _call(app, requests: list[tuple[str, str, Any]], headers: dict | None = None) -> list:
    """Send ``(method, path, body)`` requests to ``app`` concurrently, in process (httpx over
    ASGI, the app's lifespan running); body: dict (JSON) or bytes."""
    import httpx

    async def main() -> list[httpx.Response]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://test", headers=headers
            ) as client:
                return await asyncio.gather(
                    *(
                        client.request(
                            m,
                            p,
                            content=b if isinstance(b, bytes) else None,
                            json=None if isinstance(b, bytes) else b,
                        )
                        for m, p, b in requests
                    )
                )

    return asyncio.run(main())


@pytest.fixture(scope="session")
def call() -> Callable[..., list]:
    """``call(app, [(method, path, body), ...], headers=None) -> [httpx.Response]``."""
    return _call
