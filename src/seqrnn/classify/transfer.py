"""A pretrained encoder on disk and in a classifier: save, load, install.

An encoder file (kind ``"text_encoder"``) holds the embedding ``[V, E]``, one recurrent stack
per direction (``forward.*``, ``backward.*``) and, in its metadata, the vocabulary, the stack's
shape and what corpus it was trained on. A ``seqrnn text train`` run (word level) can serve
too: its embedding and stack become the forward direction.

:func:`install` copies the weights into a :class:`TextClassifierNet` of matching shape. The
classifier's recurrent inputs are wider than the language model's (the prior channels after
the embedding; both directions' outputs above the first layer of a bi-directional stack), so
the extra input columns start at zero: at the start of fine-tuning each direction computes
exactly its language model's states, and training decides how much of the rest to mix in::

    layer 0 input weights [4H, E + 2K]:   [ LM weights (E) | 0 (prior channels, 2K) ]
    layer l>0, forward    [4H, 2H]:       [ forward LM (H)  | 0 (reverse outputs)   ]
    layer l>0, reverse    [4H, 2H]:       [ 0 (forward outputs) | backward LM (H)   ]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from seqrnn.classify.net import TextClassifierNet, TextNetConfig
from seqrnn.classify.pretrain import DIRECTIONS, PretrainedEncoder
from seqrnn.config import from_dict, replace, to_dict
from seqrnn.data.vocab import PAD, Vocabulary
from seqrnn.errors import CheckpointError, ConfigError
from seqrnn.io.checkpoint import Checkpoint, peek_checkpoint, save_checkpoint
from seqrnn.models.kinds import load_checkpoint_of
from seqrnn.models.registry import resolve_model_path
from seqrnn.nn.encoder import EncoderConfig

ENCODER_KIND = "text_encoder"
ENCODER_FILE = "encoder.safetensors"


def save_encoder(encoder: PretrainedEncoder, path: str | Path) -> None:
    """Write ``encoder`` as one checkpoint (atomic, never pickled)."""
    tensors = {"embedding": encoder.embedding.contiguous()}
    for d, stack in encoder.stacks.items():
        tensors.update({f"{d}.{k}": v.contiguous() for k, v in stack.items()})
    meta = {
        "kind": ENCODER_KIND,
        "vocab": encoder.vocab.to_list(),
        "encoder_config": to_dict(encoder.encoder),
        "corpus": encoder.corpus,
        "perplexity": encoder.perplexity,
        "seconds": encoder.seconds,
        "curves": encoder.curves,
    }
    save_checkpoint(path, Checkpoint(tensors=tensors, meta=meta))


def encoder_path(path: str | Path) -> Path:
    """The checkpoint ``--encoder`` names: the file itself, a run folder's encoder file, or a
    run folder's best checkpoint (a ``seqrnn text train`` run)."""
    path = Path(path)
    if path.is_dir() and (path / ENCODER_FILE).is_file():
        path = path / ENCODER_FILE
    return resolve_model_path(path)


def has_recurrent_stacks(path: str | Path) -> bool:
    """Whether the encoder ``path`` names holds recurrent stacks (a language model, which
    fine-tuning unfreezes layer by layer) rather than word vectors alone; read from the
    checkpoint's header only. A file that cannot be read counts as a language model, so
    :func:`load_encoder` reports the problem when the run starts."""
    try:
        meta, shapes = peek_checkpoint(encoder_path(path))
    except (CheckpointError, OSError):
        return True
    if meta.get("kind") == "text":
        return True
    return any(name.startswith(f"{d}.") for d in DIRECTIONS for name in shapes)


def load_encoder(path: str | Path) -> PretrainedEncoder:
    """An encoder file, a run folder holding one, or a word-level ``seqrnn text train`` run."""
    path = encoder_path(path)
    ckpt = load_checkpoint_of(path, [ENCODER_KIND, "text"], "pretrain.encoder (--encoder)")
    where = str(path)
    if ckpt.meta["kind"] == "text":
        return _from_text_run(ckpt, where)
    enc_cfg = from_dict(EncoderConfig, ckpt.meta["encoder_config"], f"{where} encoder_config")
    stacks = {d: ckpt.section(d) for d in DIRECTIONS if ckpt.section(d)}
    return PretrainedEncoder(
        Vocabulary.from_list(ckpt.meta["vocab"]),
        ckpt.tensors["embedding"],
        enc_cfg,
        stacks,
        dict(ckpt.meta.get("corpus", {})),
        dict(ckpt.meta.get("perplexity", {})),
        float(ckpt.meta.get("seconds", 0.0)),
        {d: list(c) for d, c in ckpt.meta.get("curves", {}).items()},
    )


