"""A cheap HTTP/1.1 load generator, so that the client is not what limits a service benchmark.

Each client is one keep-alive connection over asyncio streams that sends prebuilt request
bytes and reads the answer by its Content-Length (no HTTP library: httpx spends 3-10 ms of
CPU per request on a loaded 2-core machine, more than the service it measures). The load can
be spread over several client processes; each reports its own CPU time, and the service's CPU
time is read from ``/proc/PID/stat``, so a report says who was busy::

    process 1: [conn 1] [conn 2] ... [conn c]  ─┐
    process 2: [conn 1] [conn 2] ... [conn c]  ─┼─> service (pid) <- CPU from /proc
    ...                                         ─┘

Imported by ``serve_load.py``; it imports nothing of seqrnn (so client processes start fast).
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing as mp
import os
import resource
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

import numpy as np


def request_bytes(host: str, port: int, path: str, body: bytes) -> bytes:
    """A complete keep-alive POST with a JSON body."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Status and body of one answer (Content-Length framing: what the service sends)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length)


@dataclass
class Tally:
    """What one client process saw."""

    latencies: list[float] = field(default_factory=list)  # seconds, answered 200
    failed: dict[str, int] = field(default_factory=dict)  # status or error -> count
    cpu_s: float = 0.0  # this process's user + system time while driving
    wall_s: float = 0.0


async def _drive(
    url: str, path: str, bodies: list[bytes], conns: int, start_at: float, seconds: float
) -> Tally:
    u = urlparse(url)
    host, port = u.hostname or "127.0.0.1", int(u.port or 80)
    requests = itertools.cycle([request_bytes(host, port, path, b) for b in bodies])
    tally = Tally()
    await asyncio.sleep(max(0.0, start_at - time.time()))  # all processes start together
    stop = time.perf_counter() + seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                writer.write(next(requests))
                try:
                    status, _ = await read_answer(reader)
                except (asyncio.IncompleteReadError, ConnectionError) as exc:
                    key = type(exc).__name__
                    tally.failed[key] = tally.failed.get(key, 0) + 1
                    return
                if status == 200:
                    tally.latencies.append(time.perf_counter() - t0)
                else:
                    tally.failed[str(status)] = tally.failed.get(str(status), 0) + 1
        finally:
            writer.close()

    cpu0, t0 = _cpu_self(), time.perf_counter()
    await asyncio.gather(*(client() for _ in range(conns)))
    tally.cpu_s, tally.wall_s = _cpu_self() - cpu0, time.perf_counter() - t0
    return tally


def _cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _run(args: tuple) -> Tally:
    try:
        import uvloop  # the service's event loop too, when installed

        return uvloop.run(_drive(*args))
    except ImportError:
        return asyncio.run(_drive(*args))


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far, all its threads (Linux)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_cpu(pid: int | None) -> float:
    return proc_cpu_s(pid) if pid else float("nan")


@dataclass
class LoadResult:
    """The load as a whole: rates, latencies and who spent the CPU."""

    requests: int
    failed: dict[str, int]
    per_s: float  # requests answered 200 per second
    p50_ms: float
    p99_ms: float
    client_cpu: float  # cores' worth busy in the client processes (CPU s / wall s)
    server_cpu: float  # the same for the service process
    remembered: float = float("nan")  # share of sessions the service answered from its memo


def run_load(
    url: str,
    path: str,
    bodies: list[bytes],
    conns: int,
    seconds: float,
    procs: int = 1,
    server_pid: int | None = None,
) -> LoadResult:
    """``conns`` keep-alive connections spread over ``procs`` processes, for ``seconds``."""
    per = [conns // procs + (i < conns % procs) for i in range(procs)]
    start_at = time.time() + (0.0 if procs == 1 else 1.0)  # leave the processes time to start
    jobs = [
        (url, path, bodies[i::procs] or bodies, n, start_at, seconds)
        for i, n in enumerate(per)
        if n
    ]
    if len(jobs) == 1:
        srv0, t0 = _server_cpu(server_pid), time.perf_counter()
        tallies = [_run(jobs[0])]
    else:
        # fork: the clients need nothing of the parent but this module (spawn would import
        # the calling script again, torch included, in every client)
        with mp.get_context("fork").Pool(len(jobs)) as pool:
            pending = pool.map_async(_run, jobs)
            time.sleep(max(0.0, start_at - time.time()))
            srv0, t0 = _server_cpu(server_pid), time.perf_counter()
            tallies = pending.get()
    srv = (_server_cpu(server_pid) - srv0) / (time.perf_counter() - t0)
    lat = np.array([x for t in tallies for x in t.latencies]) * 1000
    failed: dict[str, int] = {}
    for t in tallies:
        for k, v in t.failed.items():
            failed[k] = failed.get(k, 0) + v
    span = max(t.wall_s for t in tallies)
    return LoadResult(
        requests=len(lat),
        failed=failed,
        per_s=len(lat) / span,
        p50_ms=float(np.percentile(lat, 50)) if len(lat) else float("nan"),
        p99_ms=float(np.percentile(lat, 99)) if len(lat) else float("nan"),
        client_cpu=sum(t.cpu_s for t in tallies) / span,
        server_cpu=srv,
    )
