"""Feedback: update a detector from sessions an operator marked as normal (DeepLog's answer to
false positives), in seconds, without forgetting the rest.

The model is fine-tuned from its own weights on the distinct ``(window, next key)`` rows of
the fed-back sessions *mixed with* those of its training sessions (replay), each training row
once and each new row ``feedback_weight`` times, at a low learning rate, for a few epochs:
the new rows teach that these continuations are normal, the replayed ones keep every old
prediction in place. After each epoch the fed-back sessions are judged with the detector in
use; training stops as soon as none of them is flagged any more (or after ``epochs``).

    parent run (weights, vocabulary) --+-- replay rows (training sessions, weight 1)
                                       +-- feedback rows (operator's sessions, weight w)
                                       v
    new run folder: the parent's name + "-feedback" (never the parent's), written by the
    life cycle (atomic checkpoints), metrics.json: the feedback record and the parent's
    calibration, so ``seqrnn detect`` applies the same budget

Keys the model never saw (common when it was trained on a few sessions) are added to its
vocabulary first (:func:`grow_vocabulary`: the old weights are kept, the new key's input
weights start at zero and its output bias well below the old ones), since a session of an unknown
key is anomalous whatever the model predicts.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seqrnn.anomaly.calibration import read_calibration
from seqrnn.anomaly.detectors import Detector, SessionAggregator
from seqrnn.anomaly.sessions import distinct_sessions, encode_sessions, judge, score_sessions
from seqrnn.anomaly.training import DistinctWindowBatches, WeightedNextSymbolTask
from seqrnn.config import from_dict, load_config_file, replace, to_dict
from seqrnn.data.formats import read_sequences
from seqrnn.data.vocab import Vocabulary
from seqrnn.data.windows import Windows
from seqrnn.errors import ConfigError
from seqrnn.io.runs import save_metrics
from seqrnn.models.neural import KIND, NeuralNextSymbolModel, load_net, model_meta
from seqrnn.models.registry import resolve_model_path
from seqrnn.nn.next_symbol import NextSymbolNet
from seqrnn.train import distributed, lifecycle
from seqrnn.train.callbacks import Callback
from seqrnn.train.config import TrainConfig

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedbackConfig:
    """A feedback update: at most ``train.epochs`` epochs at a low learning rate; rows new to
    the model weigh ``feedback_weight``. Saved as the new run's ``config.json``."""

    parent: str = ""  # the run (or checkpoint) being updated
    feedback: str = ""  # where the normal sessions came from (recorded, not read)
    replay: str | None = None  # training sessions to replay (default: the parent's data.train)
    feedback_weight: float = 2.0
    train: TrainConfig = field(
        default_factory=lambda: TrainConfig(epochs=50, batch_size=128, learning_rate=0.01)
    )
    runs_dir: str | None = None  # None: beside the parent run
    name: str | None = None  # None: the parent's name + "-feedback" (-2, -3 ... if taken)

    def __post_init__(self) -> None:
        if not self.feedback_weight > 0:
            raise ConfigError(f"feedback_weight must be > 0, got {self.feedback_weight}")


@dataclass
class FeedbackResult:
    """The updated model, its run folder and what the update did."""

    model: NeuralNextSymbolModel
    run_dir: Path | None
    record: dict[str, Any]


class StopWhenAccepted(Callback):
    """Ends training after the first epoch where no fed-back session is flagged."""

    def __init__(self, check: Any):
        self.check = check  # () -> number of fed-back sessions still flagged

    def on_epoch_end(self, trainer: Any, row: dict[str, Any]) -> None:
        flagged = self.check(trainer.net)
        row["feedback_flagged"] = flagged
        trainer.net.train()
        if flagged == 0:
            trainer.should_stop = True


