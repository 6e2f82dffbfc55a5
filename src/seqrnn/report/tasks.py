"""The parts of a report that depend on the task: forecasts, classifier errors, text samples.

Forecast and classifier sections read what the run folder holds; two things are computed at
report time from the saved model, because no run writes them: the classifier's most
confident mistakes (the validation texts are rebuilt from ``config.json`` exactly as training
split them) and the text model's samples.
"""

from __future__ import annotations

import csv
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from seqrnn.errors import SeqrnnError
from seqrnn.report.blocks import Chart, Section, Table, Text, base_layout
from seqrnn.report.runs import Run

logger = logging.getLogger(__name__)

#: a two-sided 95 % normal interval
Z95 = 1.96
MISTAKES = 15
TEMPERATURES = (0.5, 1.0)
SAMPLE_LENGTH = 400


# -- forecasting -----------------------------------------------------------------------------


def forecast_section(run: Run) -> Section | None:
    """Actual vs forecast with 95 % intervals (one trace group per series and step, chosen
    with a selector when there are several), the forecasters and baselines, the backtest."""
    blocks: list[Any] = []
    groups = _forecast_rows(run.path / "forecasts.csv")
    if groups:
        blocks.append(_forecast_chart(groups))
    if run.metrics:
        blocks.append(_forecasters_table(run.metrics))
    backtest = run.path / "backtest.csv"
    if backtest.is_file():
        with open(backtest, encoding="utf-8", newline="") as fh:
            table = list(csv.reader(fh))
        blocks.append(Table(table[0], table[1:], "Rolling-origin backtest"))
    return Section("Forecasts", blocks) if blocks else None


def _forecasters_table(metrics: dict[str, Any]) -> Table:
    """``metrics.json`` of a forecast run: ``{forecaster: {part: {metric: value}}}``."""
    rows, names = [], []
    for forecaster, parts in metrics.items():
        for part, values in (parts or {}).items():
            if isinstance(values, dict):
                names = names or list(values)
                rows.append([forecaster, part, *(values.get(m) for m in names)])
    caption = "The first forecaster is this run's network; the others are its baselines."
    return Table(["forecaster", "part", *names], rows, caption)


def _forecast_rows(path: Path) -> dict[str, list[dict[str, str]]]:
    """``forecasts.csv`` rows grouped by (series, step)."""
    if not path.is_file():
        return {}
    groups: dict[str, list[dict[str, str]]] = defaultdict(list)
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            series = row.get("series") or "series"
            groups[f"{series}, {row.get('step', '1')}-step ahead"].append(row)
    return dict(groups)


def _forecast_chart(groups: dict[str, list[dict[str, str]]]) -> Chart:
    """Each group: actual, forecast per part, and ``forecast +- 1.96 sigma``, sigma the
    residual standard deviation on the training part (an interval the model does not give
    itself, so it is computed here and labelled as such)."""
    data: list[dict[str, Any]] = []
    buttons = []
    for g, (name, rows) in enumerate(groups.items()):
        first = len(data)
        data += _group_traces(rows, visible=g == 0)
        buttons.append((name, first, len(data)))
    layout = base_layout("Actual vs forecast (band: 95 % from training residuals)", "time", "")
    layout["height"] = 380
    if len(buttons) > 1:
        layout["updatemenus"] = [
            {
                "buttons": [
                    {
                        "label": name,
                        "method": "update",
                        "args": [{"visible": [a <= i < b for i in range(len(data))]}],
                    }
                    for name, a, b in buttons
                ],
                "x": 1.0,
                "y": 1.18,
                "xanchor": "right",
            }
        ]
    return Chart({"data": data, "layout": layout})


