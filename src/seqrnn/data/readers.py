"""Readers for the three sequence formats seqrnn accepts.

* ``read_id_stream``: one integer id per line, many files through a glob, concatenated into one
  long stream (the original sequence-rnn-py format).
* ``read_sessions``: one session per line, symbols separated by whitespace (the DeepLog format:
  trailing spaces and a missing final newline are fine). With ``integer=True`` every symbol
  must be an integer (log keys).
* ``read_id_sessions``: one session per line after its identifier, ``ID,KEY KEY ...`` or
  ``ID KEY KEY ...`` (the usual pre-processed form of HDFS: ``blk_-1608999687919862906,5 5 22``).
* ``read_tokens``: whitespace-separated tokens of any text, as one stream.

Every error names the file and the line.
"""

from __future__ import annotations

import csv
import glob as globmod
import io
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from seqrnn.errors import InputError


def expand_glob(pattern: str | Path) -> list[Path]:
    """Files matching ``pattern`` in sorted order; a pattern that matches nothing is an error."""
    text = str(pattern)
    matches = sorted(Path(p) for p in globmod.glob(text, recursive=True))
    files = [p for p in matches if p.is_file()]
    if not files:
        if Path(text).is_dir():
            raise InputError("is a folder, not a file (give a glob such as DIR/*)", text)
        raise InputError("no file matches this path or glob", text)
    return files


#: a line end as an editor sees one
_LINE_END = re.compile(r"\r\n|\r|\n")


