"""SIGTERM treated like Ctrl-C while training.

A job scheduler, ``docker stop``, ``systemctl stop`` or ``torchrun`` ending a job send SIGTERM,
not SIGINT. Python's default is to die on the spot, losing the epoch in progress. Inside
:func:`terminate_as_interrupt` a SIGTERM raises :class:`KeyboardInterrupt` instead, so the
trainer writes its resumable checkpoint exactly as it does on Ctrl-C. The previous handler is
put back afterwards: library code leaves process-wide settings as it found them.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises ``KeyboardInterrupt`` (main thread only; elsewhere,
    where handlers cannot be installed, the block runs unchanged)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
