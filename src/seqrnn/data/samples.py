"""Paths of the small data samples bundled with the package (see ``sample_data/SOURCE.md``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def sample_path(*parts: str) -> Path:
    """Path of a bundled sample file, e.g. ``sample_path("hdfs", "train_normal.txt")``."""
    path = Path(str(resources.files("seqrnn") / "sample_data")).joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"no bundled sample {'/'.join(parts)!r}")
    return path