def read_text(path: str | Path) -> str:
    """The file as UTF-8 text (a leading byte-order mark dropped); bytes that are not UTF-8
    are reported with their line."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        before = path.read_bytes()[: exc.start].decode("utf-8", errors="replace")
        line = len(_LINE_END.findall(before)) + 1
        raise InputError(f"not UTF-8 text ({exc.reason})", path, line) from None
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})", path) from None


def split_lines(text: str) -> list[str]:
    """Lines as an editor numbers them: split at ``\\n``, ``\\r\\n`` or ``\\r`` only
    (``str.splitlines`` also splits at form feeds and other separators, which would shift the
    line numbers that errors report). A final line end does not start an empty line."""
    lines = _LINE_END.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


def decode_lines(lines: Iterable[bytes], name: str) -> list[str]:
    """Byte lines (a file opened in binary, or stdin's buffer) as text lines without their
    line ends; a line that is not UTF-8 is reported as ``name:LINE``."""
    out = []
    for number, raw in enumerate(lines, start=1):
        try:
            out.append(raw.decode("utf-8").rstrip("\r\n"))
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text ({exc.reason})", name, number) from None
    return out


#: the int64 range that ids are stored in
_ID_MIN, _ID_MAX = -(2**63), 2**63 - 1


def _bad_id(token: str, noun: str = "id") -> str | None:
    """Why ``token`` cannot be an integer id, or ``None`` when it can."""
    try:
        value = int(token)
    except ValueError:
        return f"is not an integer {noun}"
    if not _ID_MIN <= value <= _ID_MAX:
        return f"is too large for an integer {noun} (at most {_ID_MAX})"
    return None


def parse_ids(tokens: list[str], path: str | Path, line: int, noun: str = "id") -> np.ndarray:
    """The integer ids ``[n]`` (int64) of one line's tokens; the first token that is not one
    (a word, a fraction, a 26-digit number) is reported with file and line (as an integer
    ``noun``: "id", or "key" for log keys)."""
    try:
        return np.array(tokens, dtype=np.int64) if tokens else np.zeros(0, dtype=np.int64)
    except (ValueError, OverflowError):
        for token in tokens:
            why = _bad_id(token, noun)
            if why is not None:
                raise InputError(f"{token!r} {why}", path, line) from None
        raise InputError(f"not integer {noun}s", path, line) from None


def _parse_int_lines(path: Path, lines: list[str], one_per_line: bool) -> np.ndarray:
    """Parse integer tokens fast (NumPy, one call); on failure find the offending line."""
    if one_per_line:
        for number, line in enumerate(lines, start=1):
            if len(line.split()) > 1:
                raise InputError(
                    f"expected one integer id per line, got {line.strip()!r}", path, number
                )
    tokens = " ".join(lines).split()
    try:
        return np.array(tokens, dtype=np.int64) if tokens else np.zeros(0, dtype=np.int64)
    except (ValueError, OverflowError):
        for number, line in enumerate(lines, start=1):
            parse_ids(line.split(), path, number)
        raise InputError("not integer ids", path) from None


def read_id_stream(pattern: str | Path) -> np.ndarray:
    """Read one integer id per line from every file matching ``pattern``, concatenated.

    Blank lines are skipped (they carry no event). Returns int64 raw ids (not vocabulary ids).
    """
    parts = []
    for path in expand_glob(pattern):
        lines = split_lines(read_text(path))
        parts.append(_parse_int_lines(path, lines, one_per_line=True))
    stream = np.concatenate(parts)
    if stream.size == 0:
        raise InputError("no ids found (the files are empty)", pattern)
    return stream


def read_sessions(
    path: str | Path, integer: bool = True, allow_empty: bool = False
) -> list[np.ndarray] | list[list[str]]:
    """Read one session per line (whitespace-separated symbols).

    With ``integer=True`` returns a list of int64 arrays and rejects non-integer keys with
    file and line; otherwise a list of symbol lists. An empty line is an empty session: an error
    unless ``allow_empty`` (detection keeps them so that every session gets a verdict).
    """
    files = expand_glob(path)
    sessions: list = []
    for file in files:
        lines = split_lines(read_text(file))
        for number, line in enumerate(lines, start=1):
            if not line.strip() and not allow_empty:
                raise InputError("empty session (a blank line)", file, number)
            if integer and "," in line:
                raise InputError(
                    f"a comma in a session of keys; a file of {ID_LINE} lines is read as "
                    "id_sessions (--format id_sessions)",
                    file,
                    number,
                )
            if integer:
                sessions.append(parse_ids(line.split(), file, number))
            else:
                sessions.append(line.split())
    if not sessions:
        raise InputError("no sessions found (the file is empty)", path)
    return sessions


#: what a line of a session file with identifiers looks like
ID_LINE = "'ID,KEY KEY ...' or 'ID KEY KEY ...'"


def split_id_line(line: str, path: str | Path, number: int) -> tuple[str, np.ndarray]:
    """``(identifier, keys [n])`` of one line: the identifier ends at the first comma or,
    without one, at the first whitespace; the keys are integers. A blank line or an empty
    identifier is a malformed id line, named with file and line."""
    text = line.strip()
    ident, rest = _split_id(text)
    if not ident.strip():
        got = "an empty line" if not text else f"{text[:40]!r}, with no identifier"
        raise InputError(f"malformed id line: expected {ID_LINE}, got {got}", path, number)
    return ident.strip(), parse_ids(rest.split(), path, number, "key")


def read_id_sessions(
    path: str | Path, allow_empty: bool = False
) -> tuple[list[str], list[np.ndarray], list[tuple[str, int]]]:
    """Identifiers, sessions (int64 keys) and ``(file, line)`` of each line of every file
    matching ``path``. A first line with no digit after its identifier (a header such as
    ``BlockId,EventSequence``) is skipped. A session without keys (``blk_1,``) is an error
    unless ``allow_empty`` (detection keeps them so that every session gets a verdict)."""
    ids: list[str] = []
    sessions: list[np.ndarray] = []
    where: list[tuple[str, int]] = []
    for file in expand_glob(path):
        for number, line in enumerate(split_lines(read_text(file)), start=1):
            if number == 1 and _is_header(line):
                continue
            ident, keys = split_id_line(line, file, number)
            if not len(keys) and not allow_empty:
                raise InputError(f"empty session (no keys after {ident!r})", file, number)
            ids.append(ident)
            sessions.append(keys)
            where.append((str(file), number))
    if not sessions:
        raise InputError("no sessions found (the file is empty)", path)
    return ids, sessions, where


def _split_id(text: str) -> tuple[str, str]:
    """``(identifier, rest)``: split at the first comma, else at the first whitespace."""
    if "," in text:
        ident, _, rest = text.partition(",")
        return ident, rest
    parts = text.split(None, 1)
    return (parts[0] if parts else ""), (parts[1] if len(parts) > 1 else "")


def _is_header(line: str) -> bool:
    rest = _split_id(line.strip())[1]
    return bool(rest.strip()) and not any(c.isdigit() for c in rest)


def read_tokens(pattern: str | Path) -> list[str]:
    """Whitespace-separated tokens of every file matching ``pattern``, as one stream."""
    tokens: list[str] = []
    for path in expand_glob(pattern):
        tokens.extend(read_text(path).split())
    if not tokens:
        raise InputError("no tokens found (the files are empty)", pattern)
    return tokens


def read_chars(pattern: str | Path) -> list[str]:
    """The characters of the files matching ``pattern`` (UTF-8), joined by newlines, as one
    stream: what a character-level text model reads."""
    return list("\n".join(read_text(path) for path in expand_glob(pattern)))


def csv_rows(
    path: str | Path, text: str, delimiter: str = ","
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the rows of a CSV/TSV ``text`` (read from ``path``), each row with the
    line it ends on; blank rows are skipped, a row of another length is an error. TSV is read
    without quoting (tabs never occur inside fields there, and reviews contain stray quotes);
    CSV uses standard quoting."""
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))  # a review is one field
    # strict: an unclosed quote is an error, not the rest of the file read as one field
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quoting=quoting, strict=True)
    rows = []
    try:
        header = next(reader, None)
        if header is None:
            raise InputError("the file is empty (expected a header row)", path, 1)
        for fields in reader:
            line = reader.line_num
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            if len(fields) != len(header):
                raise InputError(
                    f"expected {len(header)} fields like the header, got {len(fields)}", path, line
                )
            rows.append((line, dict(zip(header, fields, strict=True))))
    except csv.Error as exc:
        raise InputError(f"malformed row ({exc})", path, reader.line_num) from None
    return header, rows
