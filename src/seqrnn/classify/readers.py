"""Readers for labelled texts: a table (CSV/TSV/JSONL with user-chosen text and label columns),
one-sentence-per-line files (one file per class), or a folder per class (IMDB's ``pos/``
``neg/`` layout). Files ending in ``.gz`` are decompressed transparently.

Every error names the file and, where there is one, the line.
"""

from __future__ import annotations

import enum
import gzip
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from seqrnn.data.readers import csv_rows, split_lines
from seqrnn.errors import InputError


class SourceFormat(enum.StrEnum):
    """How labelled texts are laid out on disk."""

    AUTO = "auto"  # decided from the path(s): folder -> folders, .csv/.tsv/.jsonl -> table
    TABLE = "table"  # CSV, TSV or JSONL rows with a text and a label column
    LINES = "lines"  # one text per line, one file per class (label from the file name)
    FOLDERS = "folders"  # a folder with one sub-folder per class, one text per file


@dataclass
class LabelledTexts:
    """Texts and their labels (strings), in reading order."""

    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, index: Iterable[int]) -> LabelledTexts:
        """The rows at ``index`` (any integer sequence or array)."""
        return LabelledTexts([self.texts[i] for i in index], [self.labels[i] for i in index])


_TABLE_SUFFIXES = {".csv", ".tsv", ".jsonl", ".json"}


def _suffix(path: Path) -> str:
    """The meaningful suffix: ``reviews.tsv.gz`` -> ``.tsv``."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def detect_format(paths: list[Path]) -> SourceFormat:
    """Folder -> FOLDERS, a table suffix -> TABLE, anything else -> LINES."""
    if len(paths) == 1 and paths[0].is_dir():
        return SourceFormat.FOLDERS
    if all(_suffix(p) in _TABLE_SUFFIXES for p in paths):
        return SourceFormat.TABLE
    return SourceFormat.LINES


def read_text_file(path: Path) -> str:
    """The whole file as text (gunzipped when it ends in ``.gz``); errors name the line."""
    if not path.is_file():
        raise InputError("file not found", path)
    try:
        raw = path.read_bytes()
        if path.suffix.lower() == ".gz":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"cannot read ({exc})", path) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text ({exc.reason})", path, line) from None


def read_labelled(
    paths: list[str | Path] | str | Path,
    fmt: SourceFormat = SourceFormat.AUTO,
    text_column: str = "text",
    label_column: str = "label",
) -> LabelledTexts:
    """Read labelled texts from ``paths`` in format ``fmt`` (see :class:`SourceFormat`).

    For LINES, each path may be written ``LABEL=PATH``; otherwise the label is the file name
    without ``.gz``/``.txt`` and, if a dot remains, its last suffix (``rt-polarity.pos`` ->
    ``pos``). Blank lines are skipped.
    """
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    if not items:
        raise InputError("no input files given")
    fmt = SourceFormat(fmt)
    if fmt is SourceFormat.LINES or (
        fmt is SourceFormat.AUTO and any("=" in str(p) and not Path(p).exists() for p in items)
    ):
        return _read_lines_per_class([str(p) for p in items])
    resolved = [Path(p) for p in items]
    if fmt is SourceFormat.AUTO:
        fmt = detect_format(resolved)
    if fmt is SourceFormat.FOLDERS:
        return _concat([_read_folders(p) for p in resolved])
    if fmt is SourceFormat.TABLE:
        return _concat([_read_table(p, text_column, label_column) for p in resolved])
    return _read_lines_per_class([str(p) for p in items])


def _concat(parts: list[LabelledTexts]) -> LabelledTexts:
    out = LabelledTexts()
    for part in parts:
        out.texts += part.texts
        out.labels += part.labels
    return out


def label_from_name(path: Path) -> str:
    """``neg.txt`` -> ``neg``, ``rt-polarity.pos`` -> ``pos``, ``spam.txt.gz`` -> ``spam``."""
    name = path.name
    for ext in (".gz", ".txt"):
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
    return name.rsplit(".", 1)[-1] if "." in name else name


def _read_lines_per_class(items: list[str]) -> LabelledTexts:
    out = LabelledTexts()
    for item in items:
        if "=" in item and not Path(item).exists():
            label, _, name = item.partition("=")
            path = Path(name)
        else:
            path = Path(item)
            label = label_from_name(path)
        if not label:
            raise InputError("empty class label (write LABEL=PATH)", path)
        lines = [line.strip() for line in split_lines(read_text_file(path))]
        texts = [line for line in lines if line]
        if not texts:
            raise InputError("no texts in this file (it is empty)", path)
        out.texts += texts
        out.labels += [label] * len(texts)
    return out


def _read_folders(root: Path) -> LabelledTexts:
    if not root.is_dir():
        raise InputError("not a folder (expected one sub-folder per class)", root)
    out = LabelledTexts()
    classes = sorted(p for p in root.iterdir() if p.is_dir())
    if not classes:
        raise InputError("no class sub-folders found (expected e.g. pos/ and neg/)", root)
    for folder in classes:
        files = sorted(p for p in folder.iterdir() if p.is_file())
        for f in files:
            out.texts.append(read_text_file(f).strip())
            out.labels.append(folder.name)
    if not out.texts:
        raise InputError("the class folders hold no files", root)
    return out


def read_unlabelled(paths: list[str | Path] | str | Path, text_column: str = "text") -> list[str]:
    """Texts without labels (language-model pretraining): the ``text_column`` of a table
    (CSV/TSV/JSONL, ``.gz`` allowed) or one text per line of any other file; blank texts are
    skipped."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    if not items:
        raise InputError("no unlabelled files given")
    texts: list[str] = []
    for item in map(Path, items):
        if _suffix(item) in _TABLE_SUFFIXES:
            found = _read_table(item, text_column, None).texts
        else:
            found = [line.strip() for line in split_lines(read_text_file(item))]
        found = [t for t in found if t.strip()]
        if not found:
            raise InputError("no texts in this file (it is empty)", item)
        texts += found
    return texts


def _read_table(path: Path, text_column: str, label_column: str | None) -> LabelledTexts:
    """Rows of a table; without ``label_column`` every label is empty (unlabelled texts)."""
    text = read_text_file(path)
    if _suffix(path) in (".jsonl", ".json"):
        rows = _jsonl_rows(path, text)
    else:
        rows = csv_rows(path, text, "\t" if _suffix(path) == ".tsv" else ",")[1]
    out = LabelledTexts()
    for line, row in rows:
        for col in (text_column, label_column):
            if col is not None and col not in row:
                known = ", ".join(map(str, row))
                raise InputError(f"no column {col!r} (columns: {known})", path, line)
        label = "" if label_column is None else row[label_column]
        if label_column is not None and (label is None or str(label).strip() == ""):
            raise InputError(f"empty label in column {label_column!r}", path, line)
        value = row[text_column]
        out.texts.append("" if value is None else str(value))
        out.labels.append(str(label).strip())
    if not out.texts:
        raise InputError("no rows found", path)
    return out


def _jsonl_rows(path: Path, text: str) -> list[tuple[int, dict]]:
    rows = []
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON ({exc.msg})", path, number) from None
        if not isinstance(row, dict):
            raise InputError("each line must be a JSON object", path, number)
        rows.append((number, row))
    return rows
