"""Scaling fitted on the training part only; differencing inverts exactly."""

from __future__ import annotations

import numpy as np
import pytest

from seqrnn.forecast import Series, config_from_dict, train
from seqrnn.forecast.transforms import Differencer, Scaler, ScalerKind, Transform
from seqrnn.forecast.windows import gather_targets


@pytest.mark.parametrize("transform", list(Transform))
def test_differencing_inverts_exactly_over_long_horizons(transform):
    rng = np.random.default_rng(0)
    y = np.cumsum(rng.normal(size=80)) + 10 * np.sin(np.arange(80) * 2 * np.pi / 4)
    diff = Differencer.for_transform(transform, season=4)
    z = diff.apply(y)
    origins = np.arange(diff.order + 1, 70)
    back = diff.invert(y, origins, gather_targets(z, origins, 7))  # 7 > season: chains
    assert np.allclose(back, gather_targets(y, origins, 7))


def test_scalers():
    train_part = np.array([[2.0], [4.0], [6.0]])
    mm = Scaler.fit(ScalerKind.MINMAX, train_part)
    assert mm.transform(np.array([[2.0], [6.0], [10.0]])).ravel().tolist() == [0, 1, 2]
    st = Scaler.fit(ScalerKind.STANDARD, train_part)
    assert st.shift == (4.0,) and st.scale == pytest.approx((np.sqrt(8 / 3),))
    assert st.inverse_target(st.transform(np.array([[7.0]]))[:, 0]) == pytest.approx([7.0])


def test_scaler_is_fitted_on_the_training_part_only():
    y = 2 + np.sin(np.arange(100) / 2.0)
    cfg = config_from_dict(
        {
            "data": {"train_fraction": 0.6},
            "model": {"transform": "none", "scaler": "minmax", "look_back": 4},
            "train": {"epochs": 1},
            "runs_dir": "",
            "mlp_baseline": False,
        }
    )
    a = train(cfg, series=Series(y)).forecaster.scaler
    y_wild = y.copy()
    y_wild[60:] *= 100  # only the test part changes
    b = train(cfg, series=Series(y_wild)).forecaster.scaler
    assert a == b
    assert a.shift == (y[:60].min(),) and a.scale == (y[:60].max() - y[:60].min(),)
