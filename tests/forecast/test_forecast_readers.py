"""Reading series: columns by name or index, dates, covariates, plain files, and exact
file:line errors for missing and non-numeric cells."""

from __future__ import annotations

import numpy as np
import pytest

from seqrnn.errors import InputError
from seqrnn.forecast.readers import Fill, read_series


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_by_name_and_index_with_dates_and_covariates(tmp_path):
    p = write(tmp_path, "s.csv", "Month,temp,sales\n2000-01,1.5,10\n2000-02,2.5,12\n2000-03,3,15\n")
    s = read_series(p)  # value: last column; date: first column called Month
    assert s.name == "sales" and s.values.tolist() == [10, 12, 15]
    assert s.dates == ["2000-01", "2000-02", "2000-03"] and s.covariates is None
    s = read_series(p, value_column="1", covariates=["sales"])
    assert s.name == "temp" and s.values.tolist() == [1.5, 2.5, 3.0]
    assert s.covariates.shape == (3, 1) and s.covariates[:, 0].tolist() == [10, 12, 15]


def test_plain_one_number_per_line(tmp_path):
    s = read_series(write(tmp_path, "s.txt", "1\n2.5\n-3e2\n\n"))
    assert s.values.tolist() == [1.0, 2.5, -300.0] and s.dates is None


def test_missing_cell_names_file_and_line(tmp_path):
    p = write(tmp_path, "bad.csv", "Date,v\n2000-01,1\n2000-02,\n2000-03,3\n")
    with pytest.raises(InputError) as err:
        read_series(p)
    assert str(err.value) == (
        f"{p}:3: column 'v': missing value (pass fill 'ffill' or 'interpolate' to fill gaps)"
    )


def test_non_numeric_cell_names_file_and_line(tmp_path):
    p = write(tmp_path, "bad.csv", "Date,v\n2000-01,1\n2000-02,2\n2000-03,abc\n")
    with pytest.raises(InputError, match=r"bad\.csv:4: column 'v': 'abc' is not a number$"):
        read_series(p)
    p = write(tmp_path, "bad.txt", "1\n2\nx7\n")
    with pytest.raises(InputError, match=r"bad\.txt:3: column 'value': 'x7' is not a number$"):
        read_series(p)


def test_ragged_row_and_unknown_column(tmp_path):
    p = write(tmp_path, "r.csv", "a,b\n1,2\n3\n")
    with pytest.raises(InputError, match=r"r\.csv:3: expected 2 cells, found 1"):
        read_series(p)
    p = write(tmp_path, "c.csv", "a,b\n1,2\n")
    with pytest.raises(InputError, match=r"c\.csv:1: no column 'passengers'; the columns are a, b"):
        read_series(p, value_column="passengers")


def test_explicit_fill_options(tmp_path):
    p = write(tmp_path, "g.csv", "t,v\n1,1\n2,NA\n3,\n4,7\n")
    assert read_series(p, fill=Fill.FFILL).values.tolist() == [1, 1, 1, 7]
    assert read_series(p, fill=Fill.INTERPOLATE).values.tolist() == [1, 3, 5, 7]
    lead = write(tmp_path, "lead.csv", "t,v\n1,\n2,2\n")
    with pytest.raises(InputError, match=r"lead\.csv:2: .*nothing to carry forward"):
        read_series(lead, fill=Fill.FFILL)
    assert not np.isnan(read_series(lead, fill=Fill.INTERPOLATE).values).any()
