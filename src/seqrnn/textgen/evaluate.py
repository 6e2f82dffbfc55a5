"""Held-out scores of a text model, in nats and bits per symbol, two ways.

For a held-out stream ``s_0 s_1 ... s_{N-1}`` both ways score the same ``N - 1`` targets
``s_1 ... s_{N-1}`` (the first symbol has nothing before it):

* **full context**: one pass over the whole text, the state carried from its start, so
  ``s_t`` is predicted from everything before it;
* **windows**: the text cut into consecutive windows of ``W`` inputs; window ``k`` reads
  ``s_{kW} ... s_{kW+W-1}`` from a fresh (zero) state and predicts ``s_{kW+1} ... s_{kW+W}``,
  so a target sees between 1 and ``W`` symbols of context (as a transformer with a context of
  ``W`` is usually scored).

Bits per symbol = nats / ln 2: bits per character for character models, per word for word
models. The network runs in float32 and eval mode, whatever it was trained with.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F

from seqrnn.errors import ConfigError
from seqrnn.nn.next_symbol import NextSymbolNet


@dataclass(frozen=True)
class TextScores:
    """Mean negative log-likelihood per scored symbol on a held-out text."""

    positions: int
    window: int
    full_context_nats: float
    window_nats: float

    @property
    def full_context_bits(self) -> float:
        """Bits per symbol with the full context."""
        return self.full_context_nats / math.log(2)

    @property
    def window_bits(self) -> float:
        """Bits per symbol in windows."""
        return self.window_nats / math.log(2)

    def to_dict(self) -> dict[str, float | int]:
        """JSON-ready, bits included."""
        return {
            **asdict(self),
            "full_context_bits": self.full_context_bits,
            "window_bits": self.window_bits,
        }


def _targets_nll(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """``logits [..., V]`` and ``targets [...]`` -> ``-log p(target)`` as float64 ``[...]``."""
    logp = F.log_softmax(logits.float(), dim=-1)
    return -logp.gather(-1, targets[..., None])[..., 0].double()


@torch.inference_mode()
def full_context_nll(net: NextSymbolNet, ids: np.ndarray, chunk: int = 8192) -> np.ndarray:
    """``-log p(s_t | s_0 .. s_{t-1})`` for ``t = 1 .. N-1``: ``[N - 1]`` float64, one pass.

    The text goes through in chunks of ``chunk`` steps with the state carried over, which is
    the same computation as one call over the whole text, in bounded memory.
    """
    net.eval()
    device = next(net.parameters()).device
    x = torch.as_tensor(np.asarray(ids), dtype=torch.int64, device=device)
    out, state = [], None
    for begin in range(0, len(x) - 1, chunk):
        end = min(begin + chunk, len(x) - 1)
        logits, state = net(x[begin:end][None], state)  # [1, C, V]
        out.append(_targets_nll(logits[0], x[begin + 1 : end + 1]))
    return torch.cat(out).cpu().numpy() if out else np.zeros(0)


@torch.inference_mode()
def window_nll(
    net: NextSymbolNet, ids: np.ndarray, window: int = 64, batch_size: int = 1024
) -> np.ndarray:
    """The same ``N - 1`` targets, each window of ``window`` inputs from a fresh state:
    ``[N - 1]`` float64 (a shorter last window covers the tail)."""
    if window < 1:
        raise ConfigError(f"window must be a positive integer, got {window}")
    net.eval()
    device = next(net.parameters()).device
    x = torch.as_tensor(np.asarray(ids), dtype=torch.int64, device=device)
    n_full = (len(x) - 1) // window
    inputs = x[: n_full * window].view(n_full, window)  # [K, W]
    targets = x[1 : n_full * window + 1].view(n_full, window)  # [K, W]
    out = []
    for b in range(0, n_full, batch_size):
        logits, _ = net(inputs[b : b + batch_size])  # [b, W, V]
        out.append(_targets_nll(logits, targets[b : b + batch_size]).reshape(-1))
    tail = len(x) - 1 - n_full * window
    if tail:
        begin = n_full * window
        logits, _ = net(x[begin : begin + tail][None])  # [1, tail, V]
        out.append(_targets_nll(logits[0], x[begin + 1 :]))
    return torch.cat(out).cpu().numpy() if out else np.zeros(0)


def score_text(net: NextSymbolNet, ids: np.ndarray, window: int = 64) -> TextScores:
    """Mean nats per symbol on ``ids``, with the full context and in windows of ``window``."""
    if len(ids) < 2:
        raise ValueError("a held-out text needs at least 2 symbols to score")
    was_training = net.training
    full = full_context_nll(net, ids)
    win = window_nll(net, ids, window)
    net.train(was_training)
    return TextScores(
        positions=len(full),
        window=window,
        full_context_nats=float(full.mean()),
        window_nats=float(win.mean()),
    )
