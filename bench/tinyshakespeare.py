"""Character language model on Tiny Shakespeare against the clock (run by hand, not a test).

Trains on the first 90% of ``../shared/data/tinyshakespeare/input.txt`` for a training-time
budget and, at each mark (minutes of training; evaluation time is not counted), scores the
WHOLE last 10% in nats per character two ways: full context (one pass, state carried from the
start of the validation text) and consecutive windows of 64 characters, each from a fresh
state. Prints a table with the ratio to reference models measured earlier on the same machine,
then samples at temperatures 0.5 and 1.0.

    python bench/tinyshakespeare.py --minutes 10 --marks 2 5   # the full benchmark (2x384 LSTM)
    python bench/tinyshakespeare.py --minutes 2 --marks        # a 2-minute run, its own schedule
    python bench/tinyshakespeare.py --minutes 2 --hidden 256 --batch-size 32 --lr 6e-3 \
        --dropout 0 --input-dropout 0                          # the small recipe (short budgets)
    python bench/tinyshakespeare.py --minutes 2 --baseline     # + plain LSTM, same budget

``--baseline`` also trains the reference recipe in the same run (a plain 2x256 LSTM, float32,
constant learning rate, no fresh-state columns) for the same budget and prints the ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import torch

from seqrnn.generation import generate
from seqrnn.textgen.evaluate import score_text
from seqrnn.textgen.workflow import TextRunConfig, load_corpus, text_config_from_dict, train_text
from seqrnn.train.callbacks import Callback
from seqrnn.train.schedule import TrainingClock

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "tinyshakespeare" / "input.txt"

#: measured earlier on this machine (nats/char, full context / windows of 64)
REFERENCES = {
    "2x256 LSTM, carried state": {2: (1.57, 1.68), 10: (1.485, 1.605)},
    "4x128 transformer, context 64": {10: (1.486, 1.521)},
}


def our_config(args: argparse.Namespace) -> TextRunConfig:
    """The recipe this benchmark measures (see docs/textgen.md for why each choice)."""
    return text_config_from_dict(
        {
            "data": {
                "train": str(args.data),
                "seq_len": args.seq_len,
                "fresh_fraction": args.fresh_fraction,
            },
            "model": {
                "embedding_dim": 64,
                "input_dropout": args.input_dropout,
                "encoder": {
                    "cell": "lstm",
                    "hidden_size": args.hidden,
                    "num_layers": 2,
                    "dropout": args.dropout,
                },
            },
            "train": {
                "epochs": 1000,
                "batch_size": args.batch_size,
                "learning_rate": args.lr,
                "grad_clip": 1.0,
                "precision": args.precision,
                "schedule": {"decay": "cosine", "warmup_steps": 50, "final_fraction": 0.05},
                "minutes": args.minutes,
            },
            "runs_dir": args.runs_dir,
            "name": "ours",
        }
    )


def baseline_config(args: argparse.Namespace) -> TextRunConfig:
    """The plain recipe: 2x256 LSTM, float32, constant learning rate, state always carried."""
    return text_config_from_dict(
        {
            "data": {"train": str(args.data), "seq_len": 64, "fresh_fraction": 0.0},
            "model": {"embedding_dim": 64, "encoder": {"hidden_size": 256, "num_layers": 2}},
            "train": {
                "epochs": 1000,
                "batch_size": 64,
                "learning_rate": 2e-3,
                "grad_clip": 5.0,
                "precision": "fp32",
                "schedule": {"decay": "constant", "warmup_steps": 0},
                "minutes": args.minutes,
            },
            "runs_dir": args.runs_dir,
            "name": "baseline",
        }
    )


class Marks(Callback):
    """Score the whole validation text at each mark (minutes of training), off the clock."""

    def __init__(self, clock: TrainingClock, marks: list[float], val_ids, label: str):
        self.clock, self.marks, self.val_ids, self.label = clock, sorted(marks), val_ids, label
        self.rows: list[tuple[float, float, float]] = []

    def on_batch_end(self, trainer, batch: int, loss: float) -> None:
        if self.marks and self.clock.seconds >= self.marks[0] * 60:
            with self.clock.excluded():
                self.marks.pop(0)
                s = score_text(trainer.net, self.val_ids, 64)
                self.rows.append((self.clock.seconds / 60, s.full_context_nats, s.window_nats))
                print(
                    f"  [{self.label}] {self.rows[-1][0]:5.2f} min: full context "
                    f"{s.full_context_nats:.4f}, windows of 64 {s.window_nats:.4f} (process CPU "
                    f"{time.process_time() / 60:.2f} min, load {os.getloadavg()[0]:.1f})",
                    flush=True,
                )


def run(config: TextRunConfig, marks: list[float], label: str) -> tuple[list, object]:
    """Train one recipe; return the table rows (minutes, full, windows) and the result."""
    corpus = load_corpus(config.data)
    clock = TrainingClock(time.process_time if ARGS.clock == "cpu" else time.perf_counter)
    mark_cb = Marks(clock, [m for m in marks if m < config.train.minutes], corpus.val_ids, label)
    began = time.perf_counter()
    result = train_text(config, [mark_cb], clock=clock)
    s = result.scores
    rows = [*mark_cb.rows, (result.train_seconds / 60, s.full_context_nats, s.window_nats)]
    print(
        f"  [{label}] {rows[-1][0]:5.2f} min: full context {s.full_context_nats:.4f}, windows "
        f"of 64 {s.window_nats:.4f} (final; {time.perf_counter() - began:.0f} s wall in all, "
        f"{len(result.history)} epochs)",
        flush=True,
    )
    return rows, result


def reference_ratio(minutes: float, full: float, win: float) -> str:
    parts = []
    for name, table in REFERENCES.items():
        near = [m for m in table if abs(m - minutes) < 0.25 * m]
        if near:
            rf, rw = table[near[0]]
            parts.append(f"vs {name} @{near[0]} min: {full / rf:.3f} / {win / rw:.3f}")
    return "; ".join(parts) or "-"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--marks", type=float, nargs="*", default=[2.0, 5.0])
    p.add_argument("--hidden", type=int, default=384)
    p.add_argument("--dropout", type=float, default=0.25, help="between the LSTM layers")
    p.add_argument("--input-dropout", type=float, default=0.1, help="on the embeddings")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--seq-len", type=int, default=64)
    p.add_argument("--fresh-fraction", type=float, default=0.1)
    p.add_argument("--lr", type=float, default=5e-3)
    p.add_argument("--precision", default="auto", choices=["auto", "bf16", "fp32"])
    p.add_argument("--threads", type=int, default=1, help="torch threads (1: see the docs)")
    p.add_argument("--clock", default="wall", choices=["wall", "cpu"])
    p.add_argument("--baseline", action="store_true", help="also train the plain recipe")
    p.add_argument("--runs-dir", default="runs/bench-tinyshakespeare")
    global ARGS
    ARGS = p.parse_args()
    if not ARGS.data.is_file():
        sys.exit(f"{ARGS.data}: not found (the shared data folder is not beside this checkout)")
    if ARGS.threads:
        torch.set_num_threads(ARGS.threads)
    print("command: python " + " ".join(sys.argv))
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs, "
        f"load average at start {os.getloadavg()[0]:.1f} ({ARGS.clock} clock)",
        flush=True,
    )
    c0 = time.process_time()
    rows, result = run(our_config(ARGS), ARGS.marks, "ours")
    print(
        f"CPU time of this process so far: {time.process_time() - c0:.0f} s; load average "
        f"now {os.getloadavg()[0]:.1f}"
    )
    base_rows = run(baseline_config(ARGS), ARGS.marks, "baseline")[0] if ARGS.baseline else []
    print(
        "\nnats per character on the whole validation split (last 10%, "
        f"{result.scores.positions:,} predicted characters)"
    )
    print(f"{'minutes':>8} {'full context':>13} {'windows of 64':>14}   ratio (full / windows)")
    for i, (m, full, win) in enumerate(rows):
        ratio = reference_ratio(m, full, win)
        if i < len(base_rows):
            ratio = f"vs baseline here: {full / base_rows[i][1]:.3f} / {win / base_rows[i][2]:.3f}"
        print(f"{m:8.2f} {full:13.4f} {win:14.4f}   {ratio}")
    model = result.model
    for temperature in (0.5, 1.0):
        ids = generate(model, model.encode("\n"), 500, temperature, seed=1)[0]
        print(f"\n--- sample, temperature {temperature} (seed 1) ---\n{model.decode(ids)}")
    print(f"\nmodel: {result.run_dir}")


ARGS: argparse.Namespace

if __name__ == "__main__":
    main()
