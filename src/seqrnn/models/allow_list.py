"""A next-symbol model with the transitions of sessions an operator marked normal: the model
behind ``--feedback``.

A *transition* is a row of ``L + 1`` symbols: a window (``<pad>`` where history is short) and
the key that came after it (with the ``path`` and ``exact`` scopes, two: the digest of
everything before the key, and the key). The operator vouches for the sessions they mark; what
that allows depends on the :class:`FeedbackScope` recorded with the model:

* ``session``: the unit vouched for is a marked session's *set* of deviations.
  The model answers exactly as its base; detection then forgives a session (clears its flags)
  only when every transition the base flags in it occurs in **one** marked session
  (:class:`MarkedSessions`, applied by :func:`seqrnn.anomaly.sessions.judge`). A session
  identical to a marked one, or showing a subset of one marked session's deviations, passes;
  one combining deviations of two marked sessions, or adding any other, stays flagged.
* ``path``: as ``session``, but a transition is the marked session's whole
  *path* up to it (its digest, see :func:`path_rows`) and the next symbol, not the last ``L``
  symbols. One marked session must hold every transition flagged in a session, so the session
  passes only when it follows that marked session event for event up to its last flagged
  event: what the operator saw, up to every point the model objected to. What comes after the
  last flag is free; a session that reaches a marked deviation by another path stays flagged.
* ``exact`` (the default of ``seqrnn detect --feedback``): as ``path``, plus one *end row*
  per marked session (the digest of its whole path and :data:`PATH_END`, see
  :func:`end_row`) that a session must hold too, so it passes only when its whole key
  sequence equals one marked session's (its kind: the copies of a marked session). A marked
  session followed by more events, even events the model never flags, stays flagged, and so
  does a strict prefix of one.
* ``transition``: each transition of a marked session is normal after its window anywhere.
  Detection forgives each flagged position on its own: it is cleared when its row occurs in
  **any** marked session (:meth:`MarkedSessions.holders` is not 0), whatever else the session
  holds; an abnormal session whose every deviation was marked normal somewhere passes.

With every scope the model answers exactly as its base (the same probabilities, ranks and
vocabulary), so feedback can only clear flags, and only where a marked transition occurs;
what each scope forgives is applied by detection (:attr:`AllowListModel.marked`, through
:func:`seqrnn.anomaly.sessions.judge`, the stream detector and the service).

Rows are kept as symbols, so they mean the same whatever ids a vocabulary gives.

On disk (kind ``allow_list``): the base model's checkpoint copied byte for byte into the same
folder, and a checkpoint without tensors whose JSON header names that file (``base``, a plain
file name), the base's SHA-256, the rows (``allowed``), the marked sessions (``sessions``: per
distinct marked session, the indices of its rows in ``allowed``) and the ``scope``. Files made
before scopes existed have neither ``sessions`` nor ``scope``: they load with the transition
scope they were made with, all their rows held by one marked session (the transition scope
asks only whether some marked session holds a row).
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import torch

from seqrnn.errors import CheckpointError, ConfigError
from seqrnn.io.checkpoint import peek_checkpoint
from seqrnn.models.base import NextSymbolModel
from seqrnn.models.kinds import check_kind, load_checkpoint_of
from seqrnn.models.registry import LOADERS, load_kind, resolve_model_path

#: checkpoint kind of a model with allowed transitions (``seqrnn detect --feedback``)
KIND = "allow_list"

#: a transition as symbols: ``L`` window symbols, then the next symbol
Row = tuple[str, ...]


class FeedbackScope(enum.StrEnum):
    """What a session marked normal vouches for (see the module docstring)."""

    SESSION = "session"  # its set of deviations, as a whole
    PATH = "path"  # its set of deviations, each with the whole path that led to it
    EXACT = "exact"  # itself: its whole key sequence, and nothing longer or shorter
    TRANSITION = "transition"  # each of its transitions, anywhere

    @property
    def per_position(self) -> bool:
        """True when detection forgives each flagged position on its own, where any marked
        session holds its row (``transition``); False when it forgives whole sessions, where
        one marked session holds every row flagged in them."""
        return self is FeedbackScope.TRANSITION

    @property
    def rows(self) -> str:
        """The kind of rows it keeps (``window``, ``path``, or ``path+end`` for ``exact``):
        feedback of one kind cannot extend a list of another."""
        return {FeedbackScope.PATH: "path", FeedbackScope.EXACT: "path+end"}.get(self, "window")


#: the digest of the empty path (a session's first key follows nothing)
EMPTY_PATH = ""

#: the symbol of the ``exact`` scope's end rows; keys are split on whitespace, so no key is it
PATH_END = "<end of session>"


def path_step(digest: str, symbol: str) -> str:
    """The digest of a path (``digest``) extended by ``symbol``: BLAKE2b over the previous
    digest and the symbol, so equal digests mean equal paths (up to a 2^-96 collision), and a
    stream can carry one string per session instead of its whole history."""
    h = hashlib.blake2b(digest.encode(), digest_size=12)
    h.update(b"\x1f" + symbol.encode())
    return h.hexdigest()


def path_digests(symbols: Sequence[str], start: str = EMPTY_PATH) -> list[str]:
    """``[len(symbols) + 1]`` digests: element ``p`` names the path ``symbols[:p]`` (after
    whatever ``start`` already names)."""
    out = [start]
    for symbol in symbols:
        out.append(path_step(out[-1], symbol))
    return out


def path_rows(symbols: Sequence[str], end: bool = False) -> list[Row]:
    """The ``path`` scope's transition at every position: (digest of the path before it, the
    symbol), in order; with ``end`` (the ``exact`` scope) then the :func:`end_row`."""
    digests = path_digests(symbols)
    rows = list(zip(digests[:-1], symbols, strict=True))
    return [*rows, end_row(digests[-1])] if end else rows


def end_row(digest: str) -> Row:
    """The ``exact`` scope's row saying that a session's whole path is the one ``digest``
    names: held only by marked sessions that end there."""
    return (digest, PATH_END)


class MarkedSessions:
    """The transitions of each distinct marked session, to ask whether one marked session
    holds all of a set of transitions. Each row maps to a bit mask of the marked sessions
    holding it, so the question is an AND of masks (Python integers, any size). ``scope`` says
    which rows they are (see :attr:`path` and :attr:`exact`) and whether detection asks it of
    whole sessions (:meth:`covers`) or of each flagged position (:attr:`per_position`)."""

    def __init__(
        self,
        rows: Sequence[Row],
        sessions: Sequence[Sequence[int]],
        context_length: int,
        scope: FeedbackScope = FeedbackScope.SESSION,
    ):
        self.context_length = context_length
        self.scope = FeedbackScope(scope)
        self.count = len(sessions)
        self.owners: dict[Row, int] = {}
        for m, indices in enumerate(sessions):
            for i in indices:
                row = tuple(rows[i])
                self.owners[row] = self.owners.get(row, 0) | (1 << m)

    @property
    def path(self) -> bool:
        """True when rows are (path digest, symbol) (``path`` and ``exact``), else windows."""
        return self.scope.rows != "window"

    @property
    def exact(self) -> bool:
        """True when a session must also hold a marked session's :func:`end_row` (``exact``)."""
        return self.scope is FeedbackScope.EXACT

    @property
    def per_position(self) -> bool:
        """True when a flagged position is forgiven on its own where any marked session holds
        its row (``transition``), else a session only as a whole (:meth:`covers`)."""
        return self.scope.per_position

    def allows(self, row: Row) -> bool:
        """True when some marked session holds ``row`` (what ``transition`` forgives)."""
        return row in self.owners

    @property
    def everyone(self) -> int:
        """The mask of all marked sessions (where a session's candidates start)."""
        return (1 << self.count) - 1

    def holders(self, row: Row) -> int:
        """Mask of the marked sessions holding ``row`` (0: none)."""
        return self.owners.get(row, 0)

    def covers(self, rows: Iterable[Row]) -> bool:
        """True when one marked session holds every row of ``rows``."""
        mask = self.everyone
        for row in rows:
            mask &= self.owners.get(row, 0)
            if not mask:
                return False
        return True


