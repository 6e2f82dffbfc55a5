"""A trained network as a :class:`~seqrnn.forecast.baselines.Forecaster`: it differences and
scales the history, runs the net (one shot, step by step, or with carried state) and maps the
forecasts back to original units."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from seqrnn.errors import ConfigError, InputError
from seqrnn.forecast.nets import ForecastNet, ModelConfig, Strategy
from seqrnn.forecast.transforms import Differencer, Scaler
from seqrnn.forecast.windows import gather_inputs


def prepare(
    y: np.ndarray, covariates: np.ndarray | None, differencer: Differencer
) -> tuple[np.ndarray, np.ndarray]:
    """The channels the network reads, unscaled: ``[N, C]`` (differenced target first, then the
    covariates as they are) and the differenced target ``[N]`` (NaN where undefined)."""
    z = differencer.apply(y)
    data = z[:, None] if covariates is None else np.concatenate([z[:, None], covariates], 1)
    return data, z


class NeuralForecaster:
    """A :class:`ForecastNet` with its scaler and differencer."""

    def __init__(
        self,
        net: ForecastNet,
        config: ModelConfig,
        scaler: Scaler,
        differencer: Differencer,
        name: str = "network",
    ):
        self.net = net.eval()
        self.config = config
        self.scaler = scaler
        self.differencer = differencer
        self.name = name
        self.min_history = config.look_back + differencer.order
        self.meta: dict[str, Any] = {}  # what a checkpoint needs besides the weights

    @property
    def stateful(self) -> bool:
        """Whether forecasts depend on the state carried from earlier origins."""
        return self.config.stateful

    @torch.no_grad()
    def predict_at(
        self,
        y: np.ndarray,
        origins: np.ndarray,
        horizon: int,
        covariates: np.ndarray | None = None,
    ) -> np.ndarray:
        """Forecasts ``[S, horizon]`` in original units; see the Forecaster protocol.

        Stateful networks read the origins in order with the state carried from one origin to
        the next, and start from a zero state wherever the origins jump (as the tutorial's
        ``reset_states()`` between the training and the test predictions).
        """
        origins = np.asarray(origins, dtype=np.int64)
        self._check(y, origins, horizon, covariates)
        data, _ = prepare(y, covariates, self.differencer)
        scaled = self.scaler.transform(data)
        window = torch.as_tensor(gather_inputs(scaled, origins, self.config.look_back)).float()
        if self.config.stateful:
            z = self._stateful(window, origins)[:, :horizon]
        elif self.config.strategy is Strategy.DIRECT:
            z = self.net(window)[0][:, :horizon]  # [S, H]
        else:
            z = self._recursive(window, horizon)
        z = self.scaler.inverse_target(z.double().numpy())
        return self.differencer.invert(y, origins, z)

    def _recursive(self, window: torch.Tensor, horizon: int) -> torch.Tensor:
        """Feed each one-step forecast back as the newest input: ``[S, L, 1]`` -> ``[S, H]``."""
        steps = []
        for _ in range(horizon):
            nxt = self.net(window)[0][:, :1]  # [S, 1]
            steps.append(nxt)
            window = torch.cat([window[:, 1:], nxt[:, :, None]], dim=1)
        return torch.cat(steps, dim=1)

    def _stateful(self, window: torch.Tensor, origins: np.ndarray) -> torch.Tensor:
        """One origin at a time, carrying the state while the origins are consecutive."""
        out, state = [], None
        for i in range(len(origins)):
            if i == 0 or origins[i] != origins[i - 1] + 1:
                state = None
            pred, state = self.net(window[i : i + 1], state)  # [1, outputs]
            out.append(pred)
        return torch.cat(out, dim=0)

    def _check(
        self, y: np.ndarray, origins: np.ndarray, horizon: int, covariates: np.ndarray | None
    ) -> None:
        cfg = self.config
        if len(origins) and origins.min() < self.min_history:
            raise InputError(
                f"a forecast at time {int(origins.min())} needs {self.min_history} past values "
                f"(look-back {cfg.look_back} + differencing {self.differencer.order})"
            )
        if cfg.strategy is Strategy.DIRECT and horizon > cfg.horizon:
            raise ConfigError(
                f"this model forecasts {cfg.horizon} steps directly; {horizon} were asked "
                "(train with a longer horizon or the recursive strategy)"
            )
        if cfg.stateful and horizon > cfg.outputs:
            raise ConfigError(f"this stateful model forecasts at most {cfg.outputs} steps")
        channels = len(self.scaler.shift)
        given = 1 + (0 if covariates is None else covariates.shape[1])
        if given != channels:
            raise InputError(f"the model reads {channels} channels, the data has {given}")
        if covariates is not None:
            self.check_covariates(cfg, horizon)

    @staticmethod
    def check_covariates(cfg: ModelConfig, horizon: int) -> None:
        """Recursive forecasts would need the covariates' future values: refuse them."""
        if cfg.strategy is Strategy.RECURSIVE and horizon > 1:
            raise ConfigError(
                "recursive forecasts of several steps cannot use covariates (their future "
                "values are unknown); use strategy 'direct'"
            )
