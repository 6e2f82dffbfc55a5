"""Read a univariate series (plus optional covariates) from a CSV or a one-number-per-line file.

Every missing or non-numeric cell is reported with its file and line; gaps are only filled when
the caller asks for it (``Fill.FFILL`` or ``Fill.INTERPOLATE``), never silently turned into NaN.
"""

from __future__ import annotations

import csv
import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seqrnn.data.readers import read_text, split_lines
from seqrnn.errors import InputError

#: the largest magnitude accepted: its square still fits in float32 (the training dtype)
MAX_MAGNITUDE = float(np.sqrt(np.finfo(np.float32).max))
MISSING = {"", "na", "nan", "n/a", "null", "none", "?", "-"}
DATE_NAMES = {"date", "time", "month", "timestamp", "ds", "period", "datetime"}


class Fill(enum.StrEnum):
    """What to do with a missing cell."""

    NONE = "none"  # refuse: the error names the file and line
    FFILL = "ffill"  # repeat the last value seen
    INTERPOLATE = "interpolate"  # straight line between the neighbours


@dataclass
class Series:
    """A series of ``N`` observations: ``values`` ``[N]``, optional ``dates`` (labels, as read)
    and ``covariates`` ``[N, K]`` (other input columns, used as extra channels)."""

    values: np.ndarray
    dates: list[str] | None = None
    covariates: np.ndarray | None = None
    name: str = "value"
    covariate_names: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.values)


