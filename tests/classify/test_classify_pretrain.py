"""Pretraining the classifier's encoder as a language model, fine-tuning it, and the default
that chooses between the network and the baselines on the training part only."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from seqrnn.classify import select
from seqrnn.classify.crossval import cross_validate
from seqrnn.classify.finetune import FineTuning, layer_groups
from seqrnn.classify.net import TextClassifierNet
from seqrnn.classify.pretrain import PretrainConfig, pretrain_encoder
from seqrnn.classify.readers import LabelledTexts
from seqrnn.classify.runs import load_model
from seqrnn.classify.text import TextConfig, Tokenizer
from seqrnn.classify.transfer import aligned, install, load_encoder, merged_vocab, save_encoder
from seqrnn.classify.workflow import ClassifyConfig, config_from_dict, fit, preset
from seqrnn.cli.main import cli
from seqrnn.config import replace
from seqrnn.errors import CheckpointError
from seqrnn.nn.encoder import EncoderConfig
from seqrnn.textgen.workflow import text_config_from_dict, train_text
from seqrnn.train.config import TrainConfig

SMALL = {"embedding_dim": 16, "encoder": {"hidden_size": 16}, "prior_features": False}
GOOD = [f"g{i}" for i in range(8)]  # words of the "good" family
BAD = [f"b{i}" for i in range(8)]
FILLER = [f"f{i}" for i in range(6)]


def _family_stream(rng: np.random.Generator, n: int) -> list[str]:
    """Unlabelled lines where each family's words always sit before their own marker
    word: the only place where g3 is seen to behave like g0."""
    lines = []
    for _ in range(n):
        family, marker = (GOOD, "yay") if rng.random() < 0.5 else (BAD, "nay")
        words = []
        for _ in range(6):
            words += [str(rng.choice(FILLER)), str(rng.choice(family)), marker]
        lines.append(" ".join(words))
    return lines


def _labelled(rng: np.random.Generator, n: int, good: list[str], bad: list[str]) -> LabelledTexts:
    """Label pos iff the text holds a word of the good family (the labelled training texts
    only use g0/b0, the test texts only the other members)."""
    texts, labels = [], []
    for i in range(n):
        word = str(rng.choice(good if i % 2 else bad))
        fill = [str(rng.choice(FILLER)) for _ in range(4)]
        texts.append(" ".join([*fill[:2], word, *fill[2:]]))
        labels.append("pos" if i % 2 else "neg")
    return LabelledTexts(texts, labels)


@pytest.fixture
def family_task(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "unlabelled.txt").write_text("\n".join(_family_stream(rng, 400)) + "\n")
    train = _labelled(rng, 120, GOOD[:1], BAD[:1])
    val = _labelled(rng, 40, GOOD[:1], BAD[:1])
    test = _labelled(rng, 200, GOOD[1:], BAD[1:])
    return tmp_path / "unlabelled.txt", train, val, test


def _test_loss(model, data: LabelledTexts) -> float:
    proba = model.predict_proba(data.texts)
    index = np.array([model.labels.index(y) for y in data.labels])
    return float(-np.log(proba[np.arange(len(index)), index] + 1e-12).mean())


@pytest.mark.parametrize("method", ["lm", "vectors"])
def test_pretraining_lowers_the_loss_on_words_seen_only_in_unlabelled_text(family_task, method):
    unlabelled, train, val, test = family_task
    base = ClassifyConfig(
        model="rnn",
        net=preset("lm-bilstm-prior", **SMALL),
        train=TrainConfig(epochs=6, batch_size=16, learning_rate=0.01),
    )
    scratch = fit(base, train, val)
    pre = PretrainConfig([str(unlabelled)], method=method, epochs=4, batch_size=16, seq_len=12)
    pretrained = fit(replace(base, pretrain=pre), train, val)
    assert pretrained.meta["pretrained"]["corpus"]["unlabelled_texts"] == 400
    loss_scratch, loss_pre = _test_loss(scratch.model, test), _test_loss(pretrained.model, test)
    assert loss_pre < loss_scratch - 0.05, (loss_pre, loss_scratch)


def test_install_makes_each_direction_compute_its_language_model():
    texts = ["a b c d e f a b c", "c b a f e d"] * 20
    tokenizer = Tokenizer(TextConfig())
    enc = pretrain_encoder(
        PretrainConfig(epochs=1, batch_size=4, seq_len=5),
        tokenizer,
        8,
        EncoderConfig(hidden_size=8, num_layers=2),
        texts,
        {"test": "letters"},
    )
    vocab = merged_vocab(enc, tokenizer.build_vocab(["a b zz"]))
    cfg = aligned(preset("lm-bilstm-prior", encoder={"num_layers": 2}), enc)
    net = TextClassifierNet(replace(cfg, vocab_size=len(vocab), num_classes=2))
    install(net, enc, vocab)
    ids = torch.from_numpy(tokenizer.encode(["a b c d"], vocab)[0])[None, :]  # [1, T]
    words = torch.from_numpy(enc.vocab.encode(list("abcd")))[None, :]  # the LMs' own ids
    lms = {}
    for d in ("forward", "backward"):
        lms[d] = torch.nn.LSTM(8, 8, 2, batch_first=True)
        lms[d].load_state_dict({k.removeprefix("rnn."): v for k, v in enc.stacks[d].items()})
    with torch.no_grad():
        prior = net.prior_channels(ids, None)  # [1, T, 4], read through zeroed columns
        out, _ = net.encoder(torch.cat([net.embed(ids), prior], -1))  # [1, T, 16]
        forward, _ = lms["forward"](enc.embedding[words])  # [1, T, 8]
        backward, _ = lms["backward"](enc.embedding[words.flip(1)])  # reversed stream
    assert torch.allclose(out[..., :8], forward, atol=1e-6)  # each direction = its LM
    assert torch.allclose(out[..., 8:], backward.flip(1), atol=1e-6)
    assert "zz" in vocab and vocab.symbols[: len(enc.vocab)] == enc.vocab.symbols


def test_encoder_file_round_trip_and_text_runs_as_starting_encoders(tmp_path):
    enc = pretrain_encoder(
        PretrainConfig(epochs=2, batch_size=4, seq_len=5),
        Tokenizer(TextConfig()),
        8,
        EncoderConfig(hidden_size=8, num_layers=1),
        ["one two three four five six"] * 100,  # 5 held-out texts: one validation column
        {"test": "numbers"},
        directions=("forward",),
    )
    curve = enc.curves["forward"]  # held-out perplexity after each epoch; the best is kept
    assert len(curve) == 2 and enc.perplexity["forward"] == min(curve)
    save_encoder(enc, tmp_path / "enc.safetensors")
    again = load_encoder(tmp_path / "enc.safetensors")
    assert again.vocab == enc.vocab and torch.equal(again.embedding, enc.embedding)
    assert again.curves == enc.curves and again.describe()["perplexity_per_epoch"] == enc.curves
    assert again.corpus["test"] == "numbers" and sorted(again.stacks) == ["forward"]
    started = config_from_dict({"pretrain": {"encoder": str(tmp_path / "enc.safetensors")}})
    assert started.net.preset == "lm-bilstm-prior"  # a language model: the fine-tuning recipe
    (tmp_path / "t.txt").write_text("one two three four five six\n" * 40)
    for level in ("char", "word"):
        run = train_text(
            text_config_from_dict(
                {
                    "data": {"train": [str(tmp_path / "t.txt")], "level": level, "seq_len": 8},
                    "model": {"embedding_dim": 8, "encoder": {"hidden_size": 8, "num_layers": 1}},
                    "train": {"epochs": 1, "batch_size": 4},
                    "runs_dir": str(tmp_path / "runs"),
                    "name": level,
                }
            )
        )
        if level == "char":
            with pytest.raises(CheckpointError, match="only a word-level text model"):
                load_encoder(run.run_dir)
    data = LabelledTexts(["one two", "five six", "two one", "six five"] * 5, ["a", "b"] * 10)
    cfg = ClassifyConfig(
        model="rnn",
        net=preset("lm-bilstm-prior"),
        train=TrainConfig(epochs=2, batch_size=4),
        pretrain=PretrainConfig(encoder=str(run.run_dir)),
    )
    fitted = fit(cfg, data)
    assert fitted.meta["pretrained"]["corpus"] == {"text_run": "word"}
    assert fitted.meta["model_config"]["encoder"]["hidden_size"] == 8  # from the text run


def test_auto_chooses_without_reading_the_test_folds(monkeypatch):
    rng = np.random.default_rng(1)
    data = _labelled(rng, 60, GOOD, BAD)
    seen: list[set[str]] = []
    original = select.choose

    def spy(config, train, *args):
        seen.append(set(train.texts))
        return original(config, train, *args)

    monkeypatch.setattr(select, "choose", spy)
    cfg = ClassifyConfig(
        net=preset("bilstm", embedding_dim=8, encoder={"hidden_size": 8}),
        train=TrainConfig(epochs=1, batch_size=16),
    )
    assert cfg.model == "auto"
    result = cross_validate(cfg, data, folds=3)
    assert len(seen) == 3 and all(c in select.CANDIDATES for c in result.chosen)
    folds = cross_validate_test_sets(data, 3)
    for texts, test in zip(seen, folds, strict=True):
        assert not texts & test  # the choice never saw a test text of its fold


def cross_validate_test_sets(data: LabelledTexts, folds: int) -> list[set[str]]:
    from sklearn.model_selection import StratifiedKFold

    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    return [{data.texts[i] for i in te} for _, te in split.split(data.texts, data.labels)]


def test_cli_auto_says_what_it_chose_and_rnn_nb_reloads_as_an_average(tmp_path):
    rng = np.random.default_rng(2)
    data = _labelled(rng, 60, GOOD, BAD)
    rows = ["text,label"] + [f"{t},{y}" for t, y in zip(data.texts, data.labels, strict=True)]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    common = ["--train", str(tmp_path / "d.csv"), "--hidden", "8", "--embedding-dim", "8"]
    common += ["--epochs", "1", "--runs-dir", str(tmp_path / "runs"), "--no-progress"]
    out = CliRunner().invoke(cli, ["classify", "train", *common, "--name", "a"])
    assert out.exit_code == 0, out.output
    assert "chose " in out.output and "mean accuracy over the training part" in out.output
    args = ["classify", "train", *common, "--model", "rnn+nb", "--name", "b"]
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 0, out.output
    model = load_model(tmp_path / "runs" / "b")
    assert isinstance(model, select.AveragedClassifier)
    assert np.allclose(model.predict_proba(data.texts).sum(1), 1.0)


def test_fine_tuning_scales_learning_rates_by_layer_and_unfreezes_top_down():
    cfg = preset("bilstm-prior", embedding_dim=4, encoder={"hidden_size": 4, "num_layers": 2})
    net = TextClassifierNet(replace(cfg, vocab_size=10, num_classes=2))
    groups = layer_groups(net)
    assert len(groups) == 4 and groups[-1] == [net.embed.weight]  # output, l1, l0, embedding
    assert sum(p.numel() for g in groups for p in g) == sum(p.numel() for p in net.parameters())

    class Trainer:
        optimizer = torch.optim.Adam(net.parameters(), lr=1.0)
        state = type("State", (), {"epoch": 0})()

    tuning, trainer = FineTuning(groups, 2.0, gradual=True), Trainer()
    tuning.on_fit_start(trainer)
    assert [g["lr"] for g in trainer.optimizer.param_groups] == [1.0, 0.5, 0.25, 0.125]
    trainable = lambda: [all(p.requires_grad for p in g) for g in groups]  # noqa: E731
    assert trainable() == [True, False, False, False]
    tuning.on_epoch_start(trainer, 2)
    assert trainable() == [True, True, True, False]
    trainer.optimizer.param_groups[0]["lr"] = 0.5  # what a schedule set
    tuning.on_batch_end(trainer, 0, 0.0)
    assert [g["lr"] for g in trainer.optimizer.param_groups] == [0.5, 0.25, 0.125, 0.0625]
    tuning.on_fit_end(trainer)
    assert all(trainable())


def test_a_pretrained_start_defaults_to_the_measured_fine_tuning_recipe():
    plain = config_from_dict({})
    assert plain.net.preset == "bilstm-prior" and not plain.train.schedule.active
    lm = {"unlabelled": ["u.txt"], "method": "lm"}
    tuned = config_from_dict({"pretrain": lm, "train": {"epochs": 7}})
    assert tuned.net.preset == "lm-bilstm-prior" and tuned.net.embedding_dim == 128
    assert tuned.train.epochs == 7  # the user's setting wins, the recipe fills the rest
    assert tuned.train.learning_rate == 3e-3 and tuned.train.schedule.active
    mine = config_from_dict({"pretrain": {"encoder": "runs/x"}, "net": {"preset": "bilstm-prior"}})
    assert mine.net.preset == "bilstm-prior" and mine.net.embedding_dim == 64
    assert mine.train.epochs == 5
