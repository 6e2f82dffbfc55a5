"""Session files with a leading identifier: ``ID,KEY KEY ...`` and ``ID KEY KEY ...``."""

from __future__ import annotations

import pytest

from seqrnn.data.formats import InputFormat, read_sequences
from seqrnn.data.readers import read_id_sessions, read_sessions
from seqrnn.errors import InputError


def test_both_forms_and_a_header_line_are_read(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("BlockId,EventSequence\nblk_-1,5 5 22\r\nblk_2, 11 9\nblk_3\t5  7\n")
    ids, sessions, where = read_id_sessions(path)
    assert ids == ["blk_-1", "blk_2", "blk_3"]
    assert [s.tolist() for s in sessions] == [[5, 5, 22], [11, 9], [5, 7]]
    assert where == [(str(path), 2), (str(path), 3), (str(path), 4)]
    assert [s.tolist() for s in read_sequences(path, InputFormat.ID_SESSIONS)] == [
        [5, 5, 22],
        [11, 9],
        [5, 7],
    ]
    assert not InputFormat.ID_SESSIONS.is_stream


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "a,1\n,5 22\n",
            "2: malformed id line: expected 'ID,KEY KEY ...' or 'ID KEY KEY ...', "
            "got ',5 22', with no identifier",
        ),
        (
            "a,1\n\nb,2\n",
            "2: malformed id line: expected 'ID,KEY KEY ...' or 'ID KEY KEY ...', "
            "got an empty line",
        ),
        ("a,1\nb,5 x\n", "2: 'x' is not an integer key"),
        ("a,1\nb,\n", "2: empty session (no keys after 'b')"),
    ],
)
def test_malformed_id_lines_name_file_and_line(tmp_path, text, problem):
    path = tmp_path / "s.csv"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        read_id_sessions(path)
    assert str(err.value) == f"{path}:{problem}"


def test_a_plain_session_file_with_ids_says_which_format_reads_it(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("blk_1,5 22\n")
    with pytest.raises(InputError) as err:
        read_sessions(path)
    assert str(err.value) == (
        f"{path}:1: a comma in a session of keys; a file of 'ID,KEY KEY ...' or "
        "'ID KEY KEY ...' lines is read as id_sessions (--format id_sessions)"
    )
