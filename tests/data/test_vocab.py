import numpy as np
import pytest

from seqrnn.data.vocab import PAD, UNK, Vocabulary
from seqrnn.errors import CheckpointError


def test_reserved_ids_and_natural_order():
    vocab = Vocabulary.build([["10", "9", "2"], ["9"]])
    assert vocab.symbols[:2] == ["<pad>", "<unk>"]
    assert vocab.symbols[2:] == ["2", "9", "10"]  # numeric, not lexicographic
    assert PAD == 0 and UNK == 1


def test_unknown_symbols_map_to_unk_never_crash():
    vocab = Vocabulary.build([np.array([5, 6, 5])])
    assert vocab.encode(np.array([5, 7, 6])).tolist() == [2, UNK, 3]
    assert vocab.encode(["5", "héllo", ""]).tolist() == [2, UNK, UNK]


def test_min_count_and_max_size_keep_most_frequent():
    vocab = Vocabulary.build([list("aaabbc")], min_count=2)
    assert vocab.to_list() == ["a", "b"]
    vocab = Vocabulary.build([list("aaabbc")], max_size=1)
    assert vocab.to_list() == ["a"]


def test_roundtrip_and_decode():
    vocab = Vocabulary.build([["x", "y"]])
    again = Vocabulary.from_list(vocab.to_list())
    assert again == vocab
    assert vocab.decode(vocab.encode(["y", "x"])) == ["y", "x"]


def test_from_list_rejects_garbage():
    with pytest.raises(CheckpointError, match="not a list of strings"):
        Vocabulary.from_list([1, 2])


def test_integer_array_and_string_paths_agree():
    vocab = Vocabulary.build([np.array([3, 1, 2])])
    arr = np.array([2, 3, 99])
    assert vocab.encode(arr).tolist() == vocab.encode([str(x) for x in arr]).tolist()
