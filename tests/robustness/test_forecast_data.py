"""Forecast data is not taken on trust: dates out of order, repeated or unreadable, and
numbers too large for float32 training are refused with FILE:LINE before anything trains."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from seqrnn.cli.main import cli
from seqrnn.errors import InputError
from seqrnn.forecast.readers import read_series

ORDER = "(the rows must be in time order, oldest first, each date once)"


def write(tmp_path, text, name="s.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        # reversed: the "test" part would be the oldest months
        (
            "1949-03,1\n1949-02,2\n1949-01,3\n",
            f"3: column 'Date': '1949-02' comes before '1949-03' of line 2 {ORDER}",
        ),
        (
            "1949-01,1\n1949-01,2\n",
            f"3: column 'Date': '1949-01' repeats '1949-01' of line 2 {ORDER}",
        ),
        (
            "1949-01,1\n1949-03,2\n1949-02,3\n",
            f"4: column 'Date': '1949-02' comes before '1949-03' of line 3 {ORDER}",
        ),
        ("1949-01,1\nsoon,2\n", "3: column 'Date': 'soon' is not a date like '1949-01'"),
        ("1949-01,1\n1949-13,2\n", "3: column 'Date': '1949-13' is not a date like '1949-01'"),
        ("1949-01,1\n,2\n", "3: column 'Date': '' is not a date like '1949-01'"),
    ],
    ids=["reversed", "repeated", "swapped", "unparseable", "month 13", "empty"],
)
def test_dates_out_of_order_or_unreadable(tmp_path, rows, problem):
    path = write(tmp_path, "Date,v\n" + rows)
    with pytest.raises(InputError) as err:
        read_series(path)
    assert str(err.value) == f"{path}:{problem}"


def test_numeric_time_steps_must_increase(tmp_path):
    path = write(tmp_path, "period,v\n1,5\n2,6\n2,7\n")
    with pytest.raises(InputError, match=r"s.csv:4: column 'period': '2' repeats '2' of line 3"):
        read_series(path)
    assert read_series(write(tmp_path, "period,v\n1,5\n2,6\n10,7\n")).values.tolist() == [5, 6, 7]


def test_dates_in_order_read_back_as_written(tmp_path):
    rows = ["2019-12-31", "2020-01-01", "2020-01-02 06:00"]
    path = write(tmp_path, "Date,v\n" + "".join(f"{d},{i}\n" for i, d in enumerate(rows)))
    series = read_series(path)
    assert series.dates == rows and series.values.tolist() == [0, 1, 2]


@pytest.mark.parametrize("cell", ["1e308", "-1e20", "3e38"])
def test_values_that_would_overflow_float32_training(tmp_path, cell):
    path = write(tmp_path, f"Date,v\n1949-01,1\n1949-02,{cell}\n")
    with pytest.raises(InputError) as err:
        read_series(path)
    assert str(err.value) == (
        f"{path}:3: column 'v': {cell!r} is too large (at most 1.8e+19 in magnitude, so that "
        "squared errors fit in float32 training)"
    )


def test_a_plain_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "s.txt"
    path.write_bytes(b"1\n2\n\xff\n")
    with pytest.raises(InputError, match=r"s.txt:3: not UTF-8 text"):
        read_series(path)


def test_forecast_train_refuses_a_reversed_file_before_training(tmp_path):
    path = write(tmp_path, "Month,v\n" + "".join(f"19{99 - i:02d}-01,{i}\n" for i in range(30)))
    res = CliRunner().invoke(
        cli, ["forecast", "train", "--data", str(path), "--runs-dir", str(tmp_path / "runs")]
    )
    assert res.exit_code == 1
    assert res.output == (
        f"Error: {path}:3: column 'Month': '1998-01' comes before '1999-01' of line 2 {ORDER}\n"
    )
    assert not (tmp_path / "runs").exists()
