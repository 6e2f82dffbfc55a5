"""Word vectors from unlabelled text (PPMI + truncated SVD) as the classifier's start."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from seqrnn.classify.readers import LabelledTexts
from seqrnn.classify.text import TextConfig, Tokenizer
from seqrnn.classify.transfer import load_encoder, save_encoder
from seqrnn.classify.vectors import cooccurrences, ppmi, word_vectors
from seqrnn.classify.workflow import ClassifyConfig, config_from_dict, fit, preset
from seqrnn.errors import InputError
from seqrnn.nn.encoder import EncoderConfig
from seqrnn.train.config import TrainConfig


def test_cooccurrences_weigh_pairs_by_inverse_distance_within_a_text():
    ids = [np.array([2, 3, 4]), np.array([4, 1, 2])]  # 1 = <unk>: never counted
    counts = cooccurrences(ids, 5, window=2).toarray()
    expected = np.zeros((5, 5))
    expected[2, 3] = expected[3, 4] = 1.0  # neighbours in the first text
    expected[2, 4] = 0.5  # two apart
    expected[4, 2] = 0.5  # the second text: "4 <unk> 2", two apart
    expected += expected.T
    assert np.allclose(counts, expected)


def test_ppmi_matches_the_formula_with_smoothed_contexts():
    n = np.array([[0.0, 4.0, 1.0], [4.0, 0.0, 2.0], [1.0, 2.0, 6.0]])
    got = ppmi(sp.csr_matrix(n), smoothing=0.75).toarray()
    pw = n.sum(1) / n.sum()
    pc = n.sum(0) ** 0.75 / (n.sum(0) ** 0.75).sum()
    with np.errstate(divide="ignore"):
        want = np.maximum(np.log(n / n.sum() / np.outer(pw, pc)), 0.0)
    assert np.allclose(got, want)


def _families(n: int, seed: int = 0) -> list[str]:
    """Lines where each family's words sit beside their own marker word."""
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(n):
        family, marker = ("g", "yay") if rng.random() < 0.5 else ("b", "nay")
        words = []
        for _ in range(6):
            words += [f"f{rng.integers(6)}", f"{family}{rng.integers(8)}", marker]
        lines.append(" ".join(words))
    return lines


def test_words_that_share_contexts_get_similar_vectors(tmp_path):
    enc = word_vectors(
        Tokenizer(TextConfig()), _families(300), 4, EncoderConfig(hidden_size=4), {"t": 1}
    )
    e = enc.embedding / enc.embedding.norm(dim=1, keepdim=True).clamp(min=1e-9)  # [V, 4]
    row = {w: e[enc.vocab.index[w]] for w in enc.vocab.symbols[2:]}
    same = [float(row[f"g{i}"] @ row[f"g{j}"]) for i in range(8) for j in range(i)]
    other = [float(row[f"g{i}"] @ row[f"b{j}"]) for i in range(8) for j in range(8)]
    assert min(same) > max(other)
    assert abs(float(enc.embedding[2:].numpy().std()) - 1.0) < 1e-6  # nn.Embedding's scale
    assert enc.corpus["method"] == "ppmi-svd" and not enc.stacks
    save_encoder(enc, tmp_path / "v.safetensors")  # an embedding-only encoder file
    again = load_encoder(tmp_path / "v.safetensors")
    assert torch.equal(again.embedding, enc.embedding) and not again.stacks
    # started from that file, a run keeps the plain recipe: nothing to unfreeze or warm up
    plain = config_from_dict({"pretrain": {"encoder": str(tmp_path / "v.safetensors")}})
    assert plain.net.preset == "bilstm-prior" and plain.train.epochs == 4
    with pytest.raises(InputError, match="too little text for 64-dimensional"):
        word_vectors(Tokenizer(TextConfig()), ["a b c"] * 3, 64, EncoderConfig(), {})


def test_word_vectors_only_start_the_embedding(tmp_path):
    (tmp_path / "u.txt").write_text("\n".join(_families(100)) + "\n")
    unlabelled = {"pretrain": {"unlabelled": [str(tmp_path / "u.txt")]}}
    cfg = config_from_dict(unlabelled)  # the plain recipe: vectors need no fine-tuning one
    assert cfg.net.preset == "bilstm-prior" and cfg.train.epochs == 4
    assert config_from_dict(merge_lm(unlabelled)).net.preset == "lm-bilstm-prior"
    small = preset("bilstm-prior", embedding_dim=8, encoder={"hidden_size": 8})
    cfg = ClassifyConfig(
        model="rnn", net=small, train=TrainConfig(epochs=1, batch_size=8), pretrain=cfg.pretrain
    )
    data = LabelledTexts(["g1 yay f2", "b3 nay f1"] * 10, ["pos", "neg"] * 10)
    fitted = fit(cfg, data)
    assert fitted.meta["pretrained"]["corpus"]["method"] == "ppmi-svd"
    assert fitted.meta["pretrained"]["corpus"]["unlabelled_texts"] == 100
    net = fitted.model.net
    assert all(p.requires_grad for p in net.parameters())  # no layer was frozen
    row = fitted.model.vocab.index["g5"]  # seen only in the unlabelled text: its vector kept
    assert torch.equal(net.embed.weight[row], fitted.encoder.embedding[enc_row(fitted, "g5")])


