"""Data-parallel training: ``torchrun --nproc_per_node=2 -m seqrnn train`` on CPU (gloo) gives the
weights of a single-process run with the same global batch; only rank 0 writes."""

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch

from seqrnn.errors import ConfigError, TrainingError
from seqrnn.io.checkpoint import load_checkpoint
from seqrnn.next_symbol import training as ns
from seqrnn.train import precision
from seqrnn.train.distributed import DistContext, all_reduce_sums, init_from_env
from seqrnn.train.precision import fast_bf16

# Two ranks each average over half of every batch and DDP averages the two gradients: the same
# mean as one process over the whole batch, up to float32 rounding in a different order.
WEIGHT_TOLERANCE = 1e-5


def even_sessions(path, n=40, seed=1):
    """Sessions of even length, so that every batch (also the last) splits evenly in two."""
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(n):
        s, seq = 1, []
        for _ in range(2 * int(rng.integers(4, 8))):
            seq.append(s)
            s = (5 if rng.random() < 0.3 else 3) if s == 2 else s % 5 + 1
        lines.append(" ".join(map(str, seq)))
    path.write_text("\n".join(lines) + "\n")
    return path


def config_dict(tmp_path, runs):
    return {
        "runs_dir": str(tmp_path / runs),
        "name": "run",
        "data": {"train": str(even_sessions(tmp_path / "s.txt")), "window": 4},
        "model": {"embedding_dim": 4, "encoder": {"hidden_size": 8, "num_layers": 2}},
        # fp32 spelled out: "auto" is bf16 on CPUs with bfloat16 units, whose rounding differs
        # between one batch of 16 and two of 8, so the weights could not match to 1e-5 there
        "train": {
            "epochs": 2,
            "batch_size": 16,
            "learning_rate": 0.01,
            "device": "cpu",
            "precision": "fp32",
        },
    }


def test_torchrun_two_processes_match_one_process(tmp_path):
    torch.set_num_threads(1)
    single = ns.train(ns.run_config_from_dict(config_dict(tmp_path, "single")))
    cfg = tmp_path / "ddp.json"
    cfg.write_text(json.dumps(config_dict(tmp_path, "ddp")))
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    cmd += ["-m", "seqrnn", "train", "--config", str(cfg), "--no-progress"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    assert os.listdir(tmp_path / "ddp") == ["run"]  # rank 1 made no folder of its own
    a = load_checkpoint(single.run_dir / "last.safetensors").section("model")
    b = load_checkpoint(tmp_path / "ddp" / "run" / "last.safetensors").section("model")
    assert a.keys() == b.keys()
    worst = max(float((a[k] - b[k]).abs().max()) for k in a)
    assert worst < WEIGHT_TOLERANCE
    h1 = pd.read_csv(single.run_dir / "history.csv")
    h2 = pd.read_csv(tmp_path / "ddp" / "run" / "history.csv")
    for column in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert np.allclose(h1[column], h2[column], atol=1e-5), column


def test_single_process_context_is_a_no_op(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    ctx = init_from_env("cpu")
    assert (ctx.rank, ctx.world_size, ctx.backend, ctx.is_main) == (0, 1, None, True)
    sums = {"loss": 1.5, "count": 3, "correct": None, "time": 0.1}
    assert all_reduce_sums(sums) == sums


def test_global_batch_must_split_evenly():
    with pytest.raises(ConfigError, match="must be divisible by the number of processes \\(3\\)"):
        DistContext(world_size=3).per_rank_batch(16)
    assert DistContext(world_size=4).per_rank_batch(16) == 4


@pytest.mark.skipif(
    not fast_bf16(torch.device("cpu")), reason="this CPU has no bfloat16 units (AMX/AVX-512 BF16)"
)
def test_bf16_autocast_trains_close_to_fp32(tmp_path):
    torch.set_num_threads(1)
    data = config_dict(tmp_path, "runs")
    data["train"]["epochs"] = 1
    fp32 = ns.train(ns.run_config_from_dict(data)).history[-1]  # fp32 by config_dict
    data["train"]["precision"] = "bf16"
    bf16 = ns.train(ns.run_config_from_dict(data)).history[-1]
    assert bf16["loss"] != fp32["loss"]  # autocast really ran in bfloat16 ...
    assert abs(bf16["loss"] - fp32["loss"]) < 0.05  # ... and stayed close (8-bit mantissa)


def test_explicit_bf16_without_bf16_units_is_refused_before_training(tmp_path, monkeypatch):
    monkeypatch.setattr(precision, "fast_bf16", lambda device: False)
    data = config_dict(tmp_path, "runs")
    data["train"]["precision"] = "bf16"
    with pytest.raises(TrainingError, match="this CPU has no bfloat16 units"):
        ns.train(ns.run_config_from_dict(data))
    assert not (tmp_path / "runs" / "run").exists()  # the failed start left no folder


def test_auto_precision_is_bf16_only_where_the_hardware_has_it(monkeypatch):
    cpu = torch.device("cpu")
    monkeypatch.setattr(precision, "fast_bf16", lambda device: False)
    assert precision.use_bf16("auto", cpu) is False
    monkeypatch.setattr(precision, "fast_bf16", lambda device: True)
    assert precision.use_bf16("auto", cpu) is True
    assert precision.use_bf16("fp32", cpu) is False
