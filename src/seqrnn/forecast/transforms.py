"""Scaling and differencing: what the network sees instead of the raw series, and the way back.

Both are fitted on (or only look at) the training part, so that nothing about the test period
leaks into training, and both invert exactly so that every metric is in original units.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import numpy as np

from seqrnn.errors import ConfigError


class ScalerKind(enum.StrEnum):
    """How inputs are rescaled before they reach the network."""

    MINMAX = "minmax"  # to [0, 1] over the training data (the tutorial's choice)
    STANDARD = "standard"  # zero mean, unit variance over the training data
    NONE = "none"


@dataclass(frozen=True)
class Scaler:
    """Per-channel affine map ``x' = (x - shift) / scale``; channel 0 is the target."""

    kind: ScalerKind
    shift: tuple[float, ...]
    scale: tuple[float, ...]

    @classmethod
    def fit(cls, kind: ScalerKind, train: np.ndarray) -> Scaler:
        """Fit on ``train`` ``[n, C]`` only (never on test data)."""
        kind = ScalerKind(kind)
        c = train.shape[1]
        if kind is ScalerKind.NONE:
            return cls(kind, (0.0,) * c, (1.0,) * c)
        if kind is ScalerKind.MINMAX:
            shift, span = train.min(axis=0), train.max(axis=0) - train.min(axis=0)
        else:
            shift, span = train.mean(axis=0), train.std(axis=0)
        span = np.where(span > 0, span, 1.0)  # a constant channel stays as it is
        return cls(kind, tuple(map(float, shift)), tuple(map(float, span)))

    def transform(self, x: np.ndarray) -> np.ndarray:
        """``[..., C]`` -> scaled ``[..., C]``."""
        return (x - np.asarray(self.shift)) / np.asarray(self.scale)

    def inverse_target(self, z: np.ndarray) -> np.ndarray:
        """Scaled target values (channel 0, any shape) back to transformed units."""
        return z * self.scale[0] + self.shift[0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for the checkpoint's meta."""
        return {"kind": self.kind.value, "shift": list(self.shift), "scale": list(self.scale)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Scaler:
        """Inverse of :meth:`to_dict`."""
        return cls(ScalerKind(d["kind"]), tuple(d["shift"]), tuple(d["scale"]))


class Transform(enum.StrEnum):
    """What the network predicts.

    ``seasonal_diff`` is the seasonal-naive residual: the network learns ``y[t] - y[t-m]``,
    what the seasonal naive forecast gets wrong, and the forecast adds ``y[t-m]`` back.
    """

    NONE = "none"
    DIFF = "diff"  # y[t] - y[t-1]
    SEASONAL_DIFF = "seasonal_diff"  # y[t] - y[t-m]
    BOTH = "seasonal_diff+diff"  # seasonal difference, then first difference


@dataclass(frozen=True)
class Differencer:
    """Differences at ``lags`` applied in order; ``apply`` keeps time indices aligned (the first
    ``sum(lags)`` values are NaN) and ``invert`` rebuilds forecasts in original units."""

    lags: tuple[int, ...] = ()

    @classmethod
    def for_transform(cls, transform: Transform, season: int) -> Differencer:
        """The lags that ``transform`` stands for, with season length ``season``."""
        transform = Transform(transform)
        if transform in (Transform.SEASONAL_DIFF, Transform.BOTH) and season < 2:
            raise ConfigError(f"transform {transform.value!r} needs a season of at least 2")
        return cls(
            {
                Transform.NONE: (),
                Transform.DIFF: (1,),
                Transform.SEASONAL_DIFF: (season,),
                Transform.BOTH: (season, 1),
            }[transform]
        )

    @property
    def order(self) -> int:
        """How many leading values have no difference."""
        return sum(self.lags)

    def levels(self, y: np.ndarray) -> list[np.ndarray]:
        """``[y, d1, d2, ...]``: the series after 0, 1, 2... differencing steps, aligned."""
        out = [np.asarray(y, dtype=np.float64)]
        for lag in self.lags:
            prev = out[-1]
            cur = np.full_like(prev, np.nan)
            cur[lag:] = prev[lag:] - prev[:-lag]
            out.append(cur)
        return out

    def apply(self, y: np.ndarray) -> np.ndarray:
        """The fully differenced series ``[N]`` (NaN where undefined)."""
        return self.levels(y)[-1]

    def invert(self, y: np.ndarray, origins: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Forecasts ``z`` ``[S, H]`` of the differenced series for times ``origin + k`` back to
        original units, using the true series only before each origin (``y[:origin]``).

        A value ``k`` steps ahead that needs an earlier future value takes the forecast one.
        """
        levels = self.levels(y)
        S, H = z.shape
        pred = [np.zeros((S, H)) for _ in levels]  # pred[i][s, k]: level i at origin_s + k
        pred[-1] = np.asarray(z, dtype=np.float64)
        for k in range(H):
            for i in range(len(self.lags) - 1, -1, -1):
                lag = self.lags[i]
                base = pred[i][:, k - lag] if k >= lag else levels[i][origins + k - lag]
                pred[i][:, k] = pred[i + 1][:, k] + base
        return pred[0]
