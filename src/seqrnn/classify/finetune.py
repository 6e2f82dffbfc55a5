"""Fine-tuning a pretrained classifier (ULMFiT): discriminative learning rates and gradual
unfreezing, as one trainer callback.

The network's parameters are cut into layer groups, top first: the output (with the prior
shortcut), each recurrent layer from the top down, the embedding. Group ``i`` learns at the
learning rate divided by ``decay ** i`` (lower layers hold more general knowledge from
pretraining and should move less), and with gradual unfreezing only the top ``epoch + 1``
groups train in epoch ``epoch`` (so the randomly initialised output does not wreck the
pretrained weights with large early gradients)::

    epoch 0:  output                           lr
    epoch 1:  output, top layer                lr, lr / 2.6
    epoch 2:  output, top layer, ..., embedding          ..., lr / 2.6^k

The base learning rate itself follows ``train.schedule`` (warm-up then linear decay is the
slanted triangular schedule): that callback sets every group to the scheduled rate, and this
one, run after it, scales each group relative to the output's (which keeps scale 1).
"""

from __future__ import annotations

import re
from typing import Any

from torch import nn

from seqrnn.train.callbacks import Callback


def layer_groups(net: nn.Module) -> list[list[nn.Parameter]]:
    """A classifier's parameters, top group first: output, recurrent layers (top down),
    embedding. Parameters of no known group join the output group."""
    embed = [net.embed.weight]
    layers: dict[int, list[nn.Parameter]] = {}
    for name, p in net.encoder.named_parameters():
        layers.setdefault(int(re.search(r"_l(\d+)", name).group(1)), []).append(p)
    known = {id(p) for p in embed} | {id(p) for ps in layers.values() for p in ps}
    head = [p for p in net.parameters() if id(p) not in known]
    return [head, *(layers[k] for k in sorted(layers, reverse=True)), embed]


class FineTuning(Callback):
    """Discriminative learning rates and (optionally) gradual unfreezing; see module doc."""

    def __init__(self, groups: list[list[nn.Parameter]], decay: float, gradual: bool):
        self.groups = groups
        self.decay = decay
        self.gradual = gradual

    def on_fit_start(self, trainer: Any) -> None:
        opt = trainer.optimizer
        base = opt.param_groups[0]["lr"]
        opt.param_groups.clear()  # the trainer built one group; state is keyed by parameter
        for i, params in enumerate(self.groups):
            scale = self.decay**-i
            opt.add_param_group({"params": params, "lr": base * scale, "lr_scale": scale})
        self._unfreeze(trainer.state.epoch)

    def on_epoch_start(self, trainer: Any, epoch: int) -> None:
        self._unfreeze(epoch)

    def on_batch_end(self, trainer: Any, batch: int, loss: float) -> None:
        groups = trainer.optimizer.param_groups
        lr = groups[0]["lr"]  # the output's: what the schedule set (scale 1)
        for group in groups[1:]:
            group["lr"] = lr * group["lr_scale"]

    def on_fit_end(self, trainer: Any) -> None:
        self._unfreeze(len(self.groups))  # leave an ordinary, fully trainable network

    def _unfreeze(self, epoch: int) -> None:
        """Train the top ``epoch + 1`` groups (all of them without gradual unfreezing)."""
        top = epoch + 1 if self.gradual else len(self.groups)
        for i, params in enumerate(self.groups):
            for p in params:
                p.requires_grad_(i < top)
