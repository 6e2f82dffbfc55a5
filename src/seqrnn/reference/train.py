"""Training the NumPy network on symbol sequences: chunked truncated BPTT, SGD or Adagrad.

The sequences become one long input/target stream (each sequence starts with a ``PAD``
input, the "nothing yet" symbol, and is followed by its own symbols as targets), cut into
``batch_size`` parallel streams and walked in chunks of ``seq_length`` steps, as char-rnn and
the word-language-model example do::

    stream  a b c d e f g h i j k l m n o p q r s t u v w x      (N steps)
    batch   a b c d e f | g h i j k l          chunk 1 = columns 0-2, chunk 2 = 3-5
            m n o p q r | s t u v w x          (B = 2 rows of N/B steps)

The state is carried from one chunk to the next but no gradient crosses the chunk boundary
(truncated BPTT). Pure NumPy: no autograd, every gradient comes from
:mod:`seqrnn.reference.bptt`.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from seqrnn.data.vocab import PAD
from seqrnn.errors import ConfigError
from seqrnn.reference.cells import CellType
from seqrnn.reference.network import Network

logger = logging.getLogger(__name__)


class OptimizerName(enum.StrEnum):
    """The two update rules of the NumPy tutorials."""

    SGD = "sgd"  # theta -= lr * g
    ADAGRAD = "adagrad"  # m += g^2; theta -= lr * g / (sqrt(m) + eps)   (as torch.optim.Adagrad)


@dataclass(frozen=True)
class ReferenceTrainConfig:
    """Size of the NumPy network and how it is trained."""

    cell: CellType = CellType.RNN
    hidden_size: int = 64
    seq_length: int = 25  # BPTT chunk: the gradient never goes further back than this
    batch_size: int = 16  # parallel streams
    epochs: int = 10
    optimizer: OptimizerName = OptimizerName.ADAGRAD
    learning_rate: float = 0.1
    grad_clip: float = 5.0  # global gradient-norm limit; 0 = no clipping
    window: int = 25  # context length the trained model reads as a next-symbol model
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("hidden_size", "seq_length", "batch_size", "epochs", "window"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be a positive integer, got {getattr(self, name)}")
        if self.learning_rate <= 0:
            raise ConfigError(f"learning_rate must be positive, got {self.learning_rate}")
        if self.grad_clip < 0:
            raise ConfigError(f"grad_clip must be >= 0 (0 = off), got {self.grad_clip}")


class Optimizer:
    """SGD or Adagrad on a dict of NumPy arrays, updated in place."""

    def __init__(self, name: OptimizerName | str, learning_rate: float, eps: float = 1e-10):
        self.name = OptimizerName(name)
        self.lr = learning_rate
        self.eps = eps
        self.memory: dict[str, np.ndarray] = {}  # Adagrad's running sum of squared gradients

    def update(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """One step on every parameter."""
        for name, p in params.items():
            g = grads[name]
            if self.name is OptimizerName.SGD:
                p -= self.lr * g
                continue
            m = self.memory.setdefault(name, np.zeros_like(p))
            m += g * g
            p -= self.lr * g / (np.sqrt(m) + self.eps)


def clip_by_norm(grads: dict[str, np.ndarray], max_norm: float) -> float:
    """Scale all gradients together so their global norm is at most ``max_norm`` (0: off);
    returns the norm before clipping."""
    norm = float(np.sqrt(sum(float((g * g).sum()) for g in grads.values())))
    if max_norm > 0 and norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return norm


def make_streams(sequences: list[np.ndarray], batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets ``[B, N // B]`` (see the module docstring); tail steps are dropped."""
    parts_in, parts_out = [], []
    for seq in sequences:
        seq = np.asarray(seq, dtype=np.int64)
        if len(seq):
            parts_in.append(np.concatenate([[PAD], seq[:-1]]))
            parts_out.append(seq)
    if not parts_in:
        raise ConfigError("no symbols to train on")
    inputs, targets = np.concatenate(parts_in), np.concatenate(parts_out)
    n = len(inputs) // batch_size
    if n == 0:
        raise ConfigError(f"{len(inputs)} symbols cannot fill {batch_size} parallel streams")
    return (
        inputs[: n * batch_size].reshape(batch_size, n),
        targets[: n * batch_size].reshape(batch_size, n),
    )


def train_network(
    sequences: list[np.ndarray],
    vocab_size: int,
    config: ReferenceTrainConfig,
    on_epoch: Callable[[dict], None] | None = None,
) -> tuple[Network, list[dict]]:
    """Train a fresh :class:`Network` on encoded ``sequences`` (ids ``< vocab_size``).

    Returns the network and one history row per epoch: ``{"epoch", "loss", "grad_norm"}``
    (mean cross-entropy in nats per symbol over the epoch's chunks, mean pre-clip norm).
    """
    net = Network(config.cell, vocab_size, config.hidden_size, seed=config.seed)
    opt = Optimizer(config.optimizer, config.learning_rate)
    inputs, targets = make_streams(sequences, config.batch_size)
    history = []
    for epoch in range(config.epochs):
        state = None  # every epoch starts from the zero state
        losses, norms = [], []
        for i in range(0, inputs.shape[1], config.seq_length):
            chunk = slice(i, i + config.seq_length)
            loss, grads, state = net.loss_and_grads(inputs[:, chunk], targets[:, chunk], state)
            norms.append(clip_by_norm(grads, config.grad_clip))
            opt.update(net.params, grads)
            losses.append(loss)
        row = {
            "epoch": epoch + 1,
            "loss": float(np.mean(losses)),
            "grad_norm": float(np.mean(norms)),
        }
        history.append(row)
        logger.info("epoch %d: loss %.4f", row["epoch"], row["loss"])
        if on_epoch is not None:
            on_epoch(row)
    return net, history