class FeedbackRecipe:
    """The parent's network and vocabulary, replay + feedback rows, weighted."""

    def __init__(self, config: FeedbackConfig, sessions: list[np.ndarray], detector: Detector):
        self.config = config
        self.sessions, _ = distinct_sessions(sessions)
        self.detector = detector
        self.model: NeuralNextSymbolModel | None = None
        self.extra: dict[str, Any] = {}

    def build(self, ctx: distributed.DistContext) -> lifecycle.Parts:
        path = resolve_model_path(self.config.parent)
        ckpt, net, vocab = load_net(path, KIND, "feedback")
        window = int(ckpt.meta["window"])
        net, vocab = grow_vocabulary(net, vocab, self.sessions)
        self.model = NeuralNextSymbolModel(net, vocab, window, "cpu")
        replay = read_sequences(self.config.replay, "sessions")
        old = Windows(encode_sessions(self.model, replay), window).rows()  # [N, L + 1]
        new = Windows(encode_sessions(self.model, self.sessions), window).rows()
        rows = torch.unique(torch.cat([old, new]), dim=0)  # [U, L + 1]
        known = {tuple(r) for r in torch.unique(old, dim=0).tolist()}
        fresh = torch.tensor([tuple(r) not in known for r in rows.tolist()])  # [U]
        weights = torch.where(fresh, self.config.feedback_weight, 1.0)
        source = DistinctWindowBatches.from_rows(rows, weights, self.config.train.batch_size)
        self.extra["feedback_rows"] = int(fresh.sum())
        meta = model_meta(net.config, vocab, window, ckpt.meta.get("input_format", "sessions"))
        stop = StopWhenAccepted(lambda n: self.still_flagged(n))
        return lifecycle.Parts(net, WeightedNextSymbolTask(), source, None, meta, [stop])

    def still_flagged(self, net: Any) -> int:
        """Fed-back (distinct) sessions the detector still flags with ``net``."""
        assert self.model is not None
        model = NeuralNextSymbolModel(net, self.model.vocab, self.model.context_length)
        scores = score_sessions(model, self.sessions, top_k=1)
        aggregator = SessionAggregator(model.context_length + 1)
        return int(judge(scores, self.detector, aggregator).anomalous.sum())

    def report(self, run: lifecycle.FinishedRun) -> dict[str, Any]:
        left = self.still_flagged(run.net)
        record = {**self.extra, "distinct_sessions": len(self.sessions), "still_flagged": left}
        return {"model": "feedback update", "feedback": {**record, "parent": self.config.parent}}


def update_from_feedback(
    parent: str | Path,
    sessions: list[np.ndarray],
    detector: Detector,
    config: FeedbackConfig | None = None,
) -> FeedbackResult:
    """Fine-tune the detector run ``parent`` so that ``sessions`` (raw keys, marked normal by
    an operator) stop being flagged by ``detector``, replaying its training sessions so that
    nothing else changes much; the result is a new run folder (see the module docstring)."""
    config = config or FeedbackConfig()
    settings = to_dict(config)
    folder = resolve_model_path(parent).parent
    settings.update(parent=str(parent), name=config.name or f"{folder.name}-feedback")
    if config.runs_dir is None:
        settings["runs_dir"] = str(folder.parent)
    settings["replay"] = config.replay or _parent_train(folder)
    config = from_dict(FeedbackConfig, settings)  # config.json says what was replayed
    if not sessions:
        raise ConfigError("no sessions to learn from: the feedback file is empty")
    began = time.perf_counter()
    recipe = FeedbackRecipe(config, sessions, detector)
    result = lifecycle.run(config, recipe, [])
    seconds = time.perf_counter() - began
    record = dict(result.metrics.get("feedback", {}), seconds=round(seconds, 3))
    record["sessions"] = len(sessions)
    record["epochs"] = len(result.history)
    calibration = read_calibration(parent)
    if result.run_dir is not None:
        extra = {} if calibration is None else {"calibration": calibration.to_dict()}
        save_metrics(result.run_dir, {**result.metrics, **extra, "feedback": record})
    model = NeuralNextSymbolModel(result.net, recipe.model.vocab, recipe.model.context_length)
    logger.info("feedback update: %s", record)
    return FeedbackResult(model, result.run_dir, record)


def grow_vocabulary(
    net: NextSymbolNet, vocab: Vocabulary, sessions: list[np.ndarray]
) -> tuple[NextSymbolNet, Vocabulary]:
    """``net`` and ``vocab`` with the keys of ``sessions`` they lack appended (old ids keep
    their meaning). Every old weight is copied into the larger tensors; the new input columns
    and output rows are zero and the new output biases 2 below the lowest old one, so the old
    keys' logits are exactly as before and a new key is unlikely until it is trained."""
    keys = {str(k) for s in sessions for k in np.asarray(s).tolist()}
    new = sorted(keys - set(vocab.symbols), key=lambda k: (len(k), k))
    if not new:
        return net, vocab
    grown = Vocabulary([*vocab.symbols[2:], *new])
    bigger = NextSymbolNet(replace(net.config, vocab_size=len(grown)))
    old = net.state_dict()
    state = {}
    for name, tensor in bigger.state_dict().items():
        fill = float(old[name].min()) - 2.0 if name == "head.bias" else 0.0
        grown_tensor = torch.full_like(tensor, fill)
        grown_tensor[tuple(slice(0, n) for n in old[name].shape)] = old[name]
        state[name] = grown_tensor
    bigger.load_state_dict(state)
    logger.info("feedback: %d new key(s) added to the vocabulary: %s", len(new), new)
    return bigger, grown


def _parent_train(folder: Path) -> str:
    """The parent run's training sessions (its ``config.json``'s ``data.train``, or the
    ``replay`` of a run that was itself a feedback update)."""
    config = folder / "config.json"
    data = load_config_file(config) if config.is_file() else {}
    train = data.get("data", {}).get("train") or data.get("replay")
    if not train or not Path(train).exists():
        raise ConfigError(
            f"{folder}: cannot find the training sessions to replay "
            f"({train or 'no data.train in config.json'}); give them (--replay FILE)"
        )
    return str(train)
