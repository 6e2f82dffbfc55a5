"""The pieces a report page is made of: sections holding tables, charts, text and the
flagged-sessions widget. Section builders return these; :mod:`seqrnn.report.html` renders
them with one Jinja2 template, so no builder writes HTML."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Table:
    """A plain table; ``rows`` hold cells (numbers are formatted by the template)."""

    columns: list[str]
    rows: list[list[Any]]
    caption: str = ""
    wide: bool = False  # the page's full width (many columns) instead of half of it
    type: str = "table"


@dataclass
class Chart:
    """A Plotly figure as JSON (``{"data": [...], "layout": {...}}``), drawn in the page."""

    spec: dict[str, Any]
    id: str = ""  # set when the page is rendered
    type: str = "chart"


@dataclass
class Text:
    """Preformatted text (generated samples, a model description)."""

    text: str
    caption: str = ""
    type: str = "text"


@dataclass
class Widget:
    """A scripted block (``name`` chooses the script) with its data as JSON."""

    name: str
    data: Any
    id: str = ""
    type: str = "widget"


@dataclass
class Section:
    """A titled part of a run's report; ``collapsed`` ones start folded."""

    title: str
    blocks: list[Table | Chart | Text | Widget] = field(default_factory=list)
    collapsed: bool = False


@dataclass
class RunPage:
    """Everything shown for one run."""

    name: str
    kind: str
    path: str
    sections: list[Section] = field(default_factory=list)


def line_chart(
    title: str, traces: list[dict[str, Any]], xtitle: str = "epoch", ytitle: str = "", **layout
) -> Chart:
    """A Plotly line chart of ``traces`` (each ``{"x", "y", "name", ...}``)."""
    data = [{"type": "scatter", "mode": "lines+markers", **t} for t in traces]
    return Chart({"data": data, "layout": base_layout(title, xtitle, ytitle, **layout)})


def base_layout(title: str, xtitle: str = "", ytitle: str = "", **extra: Any) -> dict[str, Any]:
    """A compact layout that fits a laptop screen, two charts side by side."""
    return {
        "title": {"text": title, "font": {"size": 14}, "x": 0.01, "xanchor": "left"},
        "xaxis": {"title": {"text": xtitle}},
        "yaxis": {"title": {"text": ytitle}},
        "margin": {"l": 60, "r": 20, "t": 40, "b": 45},
        "height": 320,
        "legend": {"orientation": "h", "y": -0.25},
        **extra,
    }


def clean(value: Any) -> Any:
    """JSON-safe numbers: NaN becomes ``None`` (null) and infinities a string."""
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value