def read_series(
    path: str | Path,
    value_column: str | int | None = None,
    date_column: str | int | None = None,
    covariates: Sequence[str | int] = (),
    fill: Fill = Fill.NONE,
) -> Series:
    """Read ``path``: a CSV with a header row (columns by name or 0-based index; the value
    column defaults to the last one, the date column to a first column named like a date), or a
    plain file with one number per line."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", path)
    text = read_text(path)
    is_csv = path.suffix.lower() == ".csv" or "," in next(
        (ln for ln in split_lines(text) if ln.strip()), ""
    )
    if is_csv or value_column is not None or date_column is not None or covariates:
        return _read_csv(path, text, value_column, date_column, covariates, Fill(fill))
    return _read_plain(path, text, Fill(fill))


def _parse(cell: str, path: Path, line: int, column: str) -> float:
    """One cell as a float; ``nan`` marks a missing cell; anything else unreadable raises."""
    stripped = cell.strip()
    if stripped.lower() in MISSING:
        return math.nan
    try:
        value = float(stripped)
    except ValueError:
        raise InputError(f"column {column!r}: {stripped!r} is not a number", path, line) from None
    if math.isinf(value):
        raise InputError(f"column {column!r}: {stripped!r} is not a finite number", path, line)
    if abs(value) > MAX_MAGNITUDE:
        raise InputError(
            f"column {column!r}: {stripped!r} is too large (at most {MAX_MAGNITUDE:.1e} in "
            "magnitude, so that squared errors fit in float32 training)",
            path,
            line,
        )
    return value


def _read_plain(path: Path, text: str, fill: Fill) -> Series:
    lines = split_lines(text)
    while lines and not lines[-1].strip():
        lines.pop()  # trailing blank lines are not missing values
    values = [_parse(ln, path, i + 1, "value") for i, ln in enumerate(lines)]
    lines_of = list(range(1, len(values) + 1))
    return Series(values=_fill(np.array(values, dtype=np.float64), lines_of, path, "value", fill))


def _column(spec: str | int, header: list[str], path: Path) -> int:
    if isinstance(spec, int) or spec.isdigit():
        idx = int(spec)
        if not 0 <= idx < len(header):
            raise InputError(f"column index {idx} out of range (0..{len(header) - 1})", path, 1)
        return idx
    if spec not in header:
        raise InputError(f"no column {spec!r}; the columns are {', '.join(header)}", path, 1)
    return header.index(spec)


def _read_csv(
    path: Path,
    text: str,
    value_column: str | int | None,
    date_column: str | int | None,
    covariates: Sequence[str | int],
    fill: Fill,
) -> Series:
    try:
        rows = list(csv.reader(split_lines(text), strict=True))
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", path) from None
    numbered = [(i + 1, r) for i, r in enumerate(rows) if any(c.strip() for c in r)]
    if len(numbered) < 2:
        raise InputError("no data rows after the header", path)
    (_, header), body = numbered[0], numbered[1:]
    header = [h.strip() for h in header]
    d_idx = None if date_column is None else _column(date_column, header, path)
    if date_column is None and header[0].lower() in DATE_NAMES and len(header) > 1:
        d_idx = 0
    v_idx = len(header) - 1 if value_column is None else _column(value_column, header, path)
    c_idx = [_column(c, header, path) for c in covariates]
    for ln, row in body:
        if len(row) != len(header):
            raise InputError(f"expected {len(header)} cells, found {len(row)}", path, ln)
    values = _numbers(body, v_idx, header, path, fill)
    cov = None
    if c_idx:
        cov = np.stack([_numbers(body, j, header, path, fill) for j in c_idx], axis=1)  # [N, K]
    dates = None
    if d_idx is not None:
        dates = [r[d_idx].strip() for _, r in body]
        _check_time_order(dates, [ln for ln, _ in body], path, header[d_idx])
    return Series(values, dates, cov, header[v_idx], tuple(header[j] for j in c_idx))


def _numbers(
    body: list[tuple[int, list[str]]], j: int, header: list[str], path: Path, fill: Fill
) -> np.ndarray:
    """Column ``j`` of the numbered rows as floats, gaps filled as asked."""
    raw = np.array([_parse(row[j], path, ln, header[j]) for ln, row in body])
    return _fill(raw, [ln for ln, _ in body], path, header[j], fill)


def _fill(values: np.ndarray, lines: list[int], path: Path, column: str, fill: Fill) -> np.ndarray:
    """Fill the NaNs of ``values`` as ``fill`` says, or raise naming the first missing line."""
    missing = np.flatnonzero(np.isnan(values))
    if len(values) == 0:
        raise InputError("no values", path)
    if len(missing) == 0:
        return values
    first = lines[missing[0]]
    if fill is Fill.NONE:
        raise InputError(
            f"column {column!r}: missing value (pass fill 'ffill' or 'interpolate' to fill gaps)",
            path,
            first,
        )
    if len(missing) == len(values):
        raise InputError(f"column {column!r}: every value is missing", path)
    known = np.flatnonzero(~np.isnan(values))
    if fill is Fill.FFILL:
        if missing[0] < known[0]:
            raise InputError(
                f"column {column!r}: missing value before the first number (nothing to carry "
                "forward)",
                path,
                first,
            )
        last_known = np.maximum.accumulate(np.where(np.isnan(values), 0, np.arange(len(values))))
        return values[last_known]
    out = values.copy()
    out[missing] = np.interp(missing, known, values[known])
    return out


def _date_keys(dates: list[str], lines: list[int], path: Path, column: str) -> np.ndarray:
    """The dates as numbers that sort like them: plain numbers (years, time steps) as read,
    ISO 8601 dates of any precision, else dates in the format of the first one (pandas)."""
    try:
        keys = np.array([float(d) for d in dates])
    except ValueError:
        import warnings

        import pandas as pd

        parsed = pd.to_datetime(pd.Series(dates), errors="coerce", format="ISO8601")
        if parsed.isna().any():  # not all ISO 8601: the format of the first date
            with warnings.catch_warnings():  # "could not infer format": parsed one by one
                warnings.simplefilter("ignore", UserWarning)
                parsed = pd.to_datetime(pd.Series(dates), errors="coerce")
        keys = parsed.to_numpy().astype("datetime64[us]").astype(np.int64).astype(np.float64)
        keys[parsed.isna().to_numpy()] = np.nan
    bad = np.flatnonzero(~np.isfinite(keys))
    if len(bad):
        i = bad[0]
        raise InputError(
            f"column {column!r}: {dates[i]!r} is not a date like {dates[0]!r}", path, lines[i]
        )
    return keys


def _check_time_order(dates: list[str], lines: list[int], path: Path, column: str) -> None:
    """Refuse dates that repeat or go back in time: a reversed or shuffled file would train
    and split silently (its "test" part would be the oldest years)."""
    step = np.diff(_date_keys(dates, lines, path, column))
    wrong = np.flatnonzero(step <= 0)
    if len(wrong) == 0:
        return
    i = wrong[0] + 1
    what = "repeats" if step[wrong[0]] == 0 else "comes before"
    raise InputError(
        f"column {column!r}: {dates[i]!r} {what} {dates[i - 1]!r} of line {lines[i - 1]} "
        "(the rows must be in time order, oldest first, each date once)",
        path,
        lines[i],
    )
