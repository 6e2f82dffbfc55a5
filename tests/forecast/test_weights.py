"""Combination weights fitted on the backtest: the grid, the fit, and cross-fitting that never
uses an origin's own values to weight that origin's forecast."""

from __future__ import annotations

import numpy as np
import pytest

from seqrnn.errors import ConfigError
from seqrnn.forecast.metrics import smape
from seqrnn.forecast.weights import cross_fitted, fit_weights, row_smape, simplex


def test_the_grid_is_every_weight_vector_on_the_simplex():
    grid = simplex(3, 0.1)
    assert grid.shape == (66, 3)  # C(12, 2)
    np.testing.assert_allclose(grid.sum(axis=1), 1.0)
    assert (grid >= 0).all() and len({tuple(r) for r in grid}) == 66
    with pytest.raises(ConfigError, match="1/step whole"):
        simplex(3, 0.3)


def test_row_smape_is_the_metric_per_row_over_its_finite_truth():
    rng = np.random.default_rng(0)
    y, f = rng.uniform(1, 5, (4, 6)), rng.uniform(1, 5, (4, 6))
    y[1, 2:] = np.nan
    y[3] = np.nan
    got = row_smape(y, f)
    for i in range(3):
        keep = np.isfinite(y[i])
        assert got[i] == pytest.approx(smape(y[i][keep], f[i][keep]))
    assert np.isnan(got[3])


def test_the_fit_puts_the_weight_where_the_error_is_lowest():
    rng = np.random.default_rng(1)
    y = rng.uniform(10, 20, (50, 6))
    good, bad = y * 1.01, y * rng.uniform(0.5, 1.5, y.shape)
    np.testing.assert_allclose(fit_weights(y, [bad, good, bad]), [0, 1, 0])
    # errors of opposite sign: the mix cancels them
    np.testing.assert_allclose(fit_weights(y, [y * 1.2, y * 0.8]), [0.5, 0.5])
    # nothing scored: equal weights
    np.testing.assert_allclose(fit_weights(np.full((3, 6), np.nan), [y[:3], y[:3]]), [0.5, 0.5])


def test_cross_fitting_never_weights_an_origin_with_its_own_values():
    rng = np.random.default_rng(2)
    origins, S, H = 3, 20, 6
    y = rng.uniform(10, 20, (origins * S, H))
    a, b = y * 1.1, y * rng.uniform(0.95, 1.05, y.shape)
    clean, used = cross_fitted(y, [a, b], origins)
    poisoned = y.copy()
    poisoned[S : 2 * S] = a[S : 2 * S]  # origin 2: now a is exact there
    dirty, used_dirty = cross_fitted(poisoned, [a, b], origins)
    np.testing.assert_array_equal(used[1], used_dirty[1])  # origin 2's weights: unchanged
    np.testing.assert_array_equal(clean[S : 2 * S], dirty[S : 2 * S])
    assert not np.array_equal(used[0], used_dirty[0])  # the others read origin 2
    w = used[0]
    np.testing.assert_allclose(clean[:S], w[0] * a[:S] + w[1] * b[:S])
    with pytest.raises(ConfigError, match="two origins"):
        cross_fitted(y, [a, b], 1)
