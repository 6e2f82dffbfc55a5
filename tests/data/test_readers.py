import numpy as np
import pytest

from seqrnn.data.readers import read_id_stream, read_sessions, read_tokens
from seqrnn.errors import InputError


def test_id_stream_concatenates_glob_in_sorted_order(tmp_path):
    (tmp_path / "b.txt").write_text("3\n4\n")
    (tmp_path / "a.txt").write_text("1\n\n2\n")  # blank line carries no event
    assert read_id_stream(tmp_path / "*.txt").tolist() == [1, 2, 3, 4]


def test_id_stream_names_file_and_line_of_non_integer(tmp_path):
    f = tmp_path / "ids.txt"
    f.write_text("1\n2\nfoo\n4\n")
    with pytest.raises(InputError, match=r"ids\.txt:3: 'foo' is not an integer id"):
        read_id_stream(f)


def test_id_stream_rejects_two_ids_on_a_line(tmp_path):
    f = tmp_path / "ids.txt"
    f.write_text("1\n2 3\n")
    with pytest.raises(InputError, match=r"ids\.txt:2: expected one integer id per line"):
        read_id_stream(f)


def test_glob_matching_nothing(tmp_path):
    with pytest.raises(InputError, match="no file matches this path or glob"):
        read_id_stream(tmp_path / "*.none")


def test_empty_file(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_text("")
    with pytest.raises(InputError, match=r"empty\.txt: no ids found"):
        read_id_stream(f)
    with pytest.raises(InputError, match="no sessions found"):
        read_sessions(f)


def test_sessions_deeplog_format_trailing_spaces_no_final_newline(tmp_path):
    f = tmp_path / "hdfs"
    f.write_text("5 5 22 \n11 9 \n26 26")
    sessions = read_sessions(f)
    assert [s.tolist() for s in sessions] == [[5, 5, 22], [11, 9], [26, 26]]
    assert all(s.dtype == np.int64 for s in sessions)


def test_sessions_non_integer_key_names_line(tmp_path):
    f = tmp_path / "keys"
    f.write_text("1 2\n3 x4 5\n")
    with pytest.raises(InputError, match=r"keys:2: 'x4' is not an integer id"):
        read_sessions(f)


def test_sessions_blank_line_is_an_error_unless_allowed(tmp_path):
    f = tmp_path / "keys"
    f.write_text("1 2\n\n3\n")
    with pytest.raises(InputError, match=r"keys:2: empty session"):
        read_sessions(f)
    assert [len(s) for s in read_sessions(f, allow_empty=True)] == [2, 0, 1]


def test_symbol_sessions_and_tokens(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("open read  close\nα β\n")
    assert read_sessions(f, integer=False) == [["open", "read", "close"], ["α", "β"]]
    assert read_tokens(f) == ["open", "read", "close", "α", "β"]


def test_not_utf8_names_line(tmp_path):
    f = tmp_path / "bin.txt"
    f.write_bytes(b"1\n2\n\xff\xfe\n")
    with pytest.raises(InputError, match=r"bin\.txt:3: not UTF-8"):
        read_tokens(f)
