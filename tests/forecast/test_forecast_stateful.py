"""The stateful framing: streams of windows, state carried across batches, reset when asked."""

from __future__ import annotations

import numpy as np
import torch

from seqrnn.forecast.nets import ForecastNet, ModelConfig
from seqrnn.forecast.neural import NeuralForecaster
from seqrnn.forecast.task import ForecastTask
from seqrnn.forecast.transforms import Differencer, Scaler, ScalerKind, Transform
from seqrnn.forecast.windows import StatefulBatches

CFG = ModelConfig(framing="stateful", look_back=3, transform=Transform.NONE)


def test_windows_are_dealt_into_contiguous_streams():
    x = torch.arange(10.0)[:, None, None]  # window i holds i
    src = StatefulBatches(x, x[:, 0], batch_size=3)  # 10 // 3: the oldest window is left out
    batches = list(src.batches(epoch=0))
    assert [b[0][:, 0, 0].tolist() for b in batches] == [[1, 4, 7], [2, 5, 8], [3, 6, 9]]
    assert [b[2] for b in batches] == [True, False, False]  # reset at each epoch's start
    assert next(iter(src.batches(epoch=1)))[2] is True and len(src) == 3


def test_state_carries_across_batches_and_resets_when_asked():
    net = ForecastNet(CFG, channels=1)
    x1, x2 = torch.randn(2, 3, 1), torch.randn(2, 3, 1)
    y = torch.zeros(2, 1)
    task = ForecastTask(stateful=True)
    fresh = task.step(net, (x2, y, True), train=False).loss  # x2 from a zero state
    task.step(net, (x1, y, True), train=False)
    assert not task.state[0].requires_grad  # detached between batches
    carried = task.step(net, (x2, y, False), train=False).loss
    assert not torch.allclose(carried, fresh)  # x1 reached the next batch through the state
    task.step(net, (x1 * 5, y, True), train=False)
    changed = task.step(net, (x2, y, False), train=False).loss
    assert not torch.allclose(changed, carried)  # ... and what x1 was matters
    task.step(net, (x1, y, True), train=False)
    reset = task.step(net, (x2, y, True), train=False).loss
    assert torch.allclose(reset, fresh)  # reset: back to the zero state


def test_plain_task_never_carries_state():
    net = ForecastNet(ModelConfig(framing="timesteps", look_back=3), channels=1)
    task = ForecastTask(stateful=False)
    x, y = torch.randn(2, 3, 1), torch.zeros(2, 1)
    task.step(net, (torch.randn(2, 3, 1), y, True), train=False)
    assert task.state is None
    assert torch.allclose(
        task.step(net, (x, y, False), train=False).loss,
        task.step(net, (x, y, True), train=False).loss,
    )


def test_forecaster_carries_state_over_consecutive_origins_only():
    y = np.sin(np.arange(60) / 3.0)
    scaler = Scaler.fit(ScalerKind.NONE, y[:40, None])
    f = NeuralForecaster(ForecastNet(CFG, 1), CFG, scaler, Differencer())
    run = f.predict_at(y, np.arange(10, 21), 1)
    alone = f.predict_at(y, np.array([20]), 1)
    assert not np.allclose(run[-1], alone[0])  # origin 20 saw the state from 10..19
    jump = f.predict_at(y, np.array([10, 11, 20]), 1)
    assert np.allclose(jump[-1], alone[0])  # a jump in origins resets the state
