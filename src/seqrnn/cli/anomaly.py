"""CLI verbs for log anomaly detection: ``detect``, ``baseline``, ``train-detector`` (``parse``
is in :mod:`seqrnn.cli.parse`)."""

from __future__ import annotations

import sys

import click
import numpy as np

from seqrnn.anomaly.baselines import Baseline, fit_baseline
from seqrnn.anomaly.detectors import Method
from seqrnn.anomaly.feedback import FeedbackConfig, update_from_feedback
from seqrnn.anomaly.fit import describe_extras, train_detector
from seqrnn.anomaly.inputs import (
    SessionSet,
    read_labelled_csv,
    read_labels,
    read_session_set,
    read_templates,
)
from seqrnn.anomaly.parse import HDFS_HEADER
from seqrnn.anomaly.report import write_report, write_stream_report
from seqrnn.anomaly.stream import follow, follow_parser
from seqrnn.anomaly.training import detector_config_from_dict, detector_resume_config
from seqrnn.anomaly.workflow import build_detector, detect, detect_config_for, load_detector
from seqrnn.cli.common import (
    RESUME_OPTION,
    THREADS_OPTION,
    friendly_errors,
    interruptible,
    merge_config,
    setup_logging,
    train_callbacks,
    use_threads,
)
from seqrnn.cli.next_symbol import _train_options  # the same flags as `seqrnn train`
from seqrnn.cli.types import (
    NON_NEGATIVE,
    NON_NEGATIVE_INT,
    OPEN_FRACTION,
    POSITIVE,
    POSITIVE_INT,
    PROBABILITY,
)
from seqrnn.io.atomic import check_replaceable
from seqrnn.io.chunks import read_chunks
from seqrnn.models.allow_list import AllowListModel, FeedbackScope
from seqrnn.next_symbol import training as ns
from seqrnn.train.distributed import is_main_process


def _gather(data, labels, normal, abnormal, csv, fmt="sessions") -> SessionSet:
    """All sessions to judge, labelled when the options give labels for every one."""
    out = SessionSet()
    for path in data:
        out.extend(read_session_set(path, None, fmt))
    if labels:
        out.labels = read_labels(labels, len(out))
    for path in normal:
        out.extend(read_session_set(path, 0, fmt))
    for path in abnormal:
        out.extend(read_session_set(path, 1, fmt))
    for path in csv:
        out.extend(read_labelled_csv(path))
    if len(out) == 0:
        raise click.UsageError("give sessions: DATA, --normal/--abnormal or --csv")
    return out


def _validation(val, val_csv, fmt="sessions") -> SessionSet | None:
    if not val and not val_csv:
        return None
    out = SessionSet()
    for path in val:
        out.extend(read_session_set(path, 0, fmt))
    for path in val_csv:
        out.extend(read_labelled_csv(path))
    return out


