"""Many series at once: a :class:`Panel` and its two readers.

* the *long* layout, one observation per row (``unique_id, ds, y``; names configurable), from a
  CSV or a Parquet file (Parquet needs ``pyarrow``);
* the *M3 wide* layout, one series per row (``Series,N,NF,Category,Starting Year,Starting
  Month,1,2,...``), as in ``shared/data/m3_monthly/M3C_Monthly.csv``.

Bad input stops with one line naming the file, the series id and the row (the CSV line number
for CSV files, the 1-based data row for Parquet): missing or non-numeric values (unless
``fill`` says how to fill them), duplicated dates, dates that do not follow one regular step,
series whose steps differ from the others'. Unsorted rows are sorted (by series, then date).
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from seqrnn.errors import InputError
from seqrnn.forecast.readers import Fill

logger = logging.getLogger(__name__)

SEASONS = {"M": 12, "MS": 12, "ME": 12, "Q": 4, "QS": 4, "QE": 4, "W": 52, "D": 7, "h": 24}


@dataclass
class Panel:
    """``S`` series of possibly different lengths: ``values[i]`` ``[N_i]`` of ``ids[i]``.

    ``categories`` groups series for the tables (M3: MICRO, INDUSTRY, ...); ``season`` is the
    seasonal period shared by all series (12 for monthly data, 1 for none).
    """

    ids: list[str]
    values: list[np.ndarray]
    season: int = 1
    categories: list[str] | None = None
    source: str = ""
    starts: list[pd.Timestamp | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    def head(self, horizon: int) -> Panel:
        """The panel without the last ``horizon`` values of each series (the training part)."""
        return self._with([v[:-horizon] for v in self.values])

    def tails(self, horizon: int) -> np.ndarray:
        """The last ``horizon`` values of each series ``[S, horizon]`` (the test part)."""
        return np.stack([v[-horizon:] for v in self.values])

    def subset(self, index: np.ndarray | list[int]) -> Panel:
        """The series at positions ``index``, in that order."""
        pick = [int(i) for i in index]
        cats = None if self.categories is None else [self.categories[i] for i in pick]
        starts = [self.starts[i] for i in pick] if self.starts else []
        return Panel(
            [self.ids[i] for i in pick],
            [self.values[i] for i in pick],
            self.season,
            cats,
            self.source,
            starts,
        )

    def _with(self, values: list[np.ndarray]) -> Panel:
        return Panel(self.ids, values, self.season, self.categories, self.source, self.starts)


def read_panel(
    path: str | Path,
    id_column: str = "unique_id",
    date_column: str = "ds",
    value_column: str = "y",
    fill: Fill = Fill.NONE,
    season: int | None = None,
) -> Panel:
    """Read a long-format panel from CSV or Parquet. ``season`` defaults to the one of the
    inferred frequency (12 for months, 4 for quarters, ...; 1 when unknown)."""
    path = Path(path)
    frame = _read_frame(path)
    missing = [c for c in (id_column, date_column, value_column) if c not in frame.columns]
    if missing:
        raise InputError(
            f"no column {missing[0]!r}; the columns are {', '.join(map(str, frame.columns))}", path
        )
    line0 = 2 if path.suffix.lower() != ".parquet" else 1  # CSV: header is line 1
    frame = pd.DataFrame(
        {
            "id": frame[id_column].astype(str),
            "ds": frame[date_column],
            "y": frame[value_column],
            "row": np.arange(len(frame)) + line0,
        }
    )
    frame["y"] = _numbers(frame, path, fill)
    frame["ds"] = _dates(frame, path)
    frame = frame.sort_values(["id", "ds"], kind="stable")
    _check_duplicates(frame, path)
    ids, values, starts, freqs = [], [], [], set()
    for sid, group in frame.groupby("id", sort=False):
        freqs.add(_frequency(group, path))
        ids.append(str(sid))
        values.append(_filled(group["y"].to_numpy(float), fill))
        starts.append(group["ds"].iloc[0])
    if len(freqs - {None}) > 1:
        raise InputError(f"mixed frequencies {sorted(freqs - {None})}: one panel, one step", path)
    freq = next(iter(freqs - {None}), None)
    season = season if season is not None else SEASONS.get(str(freq), 1)
    return Panel(ids, values, season, None, str(path), starts)


def _read_frame(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError("file not found", path)
    if path.suffix.lower() == ".parquet":
        try:
            return pd.read_parquet(path)
        except ImportError as err:
            raise InputError("reading Parquet needs pyarrow: pip install pyarrow", path) from err
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _numbers(frame: pd.DataFrame, path: Path, fill: Fill) -> pd.Series:
    raw = frame["y"].astype(str).str.strip()
    empty = raw.str.lower().isin({"", "na", "nan", "n/a", "null", "none", "?"})
    y = pd.to_numeric(raw.where(~empty), errors="coerce")
    bad = y.isna() & ~empty
    if bad.any():
        r = frame[bad].iloc[0]
        raise InputError(
            f"series {r['id']}: value {raw[bad].iloc[0]!r} is not a number", path, r.row
        )
    if empty.any() and fill is Fill.NONE:
        r = frame[empty].iloc[0]
        raise InputError(
            f"series {r['id']}: missing value (use fill=ffill or interpolate to fill gaps)",
            path,
            r.row,
        )
    return y


def _dates(frame: pd.DataFrame, path: Path) -> pd.Series:
    ds = pd.to_datetime(frame["ds"], errors="coerce", format="mixed")
    if ds.isna().any():
        r = frame[ds.isna()].iloc[0]
        raise InputError(f"series {r['id']}: {r['ds']!r} is not a date", path, r.row)
    return ds


def _check_duplicates(frame: pd.DataFrame, path: Path) -> None:
    dup = frame.duplicated(["id", "ds"])
    if dup.any():
        r = frame[dup].iloc[0]
        raise InputError(f"series {r['id']}: date {r['ds'].date()} appears twice", path, r.row)


def _frequency(group: pd.DataFrame, path: Path) -> str | None:
    """The series' step (pandas offset alias), checked regular; ``None`` below 3 points."""
    ds = pd.DatetimeIndex(group["ds"])
    if len(ds) < 3:
        return None
    freq = pd.infer_freq(ds[:3])
    if freq is None:
        return None
    expected = pd.date_range(ds[0], periods=len(ds), freq=freq)
    off = np.flatnonzero(expected != ds)
    if len(off):
        r = group.iloc[off[0]]
        raise InputError(
            f"series {r['id']}: date {r['ds'].date()} breaks the regular step {freq!r} "
            "(a gap or a different frequency)",
            path,
            r.row,
        )
    return freq.split("-")[0]


