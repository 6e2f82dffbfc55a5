"""The micro-batcher: queued requests share one call, a lone request waits the window once,
and every call runs on the batcher's one thread."""

from __future__ import annotations

import asyncio
import threading
import time

from seqrnn.serve.batching import MicroBatcher


def test_queued_requests_share_a_call_and_a_lone_one_waits_the_window():
    calls: list[list[int]] = []
    threads: set[int] = set()

    def run(requests: list[int]) -> list[int]:
        calls.append(list(requests))
        threads.add(threading.get_ident())
        time.sleep(0.05)
        return [r * 2 for r in requests]

    async def main() -> float:
        batcher = MicroBatcher(run, max_items=100, window_s=0.03)
        batcher.start()
        start = time.perf_counter()
        assert await batcher.submit(1) == 2
        lone = time.perf_counter() - start
        running = asyncio.ensure_future(batcher.submit(10))
        await asyncio.sleep(0.04)  # [10] waited its window and is running now
        queued = [asyncio.ensure_future(batcher.submit(i)) for i in (20, 21, 22)]
        assert await asyncio.gather(running, *queued) == [20, 40, 42, 44]
        await batcher.stop()
        return lone

    lone = asyncio.run(main())
    assert calls[0] == [1] and lone >= 0.03
    assert calls[-1] == [20, 21, 22]  # queued behind a running batch: one call
    assert len(threads) == 1 and threading.get_ident() not in threads
