"""The text classification network: embedding -> (optional Conv1d + max-pool) -> recurrent
encoder -> pooling over time -> dropout -> linear.

Every variant the issue asks for is one config of this module: LSTM/GRU with the last state
or pooled outputs, bi-directional, dropout on the inputs and between layers, and the CNN + LSTM
of the Keras chapter (``conv_filters > 0``). Padding is masked everywhere: the encoder packs
the batch by ``lengths``, convolution outputs past a text's end are zeroed before pooling, and
pooling over time only looks at real steps, so extra padding never changes a prediction.

Optional ``prior_features``: a fixed (not trained) per-word channel holding the naive Bayes
log-count ratios of the training data (Wang & Manning 2012, "NBSVM"), concatenated to the
learned embedding. With 10k short sentences and no pretrained embeddings it gives every word a
sentiment direction from the start; the recurrent layers then learn how context (negation,
contrast, "but") changes it. ``prior_shortcut`` adds a linear map of the channels' mean
over the text straight to the logits (a learned, length-normalised naive Bayes verdict), which
long documents need: there the evidence is spread over hundreds of words.
"""

from __future__ import annotations

import copy
import enum
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from seqrnn.data.vocab import PAD, UNK
from seqrnn.errors import ConfigError
from seqrnn.nn.encoder import EncoderConfig, RecurrentEncoder


class Pooling(enum.StrEnum):
    """How the encoder's outputs over time become one vector per text."""

    LAST = "last"  # the final state (both directions' ends when bi-directional)
    MAX = "max"  # element-wise maximum over real time steps
    MEAN = "mean"  # average over real time steps
    MAX_MEAN = "max_mean"  # both, concatenated


