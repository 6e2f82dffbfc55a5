"""Where a classifier's starting encoder comes from: a saved file or run, or word vectors or
language models learned here from the unlabelled files plus the training texts.

:func:`prepare_encoder` gives the encoder of one training set; :func:`encoders_by_texts` a
function that learns it again for other training texts (each inner fold of the default's
cross-validation learns its own, without its held-out texts).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from seqrnn.classify.pretrain import (
    DIRECTIONS,
    PretrainedEncoder,
    PretrainMethod,
    describe_sources,
    pretrain_encoder,
)
from seqrnn.classify.readers import read_unlabelled
from seqrnn.classify.text import Tokenizer
from seqrnn.classify.transfer import load_encoder
from seqrnn.classify.vectors import word_vectors

if TYPE_CHECKING:
    from seqrnn.classify.workflow import ClassifyConfig

logger = logging.getLogger(__name__)


def prepare_encoder(config: ClassifyConfig, train_texts: Sequence[str]) -> PretrainedEncoder:
    """The encoder ``config.pretrain`` names: loaded from a file or run, or pretrained here
    on the unlabelled files (then the training texts, unless told otherwise)."""
    p = config.pretrain
    if p.encoder is not None:
        return load_encoder(p.encoder)
    unlabelled = read_unlabelled(p.unlabelled, config.data.text_column)
    return learn_encoder(config, train_texts, unlabelled)


#: learns an encoder from the training texts it is given (see :func:`encoders_by_texts`)
EncoderFor = Callable[[Sequence[str]], PretrainedEncoder]


def encoders_by_texts(config: ClassifyConfig) -> EncoderFor | None:
    """For word vectors learned here from the training texts: a function that learns them
    again from the unlabelled files (read once) and the training texts it is given; else None.

    The default's inner cross-validation (:func:`seqrnn.classify.select.choose`) learns each
    fold's vectors without the fold's held-out texts, as the final model's vectors never see
    a test text: otherwise a word seen only in held-out texts would get a vector there, and
    the network's held-out score would flatter it. (A language model, minutes per direction,
    is pretrained once and shared by the folds.)"""
    p = config.pretrain
    vectors = PretrainMethod(p.method) is PretrainMethod.VECTORS
    if not (p.active and vectors and p.encoder is None and p.with_training_texts):
        return None
    unlabelled = read_unlabelled(p.unlabelled, config.data.text_column)
    return lambda texts: learn_encoder(config, texts, unlabelled)


def prepare_encoders(
    config: ClassifyConfig, train_texts: Sequence[str]
) -> tuple[PretrainedEncoder, EncoderFor | None]:
    """The encoder for ``train_texts`` (as :func:`prepare_encoder`) and
    :func:`encoders_by_texts`'s function for other training texts (an inner fold's), the
    unlabelled files read once for both."""
    again = encoders_by_texts(config)
    return (again(train_texts) if again else prepare_encoder(config, train_texts)), again


def learn_encoder(
    config: ClassifyConfig, train_texts: Sequence[str], unlabelled: list[str]
) -> PretrainedEncoder:
    """Word vectors or language models (``config.pretrain.method``) learned from
    ``unlabelled`` texts, plus ``train_texts`` if ``pretrain.with_training_texts``."""
    p = config.pretrain
    repeated = 0
    if p.with_training_texts:  # a training text also given as unlabelled is counted once
        seen = set(train_texts)
        kept = [t for t in unlabelled if t not in seen]
        repeated, unlabelled = len(unlabelled) - len(kept), kept
    texts = (list(train_texts) if p.with_training_texts else []) + unlabelled
    corpus = {
        "unlabelled": describe_sources(p.unlabelled),
        "unlabelled_texts": len(unlabelled),
        "training_texts": len(texts) - len(unlabelled),
    }
    if repeated:
        corpus["unlabelled_texts_also_training"] = repeated
        logger.info("%d unlabelled texts are training texts: counted once", repeated)
    net = config.net
    tokenizer = Tokenizer(config.text)
    if PretrainMethod(p.method) is PretrainMethod.VECTORS:
        logger.info("learning word vectors from %d texts", len(texts))
        seed = config.train.seed
        return word_vectors(
            tokenizer, texts, net.embedding_dim, net.encoder, corpus, p.window, seed=seed
        )
    logger.info("pretraining the encoder on %d texts", len(texts))
    directions = DIRECTIONS if net.encoder.bidirectional else DIRECTIONS[:1]
    return pretrain_encoder(
        p, tokenizer, net.embedding_dim, net.encoder, texts, corpus, config.train.seed, directions
    )
