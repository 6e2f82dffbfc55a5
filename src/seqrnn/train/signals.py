"""Ctrl-C and SIGTERM while training: stop at the next batch boundary, with a checkpoint.

A job scheduler, ``docker stop``, ``systemctl stop`` or ``torchrun`` ending a job send SIGTERM,
not SIGINT, and Python's default is to die on the spot. And a ``KeyboardInterrupt`` raised in
the middle of an optimizer step or of a batch's forward pass would leave half-updated weights
or a carried state one batch ahead of the batch counter, so a resumed run would no longer end
with the weights of an uninterrupted one.

So inside :func:`stop_requests` both signals only *ask* the trainer to stop
(:class:`StopRequest`); the trainer finishes the batch in progress, writes its resumable
checkpoint and raises :class:`~seqrnn.train.TrainingInterrupted`. Outside the training loop (reading
data, say) and on a second signal the request becomes a plain ``KeyboardInterrupt`` at once.
The previous handlers are put back afterwards: library code leaves process-wide settings as it
found them.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType


class TrainingInterrupted(Exception):
    """Raised after Ctrl-C (or SIGTERM) once a resumable checkpoint has been written to ``path``
    (``None`` without a run folder). It lives here, beside the signal handling, so that the CLI
    can catch it without importing the trainer (and PyTorch)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.run_dir = None if path is None else path.parent
        super().__init__(f"training interrupted; resumable checkpoint: {path}")


class StopRequest:
    """A stop asked for by a signal, honoured by the trainer between batches while
    ``armed`` (set by the trainer during its loop)."""

    def __init__(self) -> None:
        self.armed = False
        self.requested = False

    def ask(self) -> None:
        """Ask to stop; raises ``KeyboardInterrupt`` when nobody is listening, or when asked
        twice (a second Ctrl-C means *now*)."""
        if not self.armed or self.requested:
            raise KeyboardInterrupt
        self.requested = True


@contextlib.contextmanager
def stop_requests(request: StopRequest) -> Iterator[StopRequest]:
    """Within the block, SIGINT and SIGTERM call ``request.ask()`` (main thread only;
    elsewhere, where handlers cannot be installed, signals keep their usual effect)."""
    if threading.current_thread() is not threading.main_thread():
        yield request
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        request.ask()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield request
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
