"""Errors that reach the user: each one says which file, which line and what is wrong."""

from __future__ import annotations

from pathlib import Path


class SeqrnnError(Exception):
    """Base class of every error seqrnn raises on purpose (bad input, bad config, bad file)."""


class InputError(SeqrnnError, ValueError):
    """Bad user input, located as precisely as we know: ``file:line: problem``."""

    def __init__(self, problem: str, path: str | Path | None = None, line: int | None = None):
        self.problem = problem
        self.path = None if path is None else str(path)
        self.line = line
        where = ""
        if self.path is not None:
            where = self.path if line is None else f"{self.path}:{line}"
            where += ": "
        super().__init__(where + problem)


class ConfigError(SeqrnnError, ValueError):
    """A configuration value or key that cannot be used."""


class CheckpointError(SeqrnnError, ValueError):
    """A model file that is missing, truncated, tampered with or does not fit."""


class TrainingError(SeqrnnError, RuntimeError):
    """Training cannot go on: a non-finite loss, or a setting the hardware cannot run."""


class OutputError(InputError):
    """A file or folder seqrnn cannot write (full disk, read-only, not a regular file ...),
    named as the user gave it: ``path: problem``."""
