"""What each checkpoint ``kind`` is and which command makes it, so that a verb given the wrong
kind of model says so in the user's words:

    runs/f holds a forecasting model (made by `seqrnn forecast train`); `seqrnn classify`
    needs a text classifier (made by `seqrnn classify train`)

Every loader reads the checkpoint through :func:`load_checkpoint_of`.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from seqrnn.errors import CheckpointError
from seqrnn.io.checkpoint import Checkpoint, load_checkpoint

#: checkpoint kind -> (what it is, the command that makes it)
KINDS: dict[str, tuple[str, str]] = {
    "next_symbol": ("a next-symbol network", "seqrnn train` or `seqrnn train-detector"),
    "next_symbol_ensemble": (
        "an ensemble of next-symbol networks",
        "seqrnn train-detector` with `--restarts` above 1",
    ),
    "text": ("a text language model", "seqrnn text train"),
    "allow_list": ("a detector updated from feedback", "seqrnn detect --feedback"),
    "numpy_reference": ("a NumPy reference model", "seqrnn reference train"),
    "markov": ("a Markov chain", "seqrnn baseline markov"),
    "naive_bayes": ("a Naive Bayes next-key model", "seqrnn baseline naive-bayes"),
    "forecast": ("a forecasting model", "seqrnn forecast train"),
    "text_classifier": ("a text classifier", "seqrnn classify train"),
    "text_encoder": ("a pretrained text encoder", "seqrnn classify train --unlabelled FILES"),
    "text_classifier_bow": (
        "a bag-of-words text classifier",
        "seqrnn classify train --model nb` or `--model logreg",
    ),
}


def describe_kind(kind: object) -> str:
    """``"a forecasting model (made by `seqrnn forecast train`)"``; unknown kinds by name."""
    if not isinstance(kind, str) or kind not in KINDS:
        return f"a model of unknown kind {kind!r}"
    noun, command = KINDS[kind]
    return f"{noun} (made by `{command}`)"


def check_kind(
    path: str | Path,
    kind: object,
    wanted: Collection[str],
    verb: str = "this command",
    needs: str | None = None,
) -> None:
    """Raise :class:`CheckpointError` unless ``kind`` (read from ``path``) is one of ``wanted``:
    the message says what the file holds, what made it, and what ``verb`` needs (``needs``, or
    the wanted kinds described one by one)."""
    if kind in wanted:
        return
    needs = needs or " or ".join(describe_kind(k) for k in wanted)
    raise CheckpointError(f"{path} holds {describe_kind(kind)}; {verb} needs {needs}")


def load_checkpoint_of(
    path: str | Path, wanted: Collection[str], verb: str = "this command", needs: str | None = None
) -> Checkpoint:
    """Read and verify the checkpoint at ``path`` and check that its kind is one of ``wanted``
    (``verb``, e.g. "`seqrnn classify`", names who asked, for the message)."""
    ckpt = load_checkpoint(path)
    check_kind(path, ckpt.meta.get("kind"), wanted, verb, needs)
    return ckpt
