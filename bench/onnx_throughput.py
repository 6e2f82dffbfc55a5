"""onnxruntime against PyTorch: the same detector run exported to ONNX, the same HDFS
sessions scored by both through the one scorer (``score_sessions``), alternating, medians.

Run by hand from the repository root::

    OMP_NUM_THREADS=1 python bench/onnx_throughput.py --run RUN [--rounds 5]

Prints both rates, the ratio onnxruntime / PyTorch and the largest difference between the two
models' log-probabilities on these sessions.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from seqrnn.anomaly.inputs import SessionSet, read_labelled_csv, read_session_set
from seqrnn.anomaly.sessions import score_sessions
from seqrnn.export.onnx import export_onnx
from seqrnn.export.runtime import load_onnx_model
from seqrnn.models.registry import load_next_symbol_model
from seqrnn.serve.backends import load_network

DATA = Path("/work/shared/data/hdfs_deeplog")


def rate(model, sessions: list[np.ndarray]) -> float:
    start = time.perf_counter()
    scores = score_sessions(model, sessions)
    return len(scores.positions) / (time.perf_counter() - start)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--run", required=True)
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    data = SessionSet()
    data.extend(read_session_set(DATA / "hdfs_test_abnormal", 1))
    data.extend(read_labelled_csv(DATA / "logdeep_robust_log_valid.csv"))
    sessions = data.sessions
    torch_model = load_next_symbol_model(args.run)
    net, meta = load_network(args.run)
    with tempfile.TemporaryDirectory() as tmp:
        path = export_onnx(net, meta, Path(tmp) / "model.onnx", step=False)[0]
        onnx_model = load_onnx_model(path)
        contexts = torch.randint(0, len(torch_model.vocab), (4096, torch_model.context_length))
        diff = (torch_model.next_log_probs(contexts) - onnx_model.next_log_probs(contexts)).abs()
        rates: dict[str, list[float]] = {"torch": [], "onnxruntime": []}
        for r in range(args.rounds):
            rates["torch"].append(rate(torch_model, sessions))
            rates["onnxruntime"].append(rate(onnx_model, sessions))
            print(
                f"round {r + 1}: torch {rates['torch'][-1]:,.0f} positions/s  "
                f"onnxruntime {rates['onnxruntime'][-1]:,.0f} positions/s"
            )
    t, o = np.median(rates["torch"]), np.median(rates["onnxruntime"])
    print(
        f"{len(sessions):,} sessions, threads={torch.get_num_threads()}, {torch_model.describe()}"
    )
    print(f"PyTorch:     {t:,.0f} positions/s (median)")
    print(f"onnxruntime: {o:,.0f} positions/s (median)")
    print(f"ratio onnxruntime/PyTorch: {o / t:.3f}")
    print(f"max |log p difference| on 4096 random windows: {float(diff.max()):.2e}")


if __name__ == "__main__":
    main()
