"""The shared life cycle: one settings rule, no hidden global state, time budget and schedule
callbacks, logs fit for files, failed starts cleaned up, best weights restored, locks."""

from __future__ import annotations

import io
import itertools
import math

import numpy as np
import pytest
import torch

from seqrnn.anomaly.training import detector_config_from_dict
from seqrnn.classify.workflow import config_from_dict as classify_config
from seqrnn.cli.common import ProgressBar
from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import ConfigError, OutputError, TrainingError
from seqrnn.forecast.workflow import config_from_dict as forecast_config
from seqrnn.generation import generate
from seqrnn.io.runs import lock_run_dir
from seqrnn.models.markov import MarkovModel
from seqrnn.next_symbol import training as ns
from seqrnn.textgen.workflow import text_config_from_dict
from seqrnn.train import lifecycle
from seqrnn.train.callbacks import Callback
from seqrnn.train.schedule import ScheduleConfig, TrainingClock
from seqrnn.train.trainer import Trainer

# -- one rule for settings: a partial table keeps every other default of the task ------------

BUILDERS = {
    "next_symbol": ns.run_config_from_dict,
    "detector": detector_config_from_dict,
    "forecast": forecast_config,
    "classify": classify_config,
    "text": text_config_from_dict,
}


def _flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


@pytest.mark.parametrize("task", list(BUILDERS))
def test_a_partial_override_keeps_every_other_default(task):
    from seqrnn.config import to_dict

    build = BUILDERS[task]
    defaults = _flat(to_dict(build({})))
    changed = _flat(to_dict(build({"train": {"epochs": 7}, "runs_dir": "elsewhere"})))
    diff = {k for k in defaults if defaults[k] != changed[k]}
    assert diff == {"train.epochs", "runs_dir"}, diff
    assert changed["train.epochs"] == 7


def test_classify_defaults_are_the_recommended_network_whatever_else_is_given():
    c = classify_config({"train": {"epochs": 10}, "net": {"encoder": {"hidden_size": 128}}})
    assert c.net.preset == "bilstm-prior" and c.net.prior_features
    assert c.net.encoder.bidirectional and c.net.encoder.hidden_size == 128
    assert c.train.learning_rate == 2e-3 and c.train.patience == 2  # the task's, not bare ones


def test_a_preset_key_starts_the_network_from_that_preset():
    c = classify_config({"net": {"preset": "lstm", "encoder": {"hidden_size": 32}}})
    assert c.net.preset == "lstm" and not c.net.prior_features
    assert not c.net.encoder.bidirectional and c.net.encoder.hidden_size == 32
    with pytest.raises(ConfigError, match="unknown preset 'transformer'"):
        classify_config({"net": {"preset": "transformer"}})


def test_detector_defaults_are_the_hdfs_recipe():
    c = detector_config_from_dict({"data": {"train": "x"}})
    assert (c.model.embedding_dim, c.model.encoder.hidden_size, c.model.encoder.num_layers) == (
        0,
        64,
        2,
    )
    assert (c.train.epochs, c.train.batch_size, c.train.learning_rate) == (30, 128, 0.01)
    assert c.data.val_fraction == 0.0 and c.data.window == 10


# -- no hidden global state --------------------------------------------------------------------


def _sessions(tmp_path, n=30):
    path = tmp_path / "s.txt"
    path.write_text("\n".join(" ".join(str(1 + (i + j) % 4) for j in range(6)) for i in range(n)))
    return path


def _config(tmp_path, **train):
    return ns.run_config_from_dict(
        {
            "data": {"train": str(_sessions(tmp_path)), "window": 3},
            "model": {"embedding_dim": 4, "encoder": {"hidden_size": 8, "num_layers": 1}},
            "train": {"epochs": 2, "batch_size": 8, **train},
            "runs_dir": str(tmp_path / "runs"),
        }
    )


def test_training_leaves_the_callers_random_stream_alone(tmp_path):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    ns.train(_config(tmp_path))
    assert torch.equal(torch.rand(3), expected)


