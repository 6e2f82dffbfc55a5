"""Render report pages to one self-contained HTML file: the template (Jinja2), the style,
the page script and plotly.js are all inlined, so the file opens offline and can be mailed.

Jinja2 and Plotly come with the optional extra ``report`` and are imported here only.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from importlib import resources
from typing import Any

from seqrnn import __version__
from seqrnn.errors import ConfigError
from seqrnn.report.blocks import RunPage, Section

TEMPLATES = "seqrnn.report.templates"


def _require() -> tuple[Any, Any]:
    try:
        import jinja2
        import plotly.offline
    except ImportError as exc:
        raise ConfigError(
            f"reports need the optional extra 'report' ({exc.name} is missing): "
            "pip install 'seqrnn[report]'"
        ) from None
    return jinja2, plotly.offline


@functools.cache
def _asset(name: str) -> str:
    return resources.files(TEMPLATES).joinpath(name).read_text(encoding="utf-8")


def script_json(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">`` (no ``</script>``)."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False, default=_default)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _default(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    return str(value)


def fmt(value: Any) -> str:
    """A table cell: floats to 4 significant digits, integers with thousands separators."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:,.0f}" if abs(value) >= 1e5 else f"{value:.4g}"
    return str(value)


def _number_ids(pages: list[RunPage], comparison: Section | None) -> None:
    n = 0
    sections = [s for p in pages for s in p.sections] + ([comparison] if comparison else [])
    for section in sections:
        for block in section.blocks:
            if block.type in ("chart", "widget"):
                block.id = f"b{n}"
                n += 1


def render(pages: list[RunPage], comparison: Section | None = None) -> str:
    """The whole HTML document."""
    jinja2, offline = _require()
    _number_ids(pages, comparison)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["fmt"] = fmt
    env.filters["script_json"] = script_json
    template = env.from_string(_asset("report.html.j2"))
    title = ", ".join(p.name for p in pages)
    return template.render(
        title=f"seqrnn report: {title}",
        pages=pages,
        comparison=comparison,
        generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        version=__version__,
        style=_asset("report.css"),
        script=_asset("report.js"),
        plotly=offline.get_plotlyjs(),
    )