def _from_text_run(ckpt: Checkpoint, where: str) -> PretrainedEncoder:
    """A word-level text model's embedding and stack as a forward-only encoder."""
    cfg = ckpt.meta.get("model_config", {})
    if ckpt.meta.get("level") != "word" or not cfg.get("embedding_dim"):
        raise CheckpointError(
            f"{where}: only a word-level text model with an embedding can start a classifier "
            "(train it with `seqrnn text train --level word`)"
        )
    enc_cfg = from_dict(EncoderConfig, cfg["encoder"], f"{where} model_config.encoder")
    model = ckpt.section("model")
    stack = {k.removeprefix("encoder."): v for k, v in model.items() if k.startswith("encoder.")}
    corpus = {"text_run": Path(where).parent.name or where}
    vocab = Vocabulary.from_list(ckpt.meta["vocab"])
    return PretrainedEncoder(vocab, model["embedding.weight"], enc_cfg, {"forward": stack}, corpus)


def aligned(net: TextNetConfig, encoder: PretrainedEncoder) -> TextNetConfig:
    """``net`` with the encoder's sizes (embedding width, cell, hidden size, layers): the
    sizes come from the pretrained weights, not from flags."""
    if net.conv_filters:
        raise ConfigError("a pretrained encoder cannot start a network with a CNN front end")
    e = encoder.encoder
    stack = replace(net.encoder, cell=e.cell, hidden_size=e.hidden_size, num_layers=e.num_layers)
    return replace(net, embedding_dim=int(encoder.embedding.size(1)), encoder=stack)


def merged_vocab(encoder: PretrainedEncoder, training: Vocabulary) -> Vocabulary:
    """The encoder's words, then the training texts' words it lacks (new rows)."""
    extra = [w for w in training.to_list() if w not in encoder.vocab]
    return Vocabulary(encoder.vocab.to_list() + extra)


@torch.no_grad()
def install(net: TextClassifierNet, encoder: PretrainedEncoder, vocab: Vocabulary) -> dict:
    """Copy the pretrained embedding (by word) and stacks into ``net``; returns counts of
    what was copied. Words the encoder never saw start at its mean embedding."""
    src = encoder.embedding.to(net.embed.weight.dtype)  # [V', E]
    rows = [(i, encoder.vocab.index[w]) for i, w in enumerate(vocab.symbols) if w in encoder.vocab]
    to_rows = torch.tensor([i for i, _ in rows if i != PAD], dtype=torch.int64)
    from_rows = torch.tensor([j for i, j in rows if i != PAD], dtype=torch.int64)
    net.embed.weight.copy_(src[2:].mean(0).expand_as(net.embed.weight))
    net.embed.weight[to_rows] = src[from_rows]
    net.embed.weight[PAD] = 0.0
    rnn = net.encoder.rnn
    copied = 0
    for d, suffix in (("forward", ""), ("backward", "_reverse")):
        if d not in encoder.stacks or (suffix and not rnn.bidirectional):
            continue
        for layer in range(rnn.num_layers):
            copied += _copy_layer(rnn, encoder.stacks[d], layer, suffix)
    return {"embedding_rows": len(to_rows), "tensors": copied}


def _copy_layer(rnn: Any, stack: dict[str, torch.Tensor], layer: int, suffix: str) -> int:
    """One layer of one direction: hidden weights and biases as they are, input weights into
    the columns that read the same features (the rest zero, see the module doc)."""
    copied = 0
    for name in ("weight_hh", "bias_ih", "bias_hh", "weight_ih"):
        target = getattr(rnn, f"{name}_l{layer}{suffix}")
        source = stack.get(f"rnn.{name}_l{layer}")
        if source is None or source.size(0) != target.size(0):
            raise CheckpointError(f"the pretrained encoder has no matching {name}_l{layer}")
        if name != "weight_ih" or source.shape == target.shape:
            target.copy_(source)
        else:
            width = source.size(1)
            start = width if suffix and layer > 0 else 0  # reverse reads the second half
            target.zero_()
            target[:, start : start + width] = source
        copied += 1
    return copied
