"""Sampling from any next-symbol model: temperature, top-k, top-p, seedable.

Temperature follows the original program: ``log p / T``, renormalise, draw. ``T -> 0`` is
greedy decoding (``temperature=0`` means exactly argmax).
"""

from __future__ import annotations

import numpy as np
import torch

from seqrnn.data.vocab import PAD, UNK
from seqrnn.models.base import NextSymbolModel


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
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    logits = log_probs.double().clone()
    if banned:
        logits[:, list(banned)] = -torch.inf
    if temperature == 0:
        return logits.argmax(dim=1)
    logits = logits / temperature
    if top_k is not None:
        if top_k <= 0:
            raise ValueError(f"top_k must be positive, got {top_k}")
        kth = logits.topk(min(top_k, logits.size(1)), dim=1).values[:, -1:]
        logits = logits.masked_fill(logits < kth, -torch.inf)
    if top_p is not None:
        if not 0 < top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {top_p}")
        sorted_logits, order = logits.sort(dim=1, descending=True)
        cum = sorted_logits.softmax(dim=1).cumsum(dim=1)
        drop = cum - sorted_logits.softmax(dim=1) >= top_p  # keep the first id that crosses p
        sorted_logits[drop] = -torch.inf
        logits = torch.full_like(logits, -torch.inf).scatter(1, order, sorted_logits)
    probs = logits.softmax(dim=1)
    return torch.multinomial(probs, 1, generator=generator)[:, 0]


def generate(
    model: NextSymbolModel,
    prime: np.ndarray,
    length: int,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    num_samples: int = 1,
    seed: int | None = None,
) -> np.ndarray:
    """Continue ``prime`` (encoded ids) by ``length`` symbols, ``num_samples`` times at once.

    Returns ``[num_samples, length]`` new ids. Works for every model through its context
    window; the same seed gives the same samples.
    """
    generator = torch.Generator()
    generator.manual_seed(seed if seed is not None else int(torch.seed() % 2**31))
    L = model.context_length
    context = torch.zeros(num_samples, L, dtype=torch.int64)  # PAD-filled history
    prime_t = torch.as_tensor(np.asarray(prime), dtype=torch.int64)[-L:]
    if len(prime_t):
        context[:, L - len(prime_t) :] = prime_t
    out = torch.empty(num_samples, length, dtype=torch.int64)
    for i in range(length):
        nxt = sample_next(model.next_log_probs(context), temperature, top_k, top_p, generator)
        out[:, i] = nxt
        context = torch.cat([context[:, 1:], nxt[:, None]], dim=1)
    return out.numpy()
