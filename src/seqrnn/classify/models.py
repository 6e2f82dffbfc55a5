"""One interface for every text classifier, neural or bag-of-words.

``TextClassifier.predict_proba(texts) -> [N, K]`` (columns in ``labels`` order) is all that
evaluation, cross-validation and the CLI use, so they are written once. Two kinds implement
it: :class:`NeuralTextClassifier` (the recurrent network) and :class:`BowClassifier`
(multinomial naive Bayes, logistic regression, or NBSVM on word n-gram counts, fitted with
scikit-learn). Both save to the one seqrnn checkpoint format; the bag-of-words model is stored
as its linear form (``logits = counts @ W.T + b``), never pickled.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import torch
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB

from seqrnn.classify.batching import TextBatches
from seqrnn.classify.net import TextClassifierNet
from seqrnn.classify.text import Tokenizer
from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import ConfigError


class TextClassifier(Protocol):
    """What every classifier answers."""

    labels: list[str]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities ``[N, K]``, columns in ``labels`` order."""
        ...


def predict_labels(model: TextClassifier, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The most probable label of each text and its probability."""
    proba = model.predict_proba(texts)  # [N, K]
    best = proba.argmax(1)
    return [model.labels[i] for i in best], proba[np.arange(len(best)), best]


class NeuralTextClassifier:
    """A trained :class:`TextClassifierNet` with the tokenizer, vocabulary and labels it was
    trained with."""

    def __init__(
        self,
        net: TextClassifierNet,
        tokenizer: Tokenizer,
        vocab: Vocabulary,
        labels: list[str],
        device: str = "cpu",
        batch_size: int = 256,
    ):
        self.net = net.to(device).eval()
        self.tokenizer = tokenizer
        self.vocab = vocab
        self.labels = labels
        self.device = torch.device(device)
        self.batch_size = batch_size

    @torch.no_grad()
    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        ids = self.tokenizer.encode(texts, self.vocab)
        source = TextBatches(ids, np.zeros(len(ids)), self.batch_size, shuffle=False)
        proba = np.zeros((len(ids), len(self.labels)), dtype=np.float64)
        for index, (x, lengths, _) in zip(source.index_batches(0), source.batches(0), strict=True):
            logits = self.net(x.to(self.device), lengths.to(self.device))  # [B, K]
            proba[index] = torch.softmax(logits.double(), -1).cpu().numpy()
        return proba


class BowKind(enum.StrEnum):
    """The bag-of-words baselines."""

    NAIVE_BAYES = "nb"  # multinomial naive Bayes
    LOGREG = "logreg"  # (multinomial) logistic regression
    NBSVM = "nbsvm"  # logistic regression on NB-scaled features (Wang & Manning 2012)


@dataclass(frozen=True)
class BowConfig:
    """Bag-of-words baseline settings: n-grams 1..``ngram_max`` of the model's tokenizer,
    presence (``binary``) or counts, ``alpha`` (NB smoothing, also of NBSVM's ratios), ``C``
    (inverse L2 strength of logistic regression and NBSVM)."""

    ngram_max: int = 2
    binary: bool = True
    min_count: int = 1
    max_features: int | None = 200000
    alpha: float = 1.0
    C: float = 1.0

    def __post_init__(self) -> None:
        if self.ngram_max < 1 or self.min_count < 1:
            raise ConfigError("bow.ngram_max and bow.min_count must be >= 1")
        if self.alpha <= 0 or self.C <= 0:
            raise ConfigError("bow.alpha and bow.C must be positive")


class BowClassifier:
    """Linear model on n-gram counts: ``logits = X @ weight.T + bias`` with ``X [N, F]``."""

    def __init__(
        self,
        config: BowConfig,
        tokenizer: Tokenizer,
        ngrams: list[str],
        weight: np.ndarray,
        bias: np.ndarray,
        labels: list[str],
    ):
        self.config = config
        self.tokenizer = tokenizer
        self.ngrams = ngrams
        self.weight = weight  # [K, F]
        self.bias = bias  # [K]
        self.labels = labels
        self.vectorizer = _vectorizer(config, tokenizer, vocabulary=ngrams)

    @classmethod
    def fit(
        cls,
        kind: BowKind,
        config: BowConfig,
        tokenizer: Tokenizer,
        texts: Sequence[str],
        y: np.ndarray,
        labels: list[str],
        seed: int = 0,
    ) -> BowClassifier:
        """Fit naive Bayes or logistic regression with scikit-learn on ``texts``/``y``."""
        vec = _vectorizer(config, tokenizer)
        X = vec.fit_transform(texts)  # [N, F] sparse
        if BowKind(kind) is BowKind.NAIVE_BAYES:
            nb = MultinomialNB(alpha=config.alpha).fit(X, y)
            weight, bias = nb.feature_log_prob_, nb.class_log_prior_
        elif BowKind(kind) is BowKind.NBSVM:
            weight, bias = _nbsvm(X, y, len(labels), config, seed)
        else:
            lr = LogisticRegression(C=config.C, max_iter=2000, random_state=seed).fit(X, y)
            weight, bias = lr.coef_, lr.intercept_
            if weight.shape[0] == 1:  # binary: softmax([-z/2, z/2]) == sigmoid(z)
                weight, bias = np.vstack([-weight / 2, weight / 2]), np.array([-1, 1]) * bias / 2
        ngrams = list(vec.get_feature_names_out())
        return cls(config, tokenizer, ngrams, np.asarray(weight), np.asarray(bias), labels)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        X = self.vectorizer.transform(texts)  # [N, F]
        logits = np.asarray(X @ self.weight.T) + self.bias  # [N, K]
        logits -= logits.max(1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(1, keepdims=True)


def _nbsvm(
    X: Any, y: np.ndarray, num_classes: int, config: BowConfig, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """NBSVM (Wang & Manning 2012, with the logistic loss): for each class ``k`` against the
    rest, the NB log-count ratio ``r = log((a + p) / |a + p|_1) - log((a + q) / |a + q|_1)``
    (``p``, ``q``: feature counts in class ``k`` and in the others) scales the features, and a
    logistic regression is fitted on ``X * r``. Its linear form on ``X`` is ``coef * r``.
    Two classes need one such model: ``softmax([-z/2, z/2]) == sigmoid(z)``."""
    rows = [1] if num_classes == 2 else range(num_classes)
    weight, bias = [], []
    for k in rows:
        mine = y == k
        p = config.alpha + np.asarray(X[mine].sum(0)).ravel()  # [F]
        q = config.alpha + np.asarray(X[~mine].sum(0)).ravel()  # [F]
        r = np.log(p / p.sum()) - np.log(q / q.sum())  # [F]
        lr = LogisticRegression(C=config.C, solver="liblinear", max_iter=2000, random_state=seed)
        lr.fit(X.multiply(r).tocsr(), mine)
        weight.append(lr.coef_[0] * r)
        bias.append(lr.intercept_[0])
    if num_classes == 2:
        return np.vstack([-weight[0] / 2, weight[0] / 2]), np.array([-1, 1]) * bias[0] / 2
    return np.vstack(weight), np.array(bias)


def _vectorizer(
    config: BowConfig, tokenizer: Tokenizer, vocabulary: list[str] | None = None
) -> CountVectorizer:
    """Counts of the tokenizer's word n-grams (untruncated texts)."""
    return CountVectorizer(
        tokenizer=tokenizer.tokenize,
        preprocessor=None,
        lowercase=False,
        token_pattern=None,
        ngram_range=(1, config.ngram_max),
        binary=config.binary,
        min_df=config.min_count if vocabulary is None else 1,
        max_features=config.max_features if vocabulary is None else None,
        vocabulary=vocabulary,
        dtype=np.float64,
    )


def nb_counts(
    ids: Sequence[np.ndarray], y: np.ndarray, vocab_size: int, num_classes: int, buckets: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """In how many training texts of each class every word ``[V, K]`` and every hashed
    bigram bucket ``[M, K]`` occurs: the naive Bayes statistics behind the prior channels of
    :class:`~seqrnn.classify.net.TextClassifierNet` (training data only)."""
    from seqrnn.classify.net import bigram_bucket

    words = np.zeros((vocab_size, num_classes), dtype=np.float32)
    pairs = np.zeros((buckets, num_classes), dtype=np.float32)
    for seq, c in zip(ids, y, strict=True):
        words[np.unique(seq), c] += 1
        if len(seq) > 1:
            pairs[np.unique(bigram_bucket(seq[:-1], seq[1:], buckets)), c] += 1
    words[:2] = 0  # <pad>, <unk>
    return torch.from_numpy(words), torch.from_numpy(pairs)