class AllowListModel(NextSymbolModel):
    """``base`` with the ``allowed`` rows (``L + 1`` symbols each, or 2 with the path and
    exact scopes) of the marked ``sessions`` (indices into ``allowed``; ``None``: not recorded,
    transition scope only), applied with ``scope``. It answers exactly as the base; detection
    forgives with :attr:`marked` (see the module docstring)."""

    def __init__(
        self,
        base: NextSymbolModel,
        allowed: Sequence[Sequence[str]],
        sessions: Sequence[Sequence[int]] | None = None,
        scope: FeedbackScope | str = FeedbackScope.TRANSITION,
    ):
        self.base = base
        self.context_length = base.context_length
        self.input_format = base.input_format
        self.vocab = base.vocab  # answers as the base, symbol for symbol
        self.scope = FeedbackScope(scope)
        self.allowed = [list(map(str, row)) for row in allowed]
        width = self.context_length + 1 if self.scope.rows == "window" else 2
        bad = [r for r in self.allowed if len(r) != width]
        if bad:
            raise CheckpointError(
                f"an allowed row of the {self.scope.value} scope needs {width} symbols, "
                f"got {bad[0]}"
            )
        self.sessions = None if sessions is None else [list(map(int, s)) for s in sessions]
        if self.sessions is not None and any(
            not 0 <= i < len(self.allowed) for s in self.sessions for i in s
        ):
            raise CheckpointError("a marked session names a row the allow list does not hold")
        holders = self.sessions
        if holders is None:
            if not self.scope.per_position:
                raise ConfigError(
                    f"{self.scope.value}-scope feedback needs the marked sessions, which this "
                    "allow list did not record (it was made before scopes existed): use the "
                    "transition scope, or feed the sessions back into its base model"
                )
            # made before scopes existed: the transition scope only asks whether some marked
            # session holds a row, so one holder of every row answers as the sessions would
            holders = [range(len(self.allowed))]
        self.marked = MarkedSessions(
            [tuple(r) for r in self.allowed], holders, self.context_length, self.scope
        )

    def next_log_probs(self, contexts: torch.Tensor) -> torch.Tensor:
        return self.base.next_log_probs(contexts)

    def sequence_log_probs(
        self, ids: np.ndarray | torch.Tensor, batch_size: int = 4096
    ) -> torch.Tensor:
        return self.base.sequence_log_probs(ids, batch_size)  # the base's own (maybe cheaper) way

    def describe(self) -> str:
        if self.scope.per_position:
            return f"{self.base.describe()} + {len(self.allowed):,} allowed transitions"
        return f"{self.base.describe()} + {len(self.sessions or []):,} marked sessions"

    def describe_scope(self) -> str:
        """One line saying what the feedback forgives, for ``seqrnn detect``."""
        if self.scope is FeedbackScope.EXACT:
            return (
                f"feedback scope: exact (a session's flags are cleared only when its whole key "
                f"sequence equals one of the {len(self.sessions or []):,} marked sessions)"
            )
        if self.scope is FeedbackScope.PATH:
            return (
                f"feedback scope: path (a session's flags are cleared only when it follows one "
                f"of the {len(self.sessions or []):,} marked sessions event for event up to its "
                "last flagged event)"
            )
        if self.scope is FeedbackScope.SESSION:
            return (
                f"feedback scope: session (a session's flags are cleared only when one of the "
                f"{len(self.sessions or []):,} marked sessions holds every transition flagged "
                "in it)"
            )
        return (
            f"feedback scope: transition (a flagged event is cleared when its window and key "
            f"are one of the {len(self.allowed):,} transitions of the marked sessions)"
        )


