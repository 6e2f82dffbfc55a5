"""Load on ``seqrnn serve``: HDFS sessions posted (a) one per request and (b) 100 per request
by a bounded number of concurrent clients for a bounded time, against in-process ``detect``
on the same sessions in the same run; then the fault drills.

Each mode gets a fresh service (so (b) does not ride on the verdicts (a) remembered). The
clients are raw keep-alive HTTP/1.1 connections (``http_load.py``), cheap enough not to be
what limits; the CPU the service and the clients used is printed apart, with the service's
CPU per request, so a reader of a run on a busy machine sees who was short of what.

Run by hand from the repository root (the service binds 127.0.0.1 on a free port and is
stopped with SIGTERM at the end, whatever happens)::

    OMP_NUM_THREADS=1 python bench/serve_load.py --run RUN [--seconds 10] [--clients 32]
        [--client-procs 1] [--window-ms 0.5] [--backend onnxruntime --onnx MODEL] [--no-faults]

RUN is a detector run, e.g. ``seqrnn train-detector --train
/work/shared/data/hdfs_deeplog/hdfs_train --epochs 3 --restarts 1`` (one network, as the
figures in bench/README.md were measured; the default ensemble of 3 scores 3 networks).
Sessions: the abnormal HDFS test sessions (16,838) and logdeep's validation CSV (1,000
normal, 1,000 abnormal), shuffled.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import urllib.request
from pathlib import Path

import numpy as np
from http_load import LoadResult, run_load

from seqrnn.anomaly.inputs import SessionSet, read_labelled_csv, read_session_set
from seqrnn.anomaly.workflow import detect
from seqrnn.models.registry import load_next_symbol_model
from seqrnn.serve.faults import (
    LoadTally,
    answered_by_service,
    disconnects,
    send_bad_bodies,
    sigterm_under_load,
)
from seqrnn.serve.process import ServiceProcess

DATA = Path("/work/shared/data/hdfs_deeplog")


def load_sessions(limit: int, seed: int = 0) -> list[list[int]]:
    """Abnormal test sessions and the labelled validation CSV, shuffled, at most ``limit``."""
    both = SessionSet()
    both.extend(read_session_set(DATA / "hdfs_test_abnormal", 1))
    both.extend(read_labelled_csv(DATA / "logdeep_robust_log_valid.csv"))
    order = np.random.default_rng(seed).permutation(len(both))[:limit]
    return [both.sessions[i].tolist() for i in order]


def in_process_rate(run: str, sessions: list[list[int]], repeats: int = 3) -> float:
    """Sessions/s of library ``detect`` on all sessions at once: all the sessions judged over
    all the time taken, ``repeats`` times (an average, as the service's rate is)."""
    model = load_next_symbol_model(run)
    data = SessionSet([np.asarray(s, dtype=np.int64) for s in sessions])
    start = time.perf_counter()
    for _ in range(repeats):
        detect(model, data)
    return repeats * len(sessions) / (time.perf_counter() - start)


def drive(svc: ServiceProcess, sessions, per_request: int, args) -> LoadResult:
    """``args.clients`` (or ``args.bulk_clients``) keep-alive connections posting
    ``per_request`` sessions each for ``args.seconds``, after one warm-up request."""
    bodies = [
        json.dumps({"sessions": [{"keys": s} for s in sessions[i : i + per_request]]}).encode()
        for i in range(0, len(sessions) - per_request + 1, per_request)
    ]
    run_load(svc.url, "/v1/sessions", bodies[:1], 1, 0.2)  # warm-up: one body, 0.2 s
    conns = args.clients if per_request == 1 else args.bulk_clients
    return run_load(
        svc.url, "/v1/sessions", bodies, conns, args.seconds, args.client_procs, svc.proc.pid
    )


def line(name: str, r: LoadResult, per_request: int) -> str:
    """Rate, latency, failures, the share answered from the memo, and who used the CPU."""
    per_ms = 1000 * r.server_cpu / r.per_s if r.per_s else float("nan")
    return (
        f"{name}: {r.per_s * per_request:,.0f} sessions/s, p50 {r.p50_ms:.1f} ms, "
        f"p99 {r.p99_ms:.1f} ms, {r.requests:,} requests, failed {r.failed or 0}, "
        f"{r.remembered:.0%} of sessions on the fast path (memo)\n"
        f"    CPU busy: service {r.server_cpu:.2f} cores ({per_ms:.2f} ms per request), "
        f"clients {r.client_cpu:.2f} cores"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--run", required=True, help="detector run folder or checkpoint")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--clients", type=int, default=32, help="one-per-request clients")
    p.add_argument("--bulk-clients", type=int, default=4, help="100-per-request clients")
    p.add_argument("--client-procs", type=int, default=1, help="client processes")
    p.add_argument("--sessions", type=int, default=20_000)
    p.add_argument("--backend", default="torch", choices=["torch", "onnxruntime"])
    p.add_argument("--onnx", help="with --backend onnxruntime: the exported model")
    p.add_argument("--window-ms", type=float, default=0.5, help="service's --batch-window-ms")
    p.add_argument(
        "--remember", type=int, default=20_000, help="service's --remember-sessions (0: no memo)"
    )
    p.add_argument("--no-faults", action="store_true")
    args = p.parse_args()
    sessions = load_sessions(args.sessions)
    print(f"{len(sessions):,} HDFS sessions (abnormal test + validation CSV, shuffled)")
    print(f"load average at the start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    before = in_process_rate(args.run, sessions)
    target = args.onnx if args.backend == "onnxruntime" else args.run
    flags = ("-v", "--backend", args.backend, "--batch-window-ms", str(args.window_ms))
    flags += ("--remember-sessions", str(args.remember))
    results = {}
    for per_request in (1, 100):  # a fresh service each: (b) must not ride on (a)'s memo
        with ServiceProcess(target, *flags) as svc:
            results[per_request] = drive(svc, sessions, per_request, args)
            remembered = metric(svc.url, "seqrnn_sessions_remembered_total")
            judged = metric(svc.url, "seqrnn_sessions_judged_total")
            if per_request == 100 and not args.no_faults:
                tally = faults(svc)
        if not args.no_faults and per_request == 100:
            drained(svc, tally)
        results[per_request].remembered = remembered / max(judged, 1)
    after = in_process_rate(args.run, sessions)
    report(args, results[1], results[100], before, after)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


def metric(url: str, name: str) -> float:
    """One unlabelled value from the service's /metrics."""
    with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
        text = r.read().decode()
    return float(text.split(f"\n{name} ", 1)[1].split()[0])


def report(args, one: LoadResult, bulk: LoadResult, before: float, after: float) -> None:
    """The load figures against in-process detect (the mean of before and after)."""
    base = (before + after) / 2
    print(
        f"in-process detect (all at once, torch): {base:,.0f} sessions/s "
        f"(before the services ran {before:,.0f}, after {after:,.0f})"
    )
    print(line(f"(a) 1 per request, {args.clients} clients", one, 1))
    print(line(f"(b) 100 per request, {args.bulk_clients} clients", bulk, 100))
    print(
        f"ratio to in-process: (a) {one.per_s / base:.3f}  "
        f"(b) {bulk.per_s * 100 / base:.3f}  (target (b) >= 0.25)"
    )
    print(
        f"target (a) >= 1,000 sessions/s at p99 < 50 ms: {one.per_s:,.0f}/s, "
        f"p99 {one.p99_ms:.1f} ms"
    )


def faults(svc: ServiceProcess) -> LoadTally:
    """The drills, every answer printed."""
    for a in send_bad_bodies(svc.url) + disconnects(svc.url):
        print(f"  {a.drill:32s} -> {a.status} {a.message[:90]!r} alive={a.alive}")
    tally = asyncio.run(sigterm_under_load(svc, clients=16, before_s=1.0, after_s=3.0))
    print(
        f"  SIGTERM under load (16 clients on /v1/events): answered {dict(tally.answered)} "
        f"({tally.drained} of them sent before SIGTERM and answered after it), "
        f"refused after close {tally.refused}, closed without answer {tally.dropped} "
        f"{dict(tally.errors)}"
    )
    svc.stop()
    return tally


def drained(svc: ServiceProcess, tally: LoadTally) -> None:
    """After SIGTERM: every request the service began was answered before it exited. The
    service's own count of /v1/events answers (the drill's warm-up request + the clients'
    requests) against what the clients received."""
    by_route, in_flight = answered_by_service(svc.stderr.decode())
    print(f"service after SIGTERM: exit status {svc.proc.returncode}, {in_flight} in flight")
    print(f"service's own count of answers: {by_route}")
    served = by_route.get("/v1/events 200", 0) - 1  # less the warm-up
    lost = served - tally.answered[200]
    print(
        f"SIGTERM drill: the service answered {served} requests, the clients received "
        f"{tally.answered[200]}: {lost} began and left unanswered"
        + (
            f"; the {tally.dropped} closed without answer never reached the app (sent on "
            "keep-alive connections as the shutdown closed them)"
            if lost == 0 and tally.dropped
            else ""
        )
    )


if __name__ == "__main__":
    main()
