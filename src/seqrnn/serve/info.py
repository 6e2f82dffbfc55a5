"""What a served run is and what ``GET /v1/model`` says about it."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class Kind(enum.StrEnum):
    """What a served run answers."""

    DETECTOR = "detector"  # any next-symbol model: /v1/sessions, /v1/events
    FORECAST = "forecast"  # /v1/forecast
    CLASSIFIER = "classifier"  # /v1/classify


@dataclass(frozen=True)
class ModelInfo:
    """What ``GET /v1/model`` reports."""

    kind: Kind
    checkpoint_kind: str
    path: str
    sha256: str  # of the model file's bytes
    description: str
    vocab_size: int | None = None
    config: dict[str, Any] = field(default_factory=dict)


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
