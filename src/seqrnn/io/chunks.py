"""Read a live stream (a pipe, ``tail -f``) in chunks of whatever has arrived.

Used by ``seqrnn detect --follow``: a detector must answer a quiet stream at once and score a
fast one in large batches, so neither "one line at a time" nor "fixed groups" will do.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import IO


def read_chunks(stream: IO[str], max_lines: int = 4096) -> Iterator[list[str]]:
    """Lines (without their line ends) grouped into whatever has arrived, at most
    ``max_lines`` per chunk.

    ``os.read`` returns as soon as some input is there, so a quiet ``tail -f`` gets its alerts at
    once and a fast pipe is scored in large batches. Bytes that are not UTF-8 become U+FFFD
    rather than stopping the stream. Streams without a file descriptor (``io.StringIO``) go in
    fixed groups of ``max_lines``.
    """
    if max_lines <= 0:
        raise ValueError(f"max_lines must be positive, got {max_lines}")
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        lines = [line.rstrip("\r\n") for line in stream]
        for i in range(0, len(lines), max_lines):
            yield lines[i : i + max_lines]
        return
    rest = b""
    while data := os.read(fd, 1 << 16):
        *complete, rest = (rest + data).split(b"\n")
        text = [line.decode("utf-8", errors="replace").rstrip("\r") for line in complete]
        for i in range(0, len(text), max_lines):
            yield text[i : i + max_lines]
    if rest:
        yield [rest.decode("utf-8", errors="replace").rstrip("\r")]