@click.command("detect")
@click.argument("model")
@click.argument("data", nargs=-1)
@click.option(
    "--labels", type=click.Path(dir_okay=False, exists=True), help="0/1 per session of DATA."
)
@click.option("--normal", multiple=True, help="Session file of normal sessions (labelled 0).")
@click.option("--abnormal", multiple=True, help="Session file of abnormal sessions (labelled 1).")
@click.option("--csv", multiple=True, help="CSV with Sequence,label columns (logdeep).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["sessions", "id_sessions"]),
    help="Session files: keys per line, or 'ID,KEYS' / 'ID KEYS' (default: the model's).",
)
@click.option(
    "--method",
    type=click.Choice([m.value for m in Method]),
    help="[default: the run's calibrated budget (train-detector --target-fpr), else top_g]",
)
@click.option(
    "-g",
    "--g",
    type=POSITIVE_INT,
    help="top-g: the key must be among the g likeliest [default: 9].",
)
@click.option("--threshold", type=NON_NEGATIVE, help="-log p threshold (method nll).")
@click.option(
    "--quantile", type=PROBABILITY, help="Method quantile: of normal --val scores [default: 0.999]."
)
@click.option("--val", multiple=True, help="Normal validation sessions (quantile / best_f1).")
@click.option("--val-csv", multiple=True, help="Labelled validation CSV (best_f1).")
@click.option(
    "--targets",
    type=click.Choice(["all", "full_window"]),
    default="all",
    show_default=True,
    help="Score the first h keys from padded windows (all) or skip them (DeepLog).",
)
@click.option(
    "--min-length",
    type=NON_NEGATIVE_INT,
    help="Shorter sessions are anomalous (default h+1; 0: off).",
)
@click.option(
    "--templates",
    type=click.Path(dir_okay=False, exists=True),
    help="key,template CSV for explanations.",
)
@click.option(
    "--project-normal",
    type=POSITIVE_INT,
    help="Also report figures projected to this many normal sessions.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Report folder (metrics, verdicts, explanations, plots).",
)
@click.option(
    "--stream",
    "stream_file",
    help="One long stream (one integer key per line): flagged positions and windows.",
)
@click.option(
    "--stream-window", type=POSITIVE_INT, default=100, show_default=True, help="With --stream."
)
@click.option(
    "--follow", is_flag=True, help="Read events from stdin as they come and print alerts."
)
@click.option(
    "--logs", is_flag=True, help="With --follow: stdin has raw log lines (else KEY or SESSION KEY)."
)
@click.option(
    "--header", default=None, help=f"With --logs: Loghub line format, e.g. '{HDFS_HEADER}'."
)
@click.option(
    "--session-regex", default=None, help=r"With --logs: session identifier, e.g. 'blk_-?\d+'."
)
@click.option(
    "--state", default=None, help="With --logs: drain3 state file written by seqrnn parse."
)
@click.option(
    "--max-sessions",
    type=POSITIVE_INT,
    default=100_000,
    show_default=True,
    help="With --follow: sessions remembered.",
)
@click.option(
    "--feedback",
    type=click.Path(dir_okay=False, exists=True),
    help="Sessions an operator marked normal (in --format): keep them with MODEL in a new run "
    "folder beside MODEL's, then judge with it.",
)
@click.option(
    "--feedback-scope",
    type=click.Choice([s.value for s in FeedbackScope]),
    help="With --feedback: session: a session passes only when ONE marked session holds "
    "every transition (window, key) flagged in it; path: only when it follows ONE marked "
    "session event for event up to its last flagged event; exact: only when its whole key "
    "sequence equals ONE marked session's; transition: each flagged event passes on its own "
    "when ANY marked session holds its transition [default: exact; for a run "
    "already updated, its own scope].",
)
@click.option("-v", "--verbose", is_flag=True)
@friendly_errors
def detect_cmd(
    model, data, labels, normal, abnormal, csv, val, val_csv, out, follow, verbose, **opts
):
    """Judge sessions of MODEL's keys (any next-symbol model: LSTM, Markov, Naive Bayes)."""
    setup_logging(verbose)
    if opts["feedback_scope"] and not opts["feedback"]:
        raise click.UsageError("--feedback-scope goes with --feedback")
    m = load_detector(model, "`seqrnn detect`")
    keys = ("method", "g", "threshold", "quantile", "targets", "min_length")
    config, calibration = detect_config_for(model, {k: opts[k] for k in keys})
    if calibration is not None:
        click.echo(calibration.describe())
    fmt = opts["fmt"] or m.input_format.value
    detector = build_detector(m, config, _validation(val, val_csv, fmt))
    if opts["feedback"]:
        scope = FeedbackScope(opts["feedback_scope"]) if opts["feedback_scope"] else None
        m = _feedback(model, detector, opts["feedback"], fmt, scope)
    if isinstance(m, AllowListModel):
        click.echo(m.describe_scope())
    if opts["feedback"] and not (
        data or normal or abnormal or csv or follow or opts["stream_file"]
    ):
        return None
    if follow:
        return _follow(m, detector, opts)
    if opts["stream_file"]:
        return _stream_file(m, detector, opts["stream_file"], opts["stream_window"], out)
    if not out:
        raise click.UsageError("--out is required (or --follow)")
    sessions = _gather(data, labels, normal, abnormal, csv, fmt)
    templates = read_templates(opts["templates"]) if opts["templates"] else None
    result = detect(m, sessions, config, detector, templates)
    paths = write_report(out, result, sessions, m, opts["project_normal"])
    click.echo(f"model: {m.describe()}; detector: {detector.describe()}")
    click.echo(
        f"{len(sessions):,} sessions ({len(result.scores.distinct):,} distinct), "
        f"{int(np.sum(result.verdicts.anomalous)):,} anomalous"
    )
    if result.metrics is not None:
        click.echo(_metrics_line("sessions", result.metrics))
        if opts["project_normal"]:
            click.echo(_metrics_line("projected", result.metrics.projected(opts["project_normal"])))
    for p in paths:
        click.echo(f"wrote {p}")


def _feedback(model, detector, path, fmt, scope):
    """``--feedback``: the updated model (a new run folder), with what the update did."""
    sessions = read_session_set(path, None, fmt).sessions
    config = FeedbackConfig(feedback=str(path), scope=scope)
    result = update_from_feedback(model, sessions, detector, config)
    r = result.record
    click.echo(
        f"feedback: {r['sessions']:,} sessions ({r['distinct_sessions']:,} distinct), "
        f"{r['new_rows']:,} new transitions kept in {r['seconds']:.2f} s; of the marked "
        f"sessions {r['flagged_before']} were flagged by {detector.describe()}, "
        f"{r['still_flagged']} still are"
    )
    click.echo(f"wrote {result.run_dir} (the model judging below; {model} is unchanged)")
    return result.model