def test_unseeded_generate_leaves_the_callers_random_stream_alone():
    vocab = Vocabulary.build([["1", "2", "3"]])
    model = MarkovModel.fit([vocab.encode(["1", "2", "3", "1", "2", "3"])], vocab, order=1)
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    generate(model, np.array([2]), 5)  # no seed: fresh entropy, not the global RNG
    assert torch.equal(torch.rand(3), expected)


def test_trainer_restores_the_cudnn_switch(tmp_path):
    before = torch.backends.cudnn.enabled
    ns.train(_config(tmp_path, cudnn=not before))
    assert torch.backends.cudnn.enabled == before


# -- callbacks any task can use ----------------------------------------------------------------


def test_time_budget_stops_between_batches(tmp_path):
    ticks = iter(range(10**6))  # a clock that moves one second at every look
    clock = TrainingClock(lambda: float(next(ticks)))
    seen: list[int] = []

    class Count(Callback):
        def on_batch_end(self, trainer: Trainer, batch: int, loss: float) -> None:
            seen.append(batch)

    config = _config(tmp_path, epochs=50, minutes=3 / 60)  # a 3-second budget
    result = lifecycle.run(config, ns.NextSymbolRecipe(config), [Count()], clock=clock)
    assert seen == [0, 1, 2]  # stopped after the batch that spent the budget, mid-epoch
    assert len(result.history) == 1 and result.metrics["training"]["epochs"] == 1


def test_lr_schedule_warms_up_then_decays_to_its_floor(tmp_path):
    seen: list[float] = []

    class Spy(Callback):
        def on_batch_end(self, trainer: Trainer, batch: int, loss: float) -> None:
            seen.append(trainer.optimizer.param_groups[0]["lr"])

    schedule = {"decay": "cosine", "warmup_steps": 3, "final_fraction": 0.1}
    ns.train(_config(tmp_path, epochs=4, learning_rate=0.01, schedule=schedule), [Spy()])
    assert seen[0] < seen[1] == max(seen) <= 0.01  # warm-up over steps 1-2, then decay
    assert all(a >= b for a, b in itertools.pairwise(seen[1:]))
    assert seen[-1] == pytest.approx(0.001, rel=0.05)  # cosine down to 10 %
    assert ScheduleConfig().active is False  # the default leaves the rate alone


# -- logs, failures, best weights, locks -------------------------------------------------------


def test_progress_without_a_terminal_is_one_line_per_epoch(tmp_path):
    stream = io.StringIO()
    ns.train(_config(tmp_path, epochs=3), [ProgressBar(stream)])
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3 and all(
        line.startswith(f"epoch={i + 1} ") for i, line in enumerate(lines)
    )
    assert "\r" not in stream.getvalue()


def test_a_diverging_run_stops_with_a_clear_error_and_leaves_no_folder(tmp_path, monkeypatch):
    from seqrnn.next_symbol.task import NextSymbolTask

    real, calls = NextSymbolTask.step, []

    def nan_at_second_batch(self, net, batch, train):
        out = real(self, net, batch, train)
        calls.append(1)
        if len(calls) == 2:
            out.loss = out.loss * float("nan")
        return out

    monkeypatch.setattr(NextSymbolTask, "step", nan_at_second_batch)
    with pytest.raises(
        TrainingError, match=r"training diverged: the loss is nan at epoch 1, batch 2"
    ):
        ns.train(_config(tmp_path))
    assert not any((tmp_path / "runs").iterdir())


def test_best_epoch_weights_are_the_ones_returned(tmp_path):
    result = ns.train(_config(tmp_path, epochs=4))
    best = result.metrics["training"]["best_epoch"]
    losses = [row["val_loss"] for row in result.history]
    assert best == 1 + int(np.argmin(losses))
    assert math.isclose(result.metrics["training"]["best_val_loss"], min(losses))


def test_a_run_in_use_is_refused(tmp_path):
    refused = pytest.raises(OutputError, match="in use by another seqrnn process")
    with lock_run_dir(tmp_path), refused, lock_run_dir(tmp_path):
        pass