def _group_traces(rows: list[dict[str, str]], visible: bool) -> list[dict[str, Any]]:
    x = [r["date"] or r["time"] for r in rows]
    actual = np.array([float(r["actual"]) for r in rows])
    forecast = np.array([float(r["forecast"]) for r in rows])
    part = np.array([r["part"] for r in rows])
    train = part == "train"
    sigma = float(np.std(actual[train] - forecast[train])) if train.any() else 0.0
    traces: list[dict[str, Any]] = [
        {"x": x, "y": actual.tolist(), "name": "actual", "line": {"color": "black"}}
    ]
    for name, color in (("train", "#1f77b4"), ("test", "#d62728")):
        m = part == name
        if not m.any():
            continue
        xs = [x[i] for i in np.flatnonzero(m)]
        band = {"x": xs + xs[::-1], "fill": "toself", "line": {"width": 0}, "opacity": 0.2}
        band["y"] = (forecast[m] + Z95 * sigma).tolist() + (forecast[m] - Z95 * sigma)[
            ::-1
        ].tolist()
        traces.append({**band, "name": f"{name} 95 %", "fillcolor": color, "hoverinfo": "skip"})
        traces.append({"x": xs, "y": forecast[m].tolist(), "name": f"{name} forecast"})
        traces[-1]["line"] = {"color": color}
    return [{"type": "scatter", "mode": "lines", "visible": visible, **t} for t in traces]


# -- classification --------------------------------------------------------------------------


def classify_section(run: Run) -> Section | None:
    """Confusion matrix and per-class P/R/F1 from ``metrics.json``; the most confident
    mistakes, predicted at report time on the validation texts of ``config.json``."""
    val = (run.metrics or {}).get("validation")
    blocks: list[Any] = []
    if isinstance(val, dict) and "confusion" in val:
        labels = val.get("labels") or [str(i) for i in range(len(val["confusion"]))]
        blocks.append(_confusion_chart(val["confusion"], labels))
        per = val.get("per_class", {})
        rows = [
            [k, c.get("precision"), c.get("recall"), c.get("f1"), c.get("support")]
            for k, c in per.items()
        ]
        blocks.append(Table(["class", "precision", "recall", "f1", "support"], rows))
    mistakes = _mistakes(run)
    if mistakes is not None:
        blocks.append(mistakes)
    return Section("Classification", blocks) if blocks else None


def _confusion_chart(confusion: list[list[int]], labels: list[str]) -> Chart:
    heat = {
        "type": "heatmap",
        "z": confusion,
        "x": labels,
        "y": labels,
        "colorscale": "Blues",
        "text": confusion,
        "texttemplate": "%{text}",
    }
    layout = base_layout("Confusion matrix", "predicted", "true")
    layout["yaxis"]["autorange"] = "reversed"
    return Chart({"data": [heat], "layout": layout})


def _mistakes(run: Run) -> Table | None:
    """The validation texts the model got wrong with the highest probability."""
    from seqrnn.classify.runs import load_model
    from seqrnn.classify.workflow import config_from_dict, read_data, split_validation

    if not run.config or run.checkpoint is None:
        return None
    try:
        config = config_from_dict(run.config)
        data = read_data(config.data, "train")
        if config.data.val:
            val = read_data(config.data, "val")
        else:
            _, val = split_validation(data, config.data.val_fraction, config.train.seed)
        model = load_model(run.path)
    except (SeqrnnError, OSError) as exc:
        logger.warning("%s: no mistakes table (%s)", run.path, exc)
        return None
    if val is None or not len(val):
        return None
    proba = model.predict_proba(val.texts)  # [N, K]
    best = proba.argmax(1)
    wrong = [i for i in range(len(val)) if model.labels[best[i]] != val.labels[i]]
    wrong.sort(key=lambda i: -proba[i, best[i]])
    rows = [
        [val.labels[i], model.labels[best[i]], float(proba[i, best[i]]), val.texts[i]]
        for i in wrong[:MISTAKES]
    ]
    caption = f"Most confident mistakes ({len(wrong)} of {len(val)} validation texts wrong)"
    return Table(["true", "predicted", "probability", "text"], rows, caption)


# -- text generation -------------------------------------------------------------------------


def text_section(run: Run) -> Section | None:
    """Samples of the saved model at two temperatures (same seed, generated now)."""
    from seqrnn.generation import generate
    from seqrnn.textgen.model import load_text_model

    if run.checkpoint is None:
        return None
    try:
        model = load_text_model(run.path)
    except SeqrnnError as exc:
        logger.warning("%s: no samples (%s)", run.path, exc)
        return None
    prime = model.encode("\n")
    blocks: list[Any] = []
    for t in TEMPERATURES:
        ids = generate(model, prime, SAMPLE_LENGTH, temperature=t, seed=0)[0]
        blocks.append(Text(model.decode(ids), f"temperature {t}, seed 0, {SAMPLE_LENGTH} symbols"))
    return Section("Samples", blocks)
