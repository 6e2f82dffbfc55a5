"""read_chunks: what has arrived, line ends dropped, bad bytes replaced, the tail kept."""

from __future__ import annotations

import io
import os

import pytest

from seqrnn.io.chunks import read_chunks


def test_a_pipe_gives_what_has_arrived_and_keeps_an_unterminated_last_line():
    r, w = os.pipe()
    os.write(w, b"1\r\n2\nbad \xff byte\n3")
    os.close(w)
    with os.fdopen(r, "r") as stream:
        chunks = list(read_chunks(stream))
    assert chunks == [["1", "2", "bad \ufffd byte"], ["3"]]


def test_a_fast_pipe_is_cut_into_chunks_of_at_most_max_lines():
    r, w = os.pipe()
    os.write(w, "".join(f"{i}\n" for i in range(10)).encode())
    os.close(w)
    with os.fdopen(r, "r") as stream:
        chunks = list(read_chunks(stream, max_lines=4))
    assert [len(c) for c in chunks] == [4, 4, 2]
    assert [line for c in chunks for line in c] == [str(i) for i in range(10)]


def test_a_stream_without_a_descriptor_goes_in_fixed_groups():
    chunks = list(read_chunks(io.StringIO("a\nb\nc\n"), max_lines=2))
    assert chunks == [["a", "b"], ["c"]]


def test_max_lines_must_be_positive():
    with pytest.raises(ValueError, match="max_lines must be positive, got 0"):
        list(read_chunks(io.StringIO("a\n"), max_lines=0))
