"""Micro-batching: concurrent requests share one forward pass.

Requests put their items on an asyncio queue and wait. One worker takes the first waiting
request and everything queued behind it (up to about ``max_items`` items); a request that was
alone in the queue waits ``window_s`` once for company. The worker runs the whole batch in one
call on its one thread (so the event loop keeps accepting and parsing requests)::

    request A [2 sessions] ─┐
    request B [1 session ] ─┼─ queue ─> worker: [A A B C C C] ─> run() ─> split ─> A, B, C
    request C [3 sessions] ─┘          (what is queued, + window_s)

Batches grow by themselves under load: while one batch runs, the next requests queue up and
all go in the next batch, at once, so the per-item cost falls and throughput grows with the
load. The window only matters when the worker was idle: a lone request waits ``window_s`` at
most (0 to never wait). Only one batch runs at a time, always on the same thread, so the backend
needs no locks. If a batch of several requests fails, each request is run again alone so that
one bad request cannot fail the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


class MicroBatcher(Generic[T, R]):
    """``run(requests) -> results`` (one result per request) called on batches of requests."""

    def __init__(
        self,
        run: Callable[[Sequence[T]], list[R]],
        size: Callable[[T], int] = lambda _: 1,
        max_items: int = 256,
        window_s: float = 0.0005,
        on_batch: Callable[[int, float], None] | None = None,
    ):
        self.run = run
        self.size = size
        self.max_items = max_items
        self.window_s = window_s
        self.on_batch = on_batch  # (items, seconds) after every batch, for metrics
        self.queue: asyncio.Queue[tuple[T, asyncio.Future[R]]] | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread: ThreadPoolExecutor | None = None

    def start(self) -> None:
        """Start the worker (inside the running event loop that will submit requests)."""
        self.queue = asyncio.Queue()
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="seqrnn-batch")
        self._task = asyncio.get_running_loop().create_task(self._work())

    async def stop(self) -> None:
        """Finish what is queued, then stop the worker."""
        if self._task is None:
            return
        while not self.queue.empty():
            await asyncio.sleep(self.window_s)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        self._thread.shutdown(wait=True)

    async def submit(self, request: T) -> R:
        """Queue ``request`` and wait for its result (exceptions of ``run`` propagate)."""
        if self.queue is None:
            raise RuntimeError("the batcher is not started (the app's lifespan did not run)")
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self.queue.put_nowait((request, future))
        return await future

    async def _collect(self) -> list[tuple[T, asyncio.Future[R]]]:
        batch = [await self.queue.get()]
        items = self._drain(batch, self.size(batch[0][0]))
        if len(batch) == 1 and items < self.max_items and self.window_s > 0:
            # alone in the queue: wait once (one timer) for requests arriving with it
            await asyncio.sleep(self.window_s)
            self._drain(batch, items)
        return batch

    def _drain(self, batch: list, items: int) -> int:
        """Move queued requests into ``batch`` until it holds ``max_items``; its item count."""
        while items < self.max_items and not self.queue.empty():
            entry = self.queue.get_nowait()
            batch.append(entry)
            items += self.size(entry[0])
        return items

    async def _work(self) -> None:
        while True:
            batch = await self._collect()
            batch = [(r, f) for r, f in batch if not f.done()]  # clients that went away
            if not batch:
                continue
            start = time.perf_counter()
            await self._run_batch(batch)
            if self.on_batch is not None:
                self.on_batch(sum(self.size(r) for r, _ in batch), time.perf_counter() - start)

    async def _run_batch(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            loop = asyncio.get_running_loop()
            results = await loop.run_in_executor(self._thread, self.run, [r for r, _ in batch])
        except Exception as exc:  # isolate the failing request below
            if len(batch) == 1:
                _settle(batch[0][1], exc=exc)
                return
            logger.warning("a batch of %d requests failed (%s); one by one now", len(batch), exc)
            for entry in batch:
                await self._run_batch([entry])
            return
        for (_, future), result in zip(batch, results, strict=True):
            _settle(future, result)


def _settle(future: asyncio.Future[Any], result: Any = None, exc: BaseException | None = None):
    """Resolve ``future`` unless its request was cancelled meanwhile."""
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)
