"""The sequence formats seqrnn reads, and how a run cuts and splits them.

A format is chosen once, when a model is trained, and saved with the model
(:attr:`seqrnn.models.base.NextSymbolModel.input_format`), so every later verb reads new data
the way the model was trained on it.
"""

from __future__ import annotations

import enum
from pathlib import Path

import numpy as np

from seqrnn.data.readers import (
    read_chars,
    read_id_sessions,
    read_id_stream,
    read_sessions,
    read_tokens,
)
from seqrnn.data.windows import Targets


class InputFormat(enum.StrEnum):
    """How a file holds sequences."""

    IDS = "ids"  # one integer id per line, files through a glob, one stream
    SESSIONS = "sessions"  # one session per line, integer keys
    ID_SESSIONS = "id_sessions"  # the same after an identifier: "ID,KEY KEY ..." or "ID KEY ..."
    TOKENS = "tokens"  # whitespace-separated tokens of any text, one stream
    CHARS = "chars"  # the characters of a text, one stream (character-level text models)

    @property
    def is_stream(self) -> bool:
        """Whether the file is one long sequence (rather than one sequence per line)."""
        return self not in (InputFormat.SESSIONS, InputFormat.ID_SESSIONS)


def read_sequences(path: str | Path, fmt: InputFormat | str) -> list:
    """Raw sequences of a file/glob in the given format (one per session, or one stream)."""
    fmt = InputFormat(fmt)
    if fmt is InputFormat.IDS:
        return [read_id_stream(path)]
    if fmt is InputFormat.SESSIONS:
        return read_sessions(path, integer=True)
    if fmt is InputFormat.ID_SESSIONS:
        return read_id_sessions(path)[1]  # training needs the keys, not who they belong to
    if fmt is InputFormat.CHARS:
        return [read_chars(path)]
    return [read_tokens(path)]


def split_validation(sequences: list, fraction: float, seed: int) -> tuple[list, list]:
    """Hold out ``fraction`` for validation: random sessions, or the tail of a single stream."""
    if fraction == 0:
        return sequences, []
    if len(sequences) == 1:
        seq = sequences[0]
        cut = round(len(seq) * (1 - fraction))
        return [seq[:cut]], [seq[cut:]]
    order = np.random.default_rng(seed).permutation(len(sequences))
    n_val = max(1, round(len(sequences) * fraction))
    return [sequences[i] for i in order[n_val:]], [sequences[i] for i in order[:n_val]]


def targets_for(fmt: InputFormat | str) -> Targets:
    """Sessions are padded so that every event is predicted (as DeepLog pads short sessions);
    a stream is cut into full windows only, as the original program did."""
    return Targets.FULL_WINDOW if InputFormat(fmt).is_stream else Targets.ALL