def _filled(y: np.ndarray, fill: Fill) -> np.ndarray:
    if fill is Fill.NONE or not np.isnan(y).any():
        return y
    s = pd.Series(y)
    s = s.ffill() if fill is Fill.FFILL else s.interpolate(limit_direction="both")
    return s.bfill().to_numpy(float)


def read_m3(path: str | Path, season: int = 12) -> Panel:
    """Read the M3 wide layout (``Series,N,NF,Category,Starting Year,Starting Month,1..``);
    ``N`` values per series, checked against the row. Dates are kept where the row has them."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", path)
    ids, values, cats, starts = [], [], [], []
    with path.open(newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        header = next(rows, [])
        if header[:6] != ["Series", "N", "NF", "Category", "Starting Year", "Starting Month"]:
            raise InputError("not the M3 wide layout (Series,N,NF,Category,...)", path, 1)
        for line, row in enumerate(rows, start=2):
            sid, n = row[0], _int(row[1], path, line, row[0])
            cells = row[6 : 6 + n]
            if len(cells) < n or any(not c.strip() for c in cells):
                raise InputError(f"series {sid}: N={n} but fewer values on the row", path, line)
            values.append(np.array([_float(c, path, line, sid) for c in cells]))
            ids.append(sid)
            cats.append(row[3].strip())
            year, month = _int(row[4], path, line, sid), _int(row[5], path, line, sid)
            starts.append(pd.Timestamp(year=year, month=month, day=1) if year > 0 else None)
    return Panel(ids, values, season, cats, str(path), starts)


def _int(cell: str, path: Path, line: int, sid: str) -> int:
    try:
        return int(float(cell))
    except ValueError:
        raise InputError(f"series {sid}: {cell!r} is not an integer", path, line) from None


def _float(cell: str, path: Path, line: int, sid: str) -> float:
    try:
        return float(cell)
    except ValueError:
        raise InputError(f"series {sid}: {cell!r} is not a number", path, line) from None