@dataclass(frozen=True)
class TextNetConfig:
    """Shape of the classifier. ``vocab_size`` and ``num_classes`` come from the data.
    ``preset`` names the starting point (:data:`PRESETS`) the other keys were laid over."""

    preset: str | None = None
    vocab_size: int = 0
    num_classes: int = 0
    embedding_dim: int = 64
    input_dropout: float = 0.3  # on the embeddings (the inputs of the recurrence)
    conv_filters: int = 0  # 0 = no convolution front end
    conv_kernel: int = 3
    conv_pool: int = 2  # max-pool width (and stride) after the convolution
    encoder: EncoderConfig = field(
        default_factory=lambda: EncoderConfig(hidden_size=64, num_layers=1)
    )
    pooling: Pooling = Pooling.MAX
    output_dropout: float = 0.3  # before the output layer
    prior_features: bool = False  # naive-Bayes log-count-ratio channels (see module doc)
    prior_buckets: int = 2**19  # hash buckets of the bigram prior channel
    prior_alpha: float = 1.0  # add-alpha smoothing of the prior counts
    prior_shortcut: bool = False  # also add a linear map of the channels' mean to the logits

    def __post_init__(self) -> None:
        for name in ("input_dropout", "output_dropout"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ConfigError(f"{name} must be in [0, 1), got {getattr(self, name)}")
        if self.embedding_dim <= 0:
            raise ConfigError(f"embedding_dim must be positive, got {self.embedding_dim}")
        if self.conv_filters < 0 or self.conv_kernel < 1 or self.conv_pool < 1:
            raise ConfigError("conv_filters must be >= 0, conv_kernel and conv_pool >= 1")
        if self.preset is not None and self.preset not in PRESETS:
            raise ConfigError(f"unknown preset {self.preset!r} (choose from {', '.join(PRESETS)})")

    @classmethod
    def preset_defaults(cls, name: str) -> dict[str, Any]:
        """The settings of preset ``name`` (a partial table; the rest are the defaults),
        used by :func:`seqrnn.config.resolve` when a config names a preset."""
        if name not in PRESETS:
            raise ConfigError(f"unknown preset {name!r} (choose from {', '.join(PRESETS)})")
        return {**copy.deepcopy(PRESETS[name]), "preset": name}


#: named networks: the Keras chapter's models, the original program's bi-directional one, and
#: the recommended one (the default)
PRESETS: dict[str, dict[str, Any]] = {
    # the Keras chapter's models, and the bi-directional one of the original program
    "lstm": {"encoder": {"cell": "lstm", "bidirectional": False}, "pooling": "last"},
    "gru": {"encoder": {"cell": "gru", "bidirectional": False}, "pooling": "last"},
    "bilstm": {"encoder": {"cell": "lstm", "bidirectional": True}, "pooling": "max"},
    "cnn-lstm": {
        "encoder": {"cell": "lstm", "bidirectional": False},
        "pooling": "last",
        "conv_filters": 64,
        "conv_kernel": 3,
        "conv_pool": 2,
    },
    # the recommended one (the default): BiLSTM, max-pooled, with naive-Bayes prior channels
    "bilstm-prior": {
        "encoder": {"cell": "lstm", "bidirectional": True},
        "pooling": "max",
        "prior_features": True,
    },
    # for long documents: a CNN front end shortens the sequence 4x, the prior also goes
    # straight to the output
    "cnn-bilstm-prior": {
        "encoder": {"cell": "lstm", "bidirectional": True},
        "pooling": "max_mean",
        "conv_filters": 64,
        "conv_kernel": 3,
        "conv_pool": 4,
        "prior_features": True,
        "prior_shortcut": True,
    },
    # to start from a pretrained language model (``pretrain.unlabelled``): a wider stack
    # (the language model needs the room; sized for 2 CPU cores), max and mean pooling, the
    # prior straight to the output too (it trains alone in the first, frozen, epoch)
    "lm-bilstm-prior": {
        "embedding_dim": 128,
        "encoder": {"cell": "lstm", "bidirectional": True, "hidden_size": 128, "num_layers": 1},
        "pooling": "max_mean",
        "prior_features": True,
        "prior_shortcut": True,
    },
}


def bigram_bucket(prev: torch.Tensor, cur: torch.Tensor, buckets: int) -> torch.Tensor:
    """Hash bucket of the bigram ``(prev, cur)`` of word ids (same rule in NumPy and torch)."""
    return (prev * 1_000_003 + cur) % buckets


class ConvFront(nn.Module):
    """Conv1d ("same" padding) + ReLU + max-pool over time, with masking:
    ``[B, T, E]`` -> ``[B, ceil(T / pool), F]`` and lengths -> ``ceil(lengths / pool)``."""

    def __init__(self, in_channels: int, filters: int, kernel: int, pool: int):
        super().__init__()
        self.conv = nn.Conv1d(in_channels, filters, kernel, padding=kernel // 2)
        self.pool = pool
        self.trim = 1 - kernel % 2  # an even kernel yields one extra step

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        T = x.size(1)  # x: [B, T, C]
        h = torch.relu(self.conv(x.transpose(1, 2)))  # [B, F, T(+1)]
        h = h[:, :, :T]  # [B, F, T]
        real = torch.arange(T, device=x.device)[None, :] < lengths[:, None]  # [B, T]
        h = h * real[:, None, :]  # past-the-end steps -> 0, neutral for max of ReLU outputs
        if self.pool > 1:
            h = nn.functional.max_pool1d(h, self.pool, self.pool, ceil_mode=True)  # [B, F, T']
            lengths = (lengths + self.pool - 1) // self.pool
        return h.transpose(1, 2), lengths  # [B, T', F]


class TextClassifierNet(nn.Module):
    """``ids [B, T]`` (right-padded with PAD) and ``lengths [B]`` -> class logits ``[B, K]``."""

    def __init__(self, config: TextNetConfig):
        super().__init__()
        if config.vocab_size <= 2 or config.num_classes < 2:
            raise ConfigError(
                "the classifier needs a vocabulary from the data and at least two classes "
                f"(got vocab_size={config.vocab_size}, num_classes={config.num_classes})"
            )
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.embedding_dim, padding_idx=PAD)
        self.input_dropout = nn.Dropout(config.input_dropout)
        width = config.embedding_dim
        if config.prior_features:
            # filled by set_prior() from training data; saved with the weights
            K = config.num_classes
            self.register_buffer("prior_words", torch.zeros(config.vocab_size, K))
            self.register_buffer("prior_pairs", torch.zeros(config.prior_buckets, K))
            self.register_buffer("prior_totals", torch.ones(2, K))
            width += 2 * K
        self.shortcut = None
        if config.prior_features and config.prior_shortcut:
            self.shortcut = nn.Linear(2 * config.num_classes, config.num_classes)
        self.conv = None
        if config.conv_filters:
            self.conv = ConvFront(width, config.conv_filters, config.conv_kernel, config.conv_pool)
            width = config.conv_filters
        self.encoder = RecurrentEncoder(width, config.encoder)
        pooled = self.encoder.output_size * (2 if config.pooling == Pooling.MAX_MEAN else 1)
        self.output_dropout = nn.Dropout(config.output_dropout)
        self.out = nn.Linear(pooled, config.num_classes)

    def set_prior(self, word_counts: torch.Tensor, pair_counts: torch.Tensor) -> None:
        """Install the training texts' presence counts per class: words ``[V, K]`` and
        hashed bigrams ``[M, K]`` (see :func:`~seqrnn.classify.models.nb_counts`)."""
        if (
            not self.config.prior_features
            or word_counts.shape != self.prior_words.shape
            or pair_counts.shape != self.prior_pairs.shape
        ):
            raise ConfigError("prior features do not fit this network")
        self.prior_words.copy_(word_counts)
        self.prior_pairs.copy_(pair_counts)
        a = self.config.prior_alpha
        self.prior_totals.copy_(
            torch.stack(
                [
                    word_counts.sum(0) + a * word_counts.size(0),
                    pair_counts.sum(0) + a * pair_counts.size(0),
                ]
            )
        )

    def prior_channels(self, ids: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        """``[B, T, 2K]``: naive Bayes log-ratios of each word and of the (previous word, word)
        bigram; zero for padding, ``<unk>`` and bigrams that touch padding.

        With ``labels`` (training batches) each text's own counts are left out (leave-one-out):
        otherwise a word or bigram seen in a single training text would "predict" that text's
        label perfectly, the network would learn to trust the channel blindly, and it would
        not generalise.
        """
        prev = nn.functional.pad(ids[:, :-1], (1, 0), value=PAD)  # [B, T]
        bucket = bigram_bucket(prev, ids, self.config.prior_buckets)  # [B, T]
        word_real = ids > UNK  # [B, T]
        pair_real = (prev != PAD) & (ids != PAD)  # [B, T]
        word = self._log_ratio(self.prior_words[ids], self.prior_totals[0], labels, word_real)
        pair = self._log_ratio(self.prior_pairs[bucket], self.prior_totals[1], labels, pair_real)
        return torch.cat([word, pair], dim=-1)  # [B, T, 2K]

    def _log_ratio(
        self,
        counts: torch.Tensor,
        totals: torch.Tensor,
        labels: torch.Tensor | None,
        real: torch.Tensor,
    ) -> torch.Tensor:
        """``log p(f | c)`` centred over classes, ``[B, T, K]``, from counts ``[B, T, K]``."""
        if labels is not None:
            own = nn.functional.one_hot(labels, counts.size(-1))[:, None, :]  # [B, 1, K]
            counts = (counts - own * real[..., None]).clamp(min=0)
        logp = torch.log(counts + self.config.prior_alpha) - torch.log(totals)  # [B, T, K]
        return (logp - logp.mean(-1, keepdim=True)) * real[..., None]

    def forward(
        self, ids: torch.Tensor, lengths: torch.Tensor, labels: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Logits ``[B, K]``. ``labels`` (training only) serve the prior channels'
        leave-one-out; predictions never see them."""
        lengths = lengths.clamp(min=1)
        x = self.input_dropout(self.embed(ids))  # [B, T, E]
        shortcut = None
        if self.config.prior_features:
            prior = self.prior_channels(ids, labels)  # [B, T, 2K]
            x = torch.cat([x, prior], dim=-1)  # [B, T, E + 2K]
            if self.shortcut is not None:  # naive Bayes' own verdict, length-normalised
                shortcut = self.shortcut(prior.sum(1) / lengths[:, None].to(prior.dtype))
        if self.conv is not None:
            x, lengths = self.conv(x, lengths)  # [B, T', F]
        out, state = self.encoder(x, lengths=lengths)  # [B, T', H * D]
        pooled = self.pool(out, state, lengths)  # [B, P]
        logits = self.out(self.output_dropout(pooled))  # [B, K]
        return logits if shortcut is None else logits + shortcut

    def pool(self, out: torch.Tensor, state: object, lengths: torch.Tensor) -> torch.Tensor:
        """Masked pooling over time: only steps before each text's length count."""
        kind = Pooling(self.config.pooling)
        if kind is Pooling.LAST:
            return self.encoder.last_hidden(state)  # [B, H * D]
        real = torch.arange(out.size(1), device=out.device)[None, :] < lengths[:, None]  # [B, T]
        mean = (out * real[..., None]).sum(1) / lengths[:, None].to(out.dtype)  # [B, H * D]
        if kind is Pooling.MEAN:
            return mean
        mx = out.masked_fill(~real[..., None], float("-inf")).max(1).values  # [B, H * D]
        return mx if kind is Pooling.MAX else torch.cat([mx, mean], dim=-1)