def marked_sessions(model: NextSymbolModel) -> MarkedSessions | None:
    """The marked sessions detection must forgive with, when ``model`` is an allow list
    (``None`` otherwise: nothing beyond the model's own answers)."""
    return model.marked if isinstance(model, AllowListModel) else None


def allow_list_meta(
    base_file: str,
    base_sha256: str,
    allowed: list[list[str]],
    sessions: list[list[int]] | None,
    scope: FeedbackScope,
) -> dict:
    """The JSON header of an allow-list checkpoint (see the module docstring)."""
    meta = {"kind": KIND, "base": base_file, "base_sha256": base_sha256, "allowed": allowed}
    if sessions is not None:
        meta["sessions"] = sessions
    return {**meta, "scope": FeedbackScope(scope).value}


def load_allow_list(path: str | Path) -> AllowListModel:
    """Load an allow-list model: its header, then its base model from the same folder, which
    must be the very checkpoint the header names (same SHA-256). The base is read once: its
    header is peeked for the SHA-256, and its loader verifies that SHA-256 against the
    content it reads."""
    path = resolve_model_path(path)
    meta = load_checkpoint_of(path, [KIND]).meta
    name, allowed = meta.get("base"), meta.get("allowed")
    sessions, scope = meta.get("sessions"), meta.get("scope", FeedbackScope.TRANSITION.value)
    if not isinstance(name, str) or Path(name).name != name or name in ("", ".", ".."):
        raise CheckpointError(f"{path}: 'base' must be a file name in the same folder")
    if not isinstance(allowed, list) or not all(isinstance(r, list) for r in allowed):
        raise CheckpointError(f"{path}: 'allowed' must be a list of rows of symbols")
    if sessions is not None and not (
        isinstance(sessions, list)
        and all(isinstance(s, list) and all(type(i) is int for i in s) for s in sessions)
    ):
        raise CheckpointError(f"{path}: 'sessions' must be a list of lists of row numbers")
    if scope not in {s.value for s in FeedbackScope}:
        raise CheckpointError(f"{path}: unknown feedback scope {scope!r}")
    base_path = path.parent / name
    base_meta, _ = peek_checkpoint(base_path)
    if base_meta.get("sha256") != meta.get("base_sha256"):
        raise CheckpointError(f"{base_path}: not the base model {path} was made from")
    kind = base_meta.get("kind")
    if kind == KIND:
        raise CheckpointError(f"{base_path}: the base of an allow-list is a model, not a list")
    check_kind(base_path, kind, list(LOADERS), "an allow-list model")
    base = load_kind(base_path, str(kind))  # verifies the content against the SHA-256
    try:
        return AllowListModel(base, allowed, sessions, scope)
    except ConfigError as exc:
        raise CheckpointError(f"{path}: {exc}") from None
