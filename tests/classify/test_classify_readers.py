"""Readers of labelled texts: tables, gzip, lines per class, folders; clear errors."""

from __future__ import annotations

import gzip
import json

import pytest

from seqrnn.classify.readers import read_labelled
from seqrnn.errors import InputError


def test_csv_with_chosen_columns_and_quotes(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text('id,review,stars\n1,"fine, really",good\n2,awful,bad\n3,meh,ok\n', "utf-8")
    d = read_labelled(p, text_column="review", label_column="stars")
    assert d.texts == ["fine, really", "awful", "meh"]
    assert d.labels == ["good", "bad", "ok"]  # any number of classes


def test_gzipped_tsv_and_jsonl(tmp_path):
    p = tmp_path / "d.tsv.gz"
    p.write_bytes(gzip.compress(b'text\tlabel\nsaid \\"hi\\"\t1\nbye\t0\n'))
    assert read_labelled(p).labels == ["1", "0"]
    q = tmp_path / "d.jsonl"
    q.write_text(json.dumps({"t": "a", "y": 1}) + "\n\n" + json.dumps({"t": "b", "y": 0}) + "\n")
    d = read_labelled(q, text_column="t", label_column="y")
    assert (d.texts, d.labels) == (["a", "b"], ["1", "0"])


def test_one_file_per_class_labels_from_names_or_given(tmp_path):
    (tmp_path / "rt.pos").write_text("good one\n\nnice\n", "utf-8")
    (tmp_path / "neg.txt").write_text("bad\n", "utf-8")
    d = read_labelled([tmp_path / "rt.pos", tmp_path / "neg.txt"])
    assert d.labels == ["pos", "pos", "neg"]
    d = read_labelled([f"happy={tmp_path / 'rt.pos'}", f"sad={tmp_path / 'neg.txt'}"])
    assert d.labels == ["happy", "happy", "sad"]


def test_folder_per_class(tmp_path):
    for label, texts in {"pos": ["great"], "neg": ["poor", "dull"]}.items():
        (tmp_path / label).mkdir()
        for i, t in enumerate(texts):
            (tmp_path / label / f"{i}.txt").write_text(t + "\n", "utf-8")
    d = read_labelled(tmp_path)
    assert sorted(zip(d.labels, d.texts, strict=True)) == [
        ("neg", "dull"),
        ("neg", "poor"),
        ("pos", "great"),
    ]


def test_missing_column_names_file_line_and_columns(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("text,stars\nok,1\n", "utf-8")
    with pytest.raises(InputError) as err:
        read_labelled(p)
    assert str(err.value) == f"{p}:2: no column 'label' (columns: text, stars)"


def test_bad_rows_give_file_and_line(tmp_path):
    p = tmp_path / "d.tsv"
    p.write_text("text\tlabel\na\t1\nb\t1\textra\n", "utf-8")
    with pytest.raises(InputError, match=r"d\.tsv:3: expected 2 fields like the header, got 3"):
        read_labelled(p)
    q = tmp_path / "d.jsonl"
    q.write_text('{"text": "a", "label": 1}\n{"text": oops}\n', "utf-8")
    with pytest.raises(InputError, match=r"d\.jsonl:2: not valid JSON"):
        read_labelled(q)
    r = tmp_path / "e.csv"
    r.write_text("text,label\nfine,\n", "utf-8")
    with pytest.raises(InputError, match=r"e\.csv:2: empty label in column 'label'"):
        read_labelled(r)


def test_undecodable_and_empty_and_missing_files(tmp_path):
    p = tmp_path / "x.neg"
    p.write_bytes(b"fine\nbad \xff byte\n")
    with pytest.raises(InputError, match=r"x\.neg:2: not UTF-8 text"):
        read_labelled([p])
    e = tmp_path / "empty.pos"
    e.write_text("\n\n", "utf-8")
    with pytest.raises(InputError, match=r"empty\.pos: no texts in this file"):
        read_labelled([e])
    with pytest.raises(InputError, match=r"nope\.csv: file not found"):
        read_labelled(tmp_path / "nope.csv")
    g = tmp_path / "broken.csv.gz"
    g.write_bytes(b"not gzip")
    with pytest.raises(InputError, match=r"broken\.csv\.gz: cannot read"):
        read_labelled(g)


def test_real_data_sets_read_with_their_counts(shared_data):
    d = shared_data / "rt_polarity"
    rt = read_labelled([d / "rt-polarity.pos", d / "rt-polarity.neg"])
    assert len(rt) == 10662 and rt.labels.count("pos") == 5331
    imdb = read_labelled(
        shared_data / "imdb_movie_review_5000" / "imdb_movie_review_5000.tsv.gz",
        text_column="review",
        label_column="sentiment",
    )
    assert len(imdb) == 5000 and imdb.labels.count("1") == 2517
