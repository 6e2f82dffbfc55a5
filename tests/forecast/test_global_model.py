"""The global network: it learns a family of sines of different scales and phases, its
quantiles are ordered and cover a known distribution, and the backtest that chooses the
default never reads the held-out test values."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from seqrnn.errors import ConfigError
from seqrnn.forecast.global_losses import loss_scale
from seqrnn.forecast.global_model import (
    GlobalConfig,
    GlobalForecaster,
    fit_global,
    prepare,
    training_windows,
)
from seqrnn.forecast.metrics import smape_m3
from seqrnn.forecast.panel import Panel
from seqrnn.forecast.panel_run import holdout
from seqrnn.forecast.quantiles import LEVELS, coverage, msis, pinball_loss
from seqrnn.forecast.selection import SelectionConfig, run_methods
from seqrnn.forecast.stats import naive2, seasonal_naive
from seqrnn.nn.encoder import EncoderConfig
from seqrnn.train.config import TrainConfig

H, M = 6, 12


def _sines(n_series: int = 24, n: int = 60, noise: float = 0.0) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    t = np.arange(n)
    return [
        10 ** rng.uniform(0, 4)
        * (3 + np.sin(2 * np.pi * t / M + rng.uniform(0, 2 * np.pi)))
        * np.exp(noise * rng.standard_normal(n))
        for _ in range(n_series)
    ]


def _tiny(epochs: int = 20, **kw) -> GlobalConfig:
    return GlobalConfig(
        horizon=H,
        look_backs=(12,),
        min_input=6,
        chunk=3,  # 4 recurrent steps of 3 values: fast
        deseasonalise=kw.pop("deseasonalise", (True,)),  # one member: fast
        encoder=EncoderConfig(hidden_size=16, num_layers=1),
        train=TrainConfig(epochs=epochs, batch_size=64, learning_rate=1e-2, device="cpu"),
        **kw,
    )


def test_learns_sines_of_any_scale_and_phase():
    series = _sines()
    train, test = [y[:-H] for y in series], np.stack([y[-H:] for y in series])
    # season=1: the network, not the seasonal indices, has to learn the shape
    q = fit_global(train, 1, _tiny()).predict(train, 1)  # [S, H, Q]
    net = np.mean([smape_m3(t, f) for t, f in zip(test, q[..., 2], strict=True)])
    naive = np.mean([smape_m3(t, f) for t, f in zip(test, naive2(train, H, 1), strict=True)])
    assert net < 0.35 * naive, (net, naive)


def test_quantiles_ordered():
    series = _sines(8, 40, noise=0.2)
    q = fit_global(series, M, _tiny(epochs=2)).predict(series, M)
    assert q.shape == (8, H, len(LEVELS))
    assert np.all(np.diff(q, axis=-1) >= 0)


def test_pinball_loss_finds_the_quantiles_of_a_known_distribution():
    y = torch.randn(4000, 1)  # N(0, 1)
    levels = torch.tensor(LEVELS)
    f = torch.zeros(1, 1, len(LEVELS), requires_grad=True)
    opt = torch.optim.Adam([f], lr=0.05)
    for _ in range(400):
        opt.zero_grad()
        pinball_loss(f.expand(4000, 1, -1), y, levels).backward()
        opt.step()
    expected = np.quantile(y.numpy(), LEVELS)
    np.testing.assert_allclose(f.detach().numpy().ravel(), expected, atol=0.08)
    q = f.detach().numpy().ravel()
    assert 93 < coverage(y.numpy().ravel(), q[0], q[-1]) < 97


def test_msis_by_hand():
    y = np.array([3.0, 5.0, 12.0])
    # width 8 each; 12 is 2 above the upper end: penalty 2/0.05 * 2 = 80
    assert msis(y, np.full(3, 2.0), np.full(3, 10.0), scale=2.0) == pytest.approx((24 + 80) / 3 / 2)


def test_seasonal_naive_repeats_last_season():
    y = np.arange(24.0) + 1
    np.testing.assert_array_equal(seasonal_naive([y], 14, 12)[0], np.r_[y[12:], y[12:14]])


def _panel(series: list[np.ndarray]) -> Panel:
    return Panel([f"s{i}" for i in range(len(series))], series, M, ["A", "B"] * (len(series) // 2))


@pytest.mark.parametrize("ets", [False, True])
def test_backtest_and_forecasts_never_read_test_values(ets):
    if ets:
        pytest.importorskip("statsforecast")
    series = _sines(10, 48, noise=0.1)
    config = SelectionConfig(model=_tiny(epochs=2), ets=ets)
    clean = holdout(_panel(series), config).forecast
    assert ("mean network+dotm+ets" in clean.points) == ets
    assert ("weighted network+dotm+ets" in clean.points) == ets
    poisoned = [np.r_[y[:-H], np.full(H, 1e12)] for y in series]
    poisoned[0][-1] = np.nan
    dirty = holdout(_panel(poisoned), config).forecast
    assert clean.chosen == dirty.chosen and clean.factor == dirty.factor
    assert clean.methods == dirty.methods and clean.reason == dirty.reason
    np.testing.assert_array_equal(clean.point, dirty.point)
    for name in clean.points:
        np.testing.assert_array_equal(clean.points[name], dirty.points[name])
    np.testing.assert_array_equal(clean.quantiles, dirty.quantiles)


def test_origin_networks_train_one_network_per_origin_on_the_values_before_it(monkeypatch):
    from seqrnn.forecast import selection

    series = _sines(6, 48, noise=0.1)
    seen: list[int] = []
    real = selection.fit_global

    def spy(train, season, config, categories=None):
        seen.append(max(len(y) for y in train))  # the latest value it may read
        return real(train, season, config, categories)

    monkeypatch.setattr(selection, "fit_global", spy)
    once = SelectionConfig(model=_tiny(epochs=1), ets=False)
    selection.backtest(series, M, once)
    assert seen == [48 - H - 12]  # once, before the first origin (origins 6 values apart)
    seen.clear()
    each = replace(once, origin_networks=True)
    back = selection.backtest(series, M, each)
    assert seen == [48 - H - 12, 48 - H - 6, 48 - H]  # at every origin, as the baselines are
    assert back.net is not None and back.decision.methods


def test_combinations_are_the_hand_median_and_mean():
    pytest.importorskip("statsforecast")
    series = _sines(6, 48, noise=0.1)
    config = SelectionConfig(model=_tiny(epochs=1), ets=True)
    points = run_methods(series, M, config, None)[0]
    p = {k: points[k] for k in ("network", "theta", "dotm", "ets")}
    np.testing.assert_allclose(
        points["mean network+dotm+ets"], (p["network"] + p["dotm"] + p["ets"]) / 3
    )
    np.testing.assert_allclose(points["network+dotm"], (p["network"] + p["dotm"]) / 2)
    hand = np.sort(np.stack([p["network"], p["theta"], p["ets"]]), axis=0)[1]
    np.testing.assert_allclose(points["network+theta+ets"], hand)


def test_the_weighted_mean_uses_the_weights_fitted_on_every_origin_and_can_be_left_out():
    pytest.importorskip("statsforecast")
    series = _sines(8, 48, noise=0.1)
    config = SelectionConfig(model=_tiny(epochs=1), ets=True)
    fc = holdout(_panel(series), config).forecast
    w = fc.weights["weighted network+dotm+ets"]
    assert len(w) == 3 and sum(w) == pytest.approx(1.0) and min(w) >= 0
    parts = [fc.points[k] for k in ("network", "dotm", "ets")]
    np.testing.assert_allclose(
        fc.points["weighted network+dotm+ets"], sum(wi * p for wi, p in zip(w, parts, strict=True))
    )
    assert "weighted network+dotm+ets" in fc.backtest.index
    off = holdout(_panel(series), replace(config, weighted=False)).forecast
    assert "weighted network+dotm+ets" not in off.points and not off.weights


def test_short_and_non_positive_series_fall_back_and_are_listed():
    series = _sines(6, 48)
    series[1] = series[1][:16]  # shorter than min_input + H once the hold-out is cut
    series[2] = series[2] - series[2].mean()  # values <= 0
    result = holdout(_panel(series), SelectionConfig(model=_tiny(epochs=1), ets=False))
    assert set(result.forecast.fallback) == {"s1", "s2"}
    assert np.isfinite(result.forecast.points["network"]).all()


def test_categories_as_input_channels_and_an_unseen_one():
    series = _sines(8, 48)
    cats = ["A", "B"] * 4
    net = fit_global(series, M, _tiny(epochs=1, categories=True, category_every=1), cats)
    assert net.vocabulary == ("A", "B")
    assert net.members[0][1].encoder.rnn.input_size == (4 + 2) * 3  # channels x chunk
    q = net.predict(series[:2], M, ["A", "Z"])  # "Z": all-zero category channels
    assert q.shape == (2, H, len(LEVELS)) and np.isfinite(q).all()


def test_every_second_member_sees_the_categories_by_default():
    series = _sines(8, 48)
    config = replace(_tiny(epochs=1, deseasonalise=(True, False)), look_backs=(6, 12))
    assert config.categories and config.category_every == 2  # the default
    net = fit_global(series, M, config, ["A", "B"] * 4)
    assert [m.categories for _, m in net.members] == [False, True, False, True]
    widths = [m.encoder.rnn.input_size for _, m in net.members]
    assert widths == [4 * 3, (4 + 2) * 3] * 2  # channels x chunk
    # a member without them forecasts the same whatever the categories say
    alone = GlobalForecaster(config, net.members[:1], net.vocabulary)
    np.testing.assert_array_equal(
        alone.predict(series, M, ["A"] * 8), alone.predict(series, M, ["B"] * 8)
    )
    assert not np.array_equal(net.predict(series, M, ["A"] * 8), net.predict(series, M, ["B"] * 8))
    with pytest.raises(ConfigError, match="category_every"):
        GlobalConfig(category_every=0)


def test_saved_network_forecasts_new_series_identically(tmp_path):
    from seqrnn.errors import CheckpointError
    from seqrnn.forecast import load_global, save_global

    series = _sines(8, 48)
    config = _tiny(
        epochs=1, categories=True, deseasonalise=(True, False), losses=("pinball", "smape")
    )
    net = fit_global(series, M, config, ["A", "B"] * 4)
    save_global(tmp_path / "m.safetensors", net)
    back = load_global(tmp_path / "m.safetensors")
    assert [n.deseasonalised for _, n in back.members] == [True, True, False, False]
    assert [n.loss for _, n in back.members] == ["pinball", "smape"] * 2
    assert [n.categories for _, n in back.members] == [False, True] * 2
    new = _sines(3, 40, noise=0.05)
    np.testing.assert_array_equal(net.predict(new, M, ["B"] * 3), back.predict(new, M, ["B"] * 3))
    assert back.vocabulary == ("A", "B") and back.config == net.config
    raw = bytearray((tmp_path / "m.safetensors").read_bytes())
    raw[-5] ^= 1  # one flipped bit in the weights
    (tmp_path / "bad.safetensors").write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match="checksum"):
        load_global(tmp_path / "bad.safetensors")


def test_a_file_from_before_mixed_members_loads_as_all_deseasonalised_and_pinball(tmp_path):
    from seqrnn.forecast import load_global, save_global
    from seqrnn.io.checkpoint import load_checkpoint, save_checkpoint

    series = _sines(6, 40)
    save_global(tmp_path / "new.safetensors", fit_global(series, M, _tiny(epochs=1)))
    old = load_checkpoint(tmp_path / "new.safetensors", "global-forecaster")
    for key in ("deseasonalised", "losses"):  # the header as written before the keys existed
        del old.meta[key]
    del old.meta["config"]["deseasonalise"], old.meta["config"]["losses"]
    save_checkpoint(tmp_path / "old.safetensors", old)
    back = load_global(tmp_path / "old.safetensors")
    assert [n.deseasonalised for _, n in back.members] == [True]
    assert [n.loss for _, n in back.members] == ["pinball"]
    assert back.predict(series, M).shape == (6, H, len(LEVELS))


def test_a_file_from_before_mixed_category_members_loads_as_its_config_says(tmp_path):
    from seqrnn.forecast import load_global, save_global
    from seqrnn.io.checkpoint import load_checkpoint, save_checkpoint

    series, cats = _sines(6, 40), ["A", "B", "C"] * 2
    config = _tiny(epochs=1, deseasonalise=(True, False), category_every=1)
    net = fit_global(series, M, config, cats)  # then: every member or none
    save_global(tmp_path / "new.safetensors", net)
    old = load_checkpoint(tmp_path / "new.safetensors", "global-forecaster")
    del old.meta["categories"], old.meta["config"]["category_every"]  # as written before
    save_checkpoint(tmp_path / "old.safetensors", old)
    back = load_global(tmp_path / "old.safetensors")
    assert [n.categories for _, n in back.members] == [True, True]
    np.testing.assert_array_equal(back.predict(series, M, cats), net.predict(series, M, cats))


def test_mase_weights_turn_targets_back_into_scaled_original_values():
    series = _sines(4, 40)
    data = prepare(series, M, pad=12)
    scales = np.array([loss_scale(y, M) for y in series])
    _, y = training_windows(data, 12, H, 6, scales=scales)
    value = (y[..., 1] * y[..., 0].exp()).numpy()  # weight * e^target: value / scale / mean
    # the same windows by hand: series s, origins 6.. (every target inside the series)
    truth = [y_s[o : o + H] / scales[s] for s, y_s in enumerate(series) for o in range(6, 35)]
    ratio = value / np.stack(truth)
    assert np.allclose(ratio, ratio.flat[0], rtol=1e-4)  # one constant: the weights' mean


@pytest.mark.parametrize("loss", ["smape", "mase"])
def test_a_point_loss_member_learns_the_sines_and_keeps_ordered_quantiles(loss):
    series = _sines()
    train, test = [y[:-H] for y in series], np.stack([y[-H:] for y in series])
    net = fit_global(train, 1, _tiny(losses=(loss,)))
    q = net.predict(train, 1)
    assert [m.loss for _, m in net.members] == [loss]
    assert np.all(np.diff(q, axis=-1) >= 0)
    err = np.mean([smape_m3(t, f) for t, f in zip(test, q[..., 2], strict=True)])
    naive = np.mean([smape_m3(t, f) for t, f in zip(test, naive2(train, H, 1), strict=True)])
    assert err < 0.35 * naive, (err, naive)


def test_unknown_loss_is_refused():
    with pytest.raises(ConfigError, match="losses"):
        GlobalConfig(losses=("mse",))
