"""Several next-symbol networks answering as one: the median of their probabilities.

Training seeds of one recipe differ in what they get wrong (on HDFS one seed in five flags
normal continuations its siblings accept, another lets a wrong order through that they
catch). The median of three members' probabilities of a symbol is wrong only when two of them
are, in either direction, so one bad member cannot move the ensemble far::

    x [B, L] --member 0--> log p0 [B, V] --+
             --member 1--> log p1 [B, V] --+--> median over members, per symbol [B, V]
             --member 2--> log p2 [B, V] --+    --> minus its logsumexp: log-probabilities

(with an even count, the mean of the two middle values). The members share one
:class:`~seqrnn.nn.next_symbol.NextSymbolConfig` and vocabulary.

While training (``net.train()``) only ``members[0]`` learns: the others come already trained
and frozen, and the output is member 0's logits, so the ordinary next-symbol task trains it
exactly as it would alone. In eval mode the output is the median.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from seqrnn.errors import ConfigError
from seqrnn.nn.next_symbol import Head, NextSymbolConfig, NextSymbolNet


class MedianEnsembleNet(nn.Module):
    """``x [B, L]`` (ids) -> ``[B, V]``: the members' median log-probabilities, renormalised
    (eval mode), or the logits of ``members[0]``, the one trainable member (train mode)."""

    def __init__(self, members: Sequence[NextSymbolNet]):
        super().__init__()
        if not members:
            raise ConfigError("an ensemble needs at least one member")
        config = members[0].config
        if any(m.config != config for m in members):
            raise ConfigError("the members of an ensemble must share one architecture")
        if config.head is not Head.LAST:
            raise ConfigError("ensembles are of last-head (window -> next symbol) networks")
        self.config: NextSymbolConfig = config
        self.members = nn.ModuleList(members)
        for member in self.members[1:]:
            member.requires_grad_(False)

    @property
    def size(self) -> int:
        """How many members."""
        return len(self.members)

    def forward(self, x: torch.Tensor, state: None = None) -> tuple[torch.Tensor, None]:
        """``(scores [B, V], None)``: log-probabilities (eval) or member 0's logits (train);
        no recurrent state is carried (windows are scored whole)."""
        if self.training:
            logits, _ = self.members[0](x)  # [B, V]
            return logits, None
        log_probs = torch.stack([F.log_softmax(m(x)[0].float(), -1) for m in self.members])
        return median_log_probs(log_probs), None  # [B, V]


def median_log_probs(log_probs: torch.Tensor) -> torch.Tensor:
    """``[M, B, V]`` log-probabilities of ``M`` models -> ``[B, V]``: per symbol the median
    over models (the mean of the two middle ones for even ``M``), renormalised to sum to 1."""
    m = log_probs.shape[0]
    ordered = log_probs.sort(dim=0).values  # [M, B, V]
    middle = (ordered[(m - 1) // 2] + ordered[m // 2]) / 2  # [B, V]
    return middle - middle.logsumexp(-1, keepdim=True)
