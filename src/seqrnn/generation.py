"""Sampling from any next-symbol model: temperature, top-k, top-p, seedable, streamed.

Temperature follows the original program: ``log p / T``, renormalise, draw. ``T -> 0`` is
greedy decoding (``temperature=0`` means exactly argmax).

Two ways to get the next distribution, chosen once in :func:`stepper_for`:

* every model: re-read the last ``context_length`` symbols at each step
  (:meth:`NextSymbolModel.next_log_probs`), ``O(L)`` work per symbol;
* recurrent per-step networks (text models, per-step next-symbol models): read the prime once,
  then feed one symbol at a time carrying the recurrent state, ``O(1)`` per symbol and no
  limit on how far back the model remembers.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
import torch
import torch.nn.functional as F

from seqrnn.data.vocab import PAD, UNK, Vocabulary
from seqrnn.errors import ConfigError
from seqrnn.evaluation.scoring import check_finite_log_probs
from seqrnn.models.base import NextSymbolModel
from seqrnn.nn.encoder import State
from seqrnn.nn.next_symbol import Head, NextSymbolNet


def check_sampling(
    temperature: float, top_k: int | None = None, top_p: float | None = None
) -> None:
    """Refuse sampling settings that would crash or silently mean something else
    (``nan`` temperature, ``top_k = 0``, ``top_p = 2``) with a :class:`ConfigError`."""
    if not (math.isfinite(temperature) and temperature >= 0):
        raise ConfigError(f"temperature must be a finite number >= 0, got {temperature}")
    if top_k is not None and top_k <= 0:
        raise ConfigError(f"top_k must be positive, got {top_k}")
    if top_p is not None and not 0 < top_p <= 1:  # also refuses nan
        raise ConfigError(f"top_p must be in (0, 1], got {top_p}")


def sample_next(
    log_probs: torch.Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    generator: torch.Generator | None = None,
    banned: tuple[int, ...] = (PAD, UNK),
) -> torch.Tensor:
    """Draw one id per row of ``log_probs [B, V]``; returns ``[B]`` int64.

    ``banned`` ids (padding and unknown by default) are never drawn. ``top_k`` keeps the k
    most likely ids, ``top_p`` the smallest set whose probability reaches ``p``.
    """
    check_sampling(temperature, top_k, top_p)
    logits = log_probs.double().clone()
    if banned:
        logits[:, list(banned)] = -torch.inf
    if temperature == 0:
        return logits.argmax(dim=1)
    logits = logits / temperature
    if top_k is not None:
        kth = logits.topk(min(top_k, logits.size(1)), dim=1).values[:, -1:]
        logits = logits.masked_fill(logits < kth, -torch.inf)
    if top_p is not None:
        sorted_logits, order = logits.sort(dim=1, descending=True)
        cum = sorted_logits.softmax(dim=1).cumsum(dim=1)
        drop = cum - sorted_logits.softmax(dim=1) >= top_p  # keep the first id that crosses p
        sorted_logits[drop] = -torch.inf
        logits = torch.full_like(logits, -torch.inf).scatter(1, order, sorted_logits)
    probs = logits.softmax(dim=1)
    return torch.multinomial(probs, 1, generator=generator)[:, 0]


class Stepper(Protocol):
    """Gives the next-symbol distribution of ``B`` samples, one symbol at a time."""

    def start(self, prime: torch.Tensor) -> torch.Tensor:
        """Read ``prime [B, P]`` (``P`` may be 0); return log-probs ``[B, V]``."""
        ...

    def advance(self, ids: torch.Tensor) -> torch.Tensor:
        """Append ``ids [B]``; return log-probs ``[B, V]`` of the symbol after them."""
        ...


class WindowStepper:
    """Any model: the last ``context_length`` symbols (left-padded with PAD) at every step."""

    def __init__(self, model: NextSymbolModel):
        self.model = model
        self.context: torch.Tensor | None = None  # [B, L]

    def start(self, prime: torch.Tensor) -> torch.Tensor:
        L = self.model.context_length
        self.context = torch.full((prime.size(0), L), PAD, dtype=torch.int64)
        tail = prime[:, -L:]
        if tail.size(1):
            self.context[:, L - tail.size(1) :] = tail
        return self.model.next_log_probs(self.context)

    def advance(self, ids: torch.Tensor) -> torch.Tensor:
        if self.context is None:
            raise RuntimeError("call start() before advance()")
        self.context = torch.cat([self.context[:, 1:], ids[:, None]], dim=1)
        return self.model.next_log_probs(self.context)


class RecurrentStepper:
    """A per-step recurrent network: the prime once, then one symbol per call, the state
    carried. An empty prime starts from a single PAD, as ``sequence_log_probs`` does."""

    def __init__(self, net: NextSymbolNet, device: torch.device):
        self.net = net
        self.device = device
        self.state: State | None = None

    @torch.inference_mode()
    def _feed(self, ids: torch.Tensor) -> torch.Tensor:
        self.net.eval()
        logits, self.state = self.net(ids.to(self.device), self.state)  # [B, T, V]
        return F.log_softmax(logits[:, -1].float(), dim=-1).cpu()  # [B, V]

    def start(self, prime: torch.Tensor) -> torch.Tensor:
        self.state = None
        if prime.size(1) == 0:
            prime = torch.full((prime.size(0), 1), PAD, dtype=torch.int64)
        return self._feed(prime)

    def advance(self, ids: torch.Tensor) -> torch.Tensor:
        return self._feed(ids[:, None])


def stepper_for(model: NextSymbolModel) -> Stepper:
    """The fastest exact way to step ``model``: its recurrent state when it is a per-step
    recurrent network, else its context window."""
    net = getattr(model, "net", None)
    if isinstance(net, NextSymbolNet) and net.config.head is Head.PER_STEP:
        return RecurrentStepper(net, next(net.parameters()).device)
    return WindowStepper(model)


def generate(
    model: NextSymbolModel,
    prime: np.ndarray,
    length: int,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    num_samples: int = 1,
    seed: int | None = None,
    on_step: Callable[[np.ndarray], None] | None = None,
    stepper: Stepper | None = None,
) -> np.ndarray:
    """Continue ``prime`` (encoded ids) by ``length`` symbols, ``num_samples`` times at once.

    Returns ``[num_samples, length]`` new ids; the same seed gives the same samples.
    ``on_step`` receives each step's ``[num_samples]`` new ids as soon as they are drawn (to
    stream them out). ``stepper`` defaults to :func:`stepper_for` ``(model)``.
    """
    check_sampling(temperature, top_k, top_p)
    if length < 0 or num_samples < 1:
        raise ConfigError(
            f"length must be >= 0 and num_samples >= 1, got {length} and {num_samples}"
        )
    generator = torch.Generator()
    # an unseeded draw takes fresh OS entropy rather than torch.seed(), which would reseed
    # (and so disturb) the caller's global torch RNG stream
    generator.manual_seed(seed if seed is not None else secrets.randbits(31))
    stepper = stepper or stepper_for(model)
    prime_t = torch.as_tensor(np.asarray(prime, dtype=np.int64)).reshape(1, -1)
    log_probs = stepper.start(prime_t.expand(num_samples, -1))
    out = torch.empty(num_samples, length, dtype=torch.int64)
    for i in range(length):
        check_finite_log_probs(log_probs, model)  # NaN would make sampling fail obscurely
        nxt = sample_next(log_probs, temperature, top_k, top_p, generator)
        out[:, i] = nxt
        if on_step is not None:
            on_step(nxt.numpy())
        if i + 1 < length:
            log_probs = stepper.advance(nxt)
    return out.numpy()


class TextStream:
    """An ``on_step`` callback for one sample that turns each new id into the new piece of
    text and hands it to ``emit`` (so characters can be written as they are produced).

    ``detokenize`` joins symbols into text (``"".join`` for characters, words with spaces);
    ``prefix`` are the prime's symbols, so that the first piece is spaced correctly after them.
    """

    def __init__(
        self,
        vocab: Vocabulary,
        detokenize: Callable[[Sequence[str]], str],
        emit: Callable[[str], None],
        prefix: Sequence[str] = (),
    ):
        self.vocab = vocab
        self.detokenize = detokenize
        self.emit = emit
        self.symbols = list(prefix)
        self._written = len(detokenize(self.symbols))

    def __call__(self, ids: np.ndarray) -> None:
        self.symbols.append(self.vocab.symbols[int(ids[0])])
        text = self.detokenize(self.symbols)
        self.emit(text[self._written :])
        self._written = len(text)
