"""Sections every run gets (overview, config, metrics, learning curves, model summary) and
the comparison of several runs."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from seqrnn.report.blocks import Chart, Section, Table, base_layout, clean, line_chart
from seqrnn.report.runs import KEY_METRICS, Run, flatten, run_metrics

LN2 = math.log(2)


def overview(run: Run) -> Section:
    """Kind, date, checkpoint, parameter count, best epoch, model description."""
    best = run.best_epoch()
    rows: list[list[Any]] = [
        ["kind", run.kind or "unknown"],
        ["folder", str(run.path)],
        ["created", run.created.strftime("%Y-%m-%d %H:%M") if run.created else ""],
    ]
    if run.checkpoint is not None:
        rows.append(["checkpoint", run.checkpoint.name])
    if run.shapes:
        rows.append(["parameters", f"{run.parameters:,}"])
    if run.history:
        rows.append(["epochs", len(run.history)])
    if best is not None:
        rows.append(["best epoch", int(best.get("epoch", 0))])
        seconds = sum(r.get("time", 0.0) for r in run.history)
        rows.append(["training time (s)", round(seconds, 1)])
    if run.metrics and isinstance(run.metrics.get("model"), str):
        rows.append(["model", run.metrics["model"]])
    return Section("Overview", [Table(["", ""], rows)])


def config_section(run: Run) -> Section | None:
    """The resolved config (``config.json``), flattened."""
    if not run.config:
        return None
    rows = [[k, _cell(v)] for k, v in flatten(run.config).items()]
    return Section("Config", [Table(["key", "value"], rows)], collapsed=True)


def metrics_section(run: Run) -> Section | None:
    """``metrics.json``, flattened (lists, such as confusion matrices, shown elsewhere)."""
    if not run.metrics:
        return None
    flat = flatten(run.metrics)
    rows = [[k, _cell(v)] for k, v in flat.items() if not isinstance(v, list | dict)]
    return Section("Metrics", [Table(["metric", "value"], rows)]) if rows else None


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if len(value) <= 20 else f"[{len(value)} items]"
    return clean(value)


def curves_section(run: Run) -> Section | None:
    """Learning curves: loss (bits per character for text), accuracy, learning rate and
    seconds per epoch, each where the history has it."""
    h = run.history
    if not h:
        return None
    charts = []
    loss_title, scale = ("Bits per character", 1 / LN2) if run.kind == "text" else ("Loss", 1.0)
    for keys, title, ytitle in (
        (("loss", "val_loss"), loss_title, "bits/char" if scale != 1.0 else "loss"),
        (("accuracy", "val_accuracy"), "Accuracy", "accuracy"),
        (("lr",), "Learning rate", "lr"),
    ):
        traces = [_trace(h, k, scale if "loss" in k else 1.0) for k in keys]
        traces = [t for t in traces if t is not None]
        if traces:
            chart = line_chart(title, traces, ytitle=ytitle)
            chart.spec["layout"]["yaxis"]["rangemode"] = "tozero"  # a constant LR stays visible
            charts.append(chart)
    times = _trace(h, "time", 1.0)
    if times is not None:
        bar = {"type": "bar", "x": times["x"], "y": times["y"], "name": "seconds"}
        charts.append(Chart({"data": [bar], "layout": base_layout("Time per epoch", "epoch", "s")}))
    return Section("Learning curves", charts) if charts else None


def _trace(history: list[dict[str, float]], key: str, scale: float) -> dict[str, Any] | None:
    points = [
        (r.get("epoch", i + 1), r[key] * scale)
        for i, r in enumerate(history)
        if key in r and math.isfinite(r[key])
    ]
    if not points:
        return None
    x, y = zip(*points, strict=True)
    return {"x": list(x), "y": list(y), "name": key}


def model_section(run: Run) -> Section | None:
    """Parameter tensors by module: name, shape, count (read from the checkpoint header)."""
    names = [n for n in run.shapes if not n.startswith(("optim.", "rng."))]
    if not names:
        return None
    rows = [[n, " x ".join(map(str, run.shapes[n])), math.prod(run.shapes[n])] for n in names]
    rows.append(["total", "", run.parameters])
    blocks: list[Any] = [Table(["tensor", "shape", "parameters"], rows)]
    model_cfg = (run.meta or {}).get("model_config")
    if isinstance(model_cfg, dict):
        cfg_rows = [[k, _cell(v)] for k, v in flatten(model_cfg).items()]
        blocks.insert(0, Table(["model setting", "value"], cfg_rows))
    return Section("Model summary", blocks, collapsed=True)


# -- several runs ----------------------------------------------------------------------------

MAX_COMPARED_METRICS = 12


def comparison(runs: list[Run]) -> Section:
    """One table of the config keys that differ and the metrics runs share; curves overlaid."""
    configs = [flatten(r.config or {}) for r in runs]
    keys = sorted({k for c in configs for k in c})
    differ = [k for k in keys if len({repr(c.get(k)) for c in configs}) > 1]
    metrics = [run_metrics(r) for r in runs]
    shared = [k for k in metrics[0] if all(k in m for m in metrics[1:])]
    first = [KEY_METRICS[r.kind][0] for r in runs if r.kind in KEY_METRICS]
    shared = sorted(shared, key=lambda k: (k not in first, k))[:MAX_COMPARED_METRICS]
    columns = ["run", "kind", *differ, *shared]
    rows = [
        [r.name, r.kind or "", *(_cell(c.get(k)) for k in differ), *(m[k] for k in shared)]
        for r, c, m in zip(runs, configs, metrics, strict=True)
    ]
    caption = f"{len(differ)} config keys differ; metrics present in every run."
    blocks: list[Any] = [Table(columns, rows, caption, wide=True)]
    blocks += _overlaid(runs)
    return Section("Comparison", blocks)


def _overlaid(runs: list[Run]) -> list[Chart]:
    by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in runs:
        for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
            t = _trace(r.history, key, 1.0)
            if t is not None:
                dash = "dash" if key.startswith("val_") else "solid"
                by_key[key.removeprefix("val_")].append(
                    {**t, "name": f"{r.name} {key}", "line": {"dash": dash}}
                )
    return [line_chart(f"{k.capitalize()}, all runs", v, ytitle=k) for k, v in by_key.items()]
