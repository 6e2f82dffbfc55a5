"""Panel readers: the long layout (CSV, Parquet) and the M3 wide layout, and their errors,
each naming the file, the series id and the row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from seqrnn.errors import InputError
from seqrnn.forecast.panel import read_m3, read_panel
from seqrnn.forecast.readers import Fill


def _long(tmp_path: Path, rows: list[str], name: str = "panel.csv") -> Path:
    path = tmp_path / name
    path.write_text("unique_id,ds,y\n" + "\n".join(rows) + "\n")
    return path


def _months(sid: str, values: list[str], start: int = 1) -> list[str]:
    return [f"{sid},2020-{start + i:02d}-01,{v}" for i, v in enumerate(values)]


def test_long_csv_sorted_by_series_and_date(tmp_path):
    rows = _months("b", ["5", "6", "7"]) + _months("a", ["1", "2", "3", "4"])
    rows[0], rows[2] = rows[2], rows[0]  # unsorted dates inside series b
    panel = read_panel(_long(tmp_path, rows))
    assert panel.ids == ["a", "b"]
    assert panel.season == 12  # months
    np.testing.assert_array_equal(panel.values[1], [5, 6, 7])


def test_configurable_column_names(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("store,month,sales\nx,2021-01-01,3\nx,2021-02-01,4\nx,2021-03-01,5\n")
    panel = read_panel(path, "store", "month", "sales")
    assert panel.ids == ["x"] and panel.values[0].tolist() == [3, 4, 5]


def test_parquet(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    path = tmp_path / "p.parquet"
    frame = pd.DataFrame(
        {"unique_id": ["a"] * 3, "ds": pd.date_range("2020-01-01", periods=3, freq="MS")}
    )
    frame["y"] = [1.0, 2.0, 3.0]
    frame.to_parquet(path)
    assert read_panel(path).values[0].tolist() == [1, 2, 3]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (_months("a", ["1", "x", "3"]), "p.csv:3: series a: value 'x' is not a number"),
        (_months("a", ["1", "", "3"]), "p.csv:3: series a: missing value"),
        ([*_months("a", ["1", "2"]), "a,2020-02-01,9"], "p.csv:4: series a: date 2020-02-01"),
        (["a,2020-01-01,1", "a,2020-02-01,2", "a,2020-03-01,3", "a,2020-05-01,4"], "p.csv:5"),
        (["a,2020-01-01,1", "a,notadate,2"], "p.csv:3: series a: 'notadate' is not a date"),
    ],
)
def test_long_errors_name_file_series_and_row(tmp_path, rows, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        read_panel(_long(tmp_path, rows, "p.csv"))


def test_missing_values_filled_when_asked(tmp_path):
    panel = read_panel(_long(tmp_path, _months("a", ["1", "", "3"])), fill=Fill.INTERPOLATE)
    assert panel.values[0].tolist() == [1, 2, 3]


def test_mixed_frequencies_refused(tmp_path):
    rows = [*_months("a", ["1", "2", "3"]), "b,2020-01-01,1", "b,2020-01-02,2", "b,2020-01-03,3"]
    with pytest.raises(InputError, match="mixed frequencies"):
        read_panel(_long(tmp_path, rows))


def test_missing_column_named(tmp_path):
    with pytest.raises(InputError, match="no column 'sales'"):
        read_panel(_long(tmp_path, _months("a", ["1"])), value_column="sales")


M3_HEAD = "Series,N,NF,Category,Starting Year,Starting Month,1,2,3,4\n"


def test_m3_wide(tmp_path):
    path = tmp_path / "m3.csv"
    path.write_text(M3_HEAD + "N1,3,1,MICRO       ,1990,1,1,2,3,\nN2,4,1,OTHER ,0,0,4,5,6,7\n")
    panel = read_m3(path)
    assert panel.ids == ["N1", "N2"] and panel.categories == ["MICRO", "OTHER"]
    assert panel.values[1].tolist() == [4, 5, 6, 7] and panel.starts[1] is None


def test_m3_errors_name_series_and_line(tmp_path):
    path = tmp_path / "m3.csv"
    path.write_text(M3_HEAD + "N1,3,1,MICRO,1990,1,1,2,3,\nN2,4,1,OTHER,0,0,4,5,,\n")
    with pytest.raises(InputError, match=r"m3.csv:3: series N2: N=4 but fewer values"):
        read_m3(path)
    path.write_text(M3_HEAD + "N1,3,1,MICRO,1990,1,1,oops,3,\n")
    with pytest.raises(InputError, match=r"m3.csv:2: series N1: 'oops' is not a number"):
        read_m3(path)


@pytest.mark.shared_data
def test_real_m3_file(shared_data):
    panel = read_m3(shared_data / "m3_monthly" / "M3C_Monthly.csv")
    assert len(panel) == 1428
    assert {len(v) for v in panel.values} >= {66, 144}
    assert set(panel.categories) == {
        "MICRO",
        "INDUSTRY",
        "MACRO",
        "FINANCE",
        "DEMOGRAPHIC",
        "OTHER",
    }
