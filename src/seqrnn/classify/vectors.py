"""Word vectors from unlabelled text in seconds: PPMI + truncated SVD (Levy, Goldberg & Dagan
2015), a cheap alternative to pretraining a language model.

Words that occur in the same windows get similar vectors. Over the id stream of every text
(texts are not joined: a window never crosses a text's end) each pair of words at most
``window`` apart is counted, weighted ``1 / distance``; the counts become positive pointwise
mutual information with the context distribution smoothed (``c ** 0.75``, which keeps rare
contexts from dominating); a truncated SVD keeps ``dim`` directions, and a word's vector is
its row of ``U * sqrt(S)`` (the symmetric weighting). The vectors are scaled to unit variance
per component, the scale of PyTorch's default ``nn.Embedding`` initialisation, so a network
that starts from them trains at the pace it would from noise.

The result is a :class:`~seqrnn.classify.pretrain.PretrainedEncoder` with an embedding and
no recurrent stacks: :func:`~seqrnn.classify.transfer.install` copies the vectors (by word)
and leaves the recurrent layers at their random start.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils.extmath import randomized_svd

from seqrnn.classify.pretrain import PretrainedEncoder
from seqrnn.classify.text import Tokenizer
from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import ConfigError, InputError
from seqrnn.nn.encoder import EncoderConfig


def cooccurrences(ids: Sequence[np.ndarray], vocab_size: int, window: int) -> sp.csr_matrix:
    """``[V, V]`` symmetric counts of word pairs at most ``window`` apart in one text,
    each weighted ``1 / distance``; ids 0 and 1 (padding, ``<unk>``) are left out."""
    rows, cols, weights = [], [], []
    for seq in ids:
        for d in range(1, min(window, len(seq) - 1) + 1):
            a, b = seq[:-d], seq[d:]
            keep = (a > 1) & (b > 1)
            rows.append(a[keep])
            cols.append(b[keep])
            weights.append(np.full(int(keep.sum()), 1.0 / d))
    if not rows:
        return sp.csr_matrix((vocab_size, vocab_size))
    r, c, w = np.concatenate(rows), np.concatenate(cols), np.concatenate(weights)
    counts = sp.coo_matrix((w, (r, c)), shape=(vocab_size, vocab_size)).tocsr()
    return counts + counts.T  # [V, V]: both orders of every pair


def ppmi(counts: sp.csr_matrix, smoothing: float = 0.75) -> sp.csr_matrix:
    """``max(0, log p(w, c) / (p(w) p_s(c)))`` with ``p_s(c) ∝ count(c) ** smoothing``."""
    word = np.asarray(counts.sum(1)).ravel()  # [V]: n(w)
    context = np.asarray(counts.sum(0)).ravel() ** smoothing  # [V]: n(c) ** s
    coo = counts.tocoo()
    # log (n(w, c) / N) / ((n(w) / N) (n(c)^s / sum n^s)) = log n(w, c) sum n^s / (n(w) n(c)^s)
    pmi = np.log(coo.data * context.sum() / (word[coo.row] * context[coo.col]))
    keep = pmi > 0
    return sp.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=counts.shape)


def svd_vectors(matrix: sp.csr_matrix, dim: int, seed: int = 0) -> np.ndarray:
    """``[V, dim]``: rows of ``U * sqrt(S)`` of the truncated SVD, scaled to unit variance."""
    u, s, _ = randomized_svd(matrix, dim, n_iter=5, random_state=seed)
    vectors = u * np.sqrt(s)  # [V, dim]
    return vectors / max(float(vectors[2:].std()), 1e-12)


def word_vectors(
    tokenizer: Tokenizer,
    texts: Sequence[str],
    dim: int,
    encoder: EncoderConfig,
    corpus: dict[str, Any],
    window: int = 10,
    min_count: int = 2,
    max_vocab: int | None = 60000,
    seed: int = 0,
) -> PretrainedEncoder:
    """PPMI-SVD vectors (see the module doc) of the words seen at least ``min_count`` times
    in ``texts`` (at most ``max_vocab``, the most frequent), as an embedding-only encoder of
    the classifier's shape ``encoder``. ``corpus`` is recorded as given."""
    if dim < 1 or window < 1:
        raise ConfigError(f"word vectors need dim >= 1 and window >= 1, got {dim}, {window}")
    began = time.perf_counter()
    tokens = [tokenizer.tokenize(t) for t in texts]
    vocab = Vocabulary.build(tokens, min_count, max_vocab)
    if len(vocab) - 2 <= dim:
        raise InputError(
            f"too little text for {dim}-dimensional word vectors: {len(vocab) - 2} words "
            f"seen at least {min_count} times"
        )
    ids = [vocab.encode(t) for t in tokens]
    matrix = ppmi(cooccurrences(ids, len(vocab), window))
    vectors = svd_vectors(matrix, dim, seed)
    vectors[:2] = 0.0  # padding, <unk>
    n_tokens = int(sum(len(t) for t in tokens))
    return PretrainedEncoder(
        vocab,
        torch.from_numpy(vectors).float(),
        encoder,
        stacks={},
        corpus={**corpus, "method": "ppmi-svd", "texts": len(texts), "tokens": n_tokens},
        seconds=time.perf_counter() - began,
    )