def _stream_file(m, detector, path, window, out) -> None:
    from seqrnn.anomaly.stream import judge_stream
    from seqrnn.data.readers import read_id_stream

    if not out:
        raise click.UsageError("--out is required with --stream")
    verdict = judge_stream(m, read_id_stream(path), detector, window)
    paths = write_stream_report(out, verdict)
    click.echo(
        f"{verdict.positions:,} positions, {len(verdict.flagged):,} flagged by "
        f"{detector.describe()}; {int(np.sum(verdict.windows > 0)):,} of "
        f"{len(verdict.windows):,} windows of {window} have a flag"
    )
    for p in paths:
        click.echo(f"wrote {p}")


def _metrics_line(name, m) -> str:
    return (
        f"{name}: P {m.precision:.4f} R {m.recall:.4f} F1 {m.f1:.4f} "
        f"TP {m.tp:,} FP {m.fp:,} TN {m.tn:,} FN {m.fn:,} FPR {m.fpr:.5f}"
    )


def _follow(m, detector, opts) -> None:
    parser = None
    if opts["logs"]:
        parser = follow_parser(opts["header"], opts["session_regex"], opts["state"])
    for step in follow(m, detector, read_chunks(sys.stdin), parser, opts["max_sessions"]):
        for alert in step.alerts:
            click.echo(alert.format())
        for line in step.rejected:
            click.echo(f"not scored: {line}", err=True)


@click.command("baseline")
@click.argument("kind", type=click.Choice([b.value for b in Baseline]))
@click.option("--train", required=True, help="Training sessions (file or glob).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ids", "sessions", "id_sessions", "tokens"]),
    default="sessions",
)
@click.option("--order", type=POSITIVE_INT, default=1, show_default=True, help="Markov order k.")
@click.option(
    "--window", type=POSITIVE_INT, default=10, show_default=True, help="Naive Bayes window."
)
@click.option(
    "--alpha",
    type=POSITIVE,
    default=1.0,
    show_default=True,
    help="Additive (Laplace/Lidstone) smoothing.",
)
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False), help="Model file (.safetensors)."
)
@friendly_errors
def baseline_cmd(kind, train, fmt, order, window, alpha, out):
    """Fit a Markov chain or Naive Bayes next-key model; use it with detect like an LSTM."""
    check_replaceable(out)  # before fitting: a FIFO or device as --out fails at once
    model = fit_baseline(Baseline(kind), train, fmt, order, window, alpha)
    model.save(out)
    click.echo(f"{model.describe()}, vocabulary {len(model.vocab)}: wrote {out}")


@click.command("train-detector")
@_train_options
@click.option(
    "--window-weights",
    "data__window_weights",
    type=click.Choice([w.value for w in ns.WindowWeights]),
    help="distinct (default): each distinct (window, next key) once, so rare continuations "
    "count as much as frequent ones; count: each window as often as it occurs (likelihood).",
)
@click.option(
    "--restarts",
    "restarts__count",
    type=POSITIVE_INT,
    help="Networks trained (seeds seed, seed+1, ...) and kept together: the model answers "
    "with the median of their probabilities [default: 3; 1: one network].",
)
@click.option(
    "--target-fpr",
    "calibration__target_fpr",
    type=OPEN_FRACTION,
    help="False-alarm budget: fit a threshold on held-out scores of the training sessions "
    "(models trained without them), recorded in the run and applied by detect.",
)
@click.option(
    "--folds",
    "calibration__folds",
    type=click.IntRange(min=2),
    help="Held-out models for --target-fpr (groups of the sessions they leave out) [default: 5].",
)
@click.option(
    "--calibrate-on",
    "calibration__statistic",
    type=click.Choice(["nll", "rank"]),
    help="Fit a -log p threshold (nll, default) or the g of top-g (rank).",
)
@click.option(
    "--end-marker/--no-end-marker",
    default=True,
    show_default=True,
    help="Append <eos> to every session so that the model learns where sessions end.",
)
@RESUME_OPTION
@THREADS_OPTION
@click.option("--progress/--no-progress", default=True, help="Progress bar on stderr.")
@click.option("-v", "--verbose", is_flag=True)
@friendly_errors
def train_detector_cmd(config_file, end_marker, resume, threads, progress, verbose, **flags):
    """Train a next-key LSTM for detection on the distinct (window, next key) rows: each once
    by default, or weighted by their counts (`seqrnn train`'s loss, a fraction of the time)."""
    setup_logging(verbose)
    use_threads(threads)
    if resume:
        config = detector_resume_config(resume)
    else:
        config = detector_config_from_dict(merge_config(config_file, flags))
    callbacks = train_callbacks(progress)
    result = interruptible(
        "train-detector", lambda: train_detector(config, callbacks, end_marker, resume)
    )
    if not is_main_process():
        return
    last = result.history[-1] if result.history else {}
    click.echo(f"run folder: {result.run_dir}")
    for line in describe_extras(result.metrics):
        click.echo(line)
    click.echo("last epoch: " + ", ".join(f"{k}={v:.4g}" for k, v in last.items()))


def register(group: click.Group) -> None:
    """Add this module's verbs to the top-level group."""
    for cmd in (detect_cmd, baseline_cmd, train_detector_cmd):
        group.add_command(cmd)