def merge_lm(data: dict) -> dict:
    return {"pretrain": {**data["pretrain"], "method": "lm"}}


def enc_row(fitted, word: str) -> int:
    return fitted.encoder.vocab.index[word]


def test_cli_unlabelled_learns_vectors_and_keeps_them_for_other_runs(tmp_path):
    from click.testing import CliRunner

    from seqrnn.cli.main import cli

    (tmp_path / "u.txt").write_text("\n".join(_families(60)) + "\n")
    rows = ["text,label"] + [f"g{i % 8} yay f1,pos\nb{i % 8} nay f2,neg" for i in range(15)]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    args = ["classify", "train", "--train", str(tmp_path / "d.csv"), "--model", "rnn"]
    args += ["--unlabelled", str(tmp_path / "u.txt"), "--hidden", "8", "--embedding-dim", "8"]
    args += ["--epochs", "1", "--runs-dir", str(tmp_path / "runs"), "--name", "v", "--no-progress"]
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 0, out.output
    enc = load_encoder(tmp_path / "runs" / "v")
    assert enc.corpus["method"] == "ppmi-svd" and enc.corpus["unlabelled_texts"] == 60
    assert enc.embedding.shape[1] == 8 and not enc.stacks


def test_training_texts_given_as_unlabelled_are_counted_once(tmp_path):
    from seqrnn.classify.encoders import prepare_encoder

    train = _families(40)
    other = [f"g{i} f{i % 6} b{i}" for i in range(8)] * 5
    (tmp_path / "u.txt").write_text("\n".join([*train, *other]) + "\n")
    cfg = config_from_dict(
        {"pretrain": {"unlabelled": [str(tmp_path / "u.txt")]}, "net": {"embedding_dim": 4}}
    )
    corpus = prepare_encoder(cfg, train).corpus
    assert corpus["training_texts"] == 40 and corpus["unlabelled_texts"] == 40
    assert corpus["unlabelled_texts_also_training"] == 40


def test_the_default_learns_each_inner_folds_vectors_without_its_held_out_texts(
    tmp_path, monkeypatch
):
    from seqrnn.classify import encoders, select, workflow

    (tmp_path / "u.txt").write_text("\n".join(_families(60)) + "\n")
    rng = np.random.default_rng(3)
    texts = [f"f{rng.integers(6)} {'g' if i % 2 else 'b'}{i % 8} w{i}" for i in range(48)]
    data = LabelledTexts(texts, ["pos" if i % 2 else "neg" for i in range(48)])
    read: list[set[str]] = []
    original = encoders.word_vectors

    def spy(tokenizer, corpus_texts, *args, **kwargs):
        read.append(set(corpus_texts))
        return original(tokenizer, corpus_texts, *args, **kwargs)

    held: list[set[str]] = []
    fit_net = workflow.fit

    def fit_spy(config, train, val=None, *args, **kwargs):
        if config.model == "rnn" and kwargs.get("encoder") is not None:
            held.append(set(data.texts) - set(train.texts) - set(val.texts))
        return fit_net(config, train, val, *args, **kwargs)

    monkeypatch.setattr(encoders, "word_vectors", spy)
    monkeypatch.setattr(workflow, "fit", fit_spy)
    small = preset("bilstm-prior", embedding_dim=8, encoder={"hidden_size": 8})
    cfg = ClassifyConfig(
        net=small,
        train=TrainConfig(epochs=1, batch_size=8),
        pretrain=config_from_dict({"pretrain": {"unlabelled": [str(tmp_path / "u.txt")]}}).pretrain,
    )
    assert cfg.model == "auto" and cfg.select_folds == 3
    fitted = select.fit_auto(cfg, data, None, None)
    assert fitted.meta["chosen"] in select.CANDIDATES
    assert len(read) == 1 + 3  # the final model's vectors, then one set per inner fold
    assert set(data.texts) <= read[0]  # the final model's: every training text
    for corpus, out in zip(read[1:], held[:3], strict=True):  # held[3]: a final network's
        assert len(out) == 16 and not corpus & out  # an inner fold's never its held-out texts
        assert set(data.texts) - out <= corpus  # but all of that fold's training texts
