"""One HTML report for one or more runs: pick each run's sections by its ``kind``, render
them with :mod:`seqrnn.report.html`, write the file atomically."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from seqrnn.io.atomic import atomic_write_text
from seqrnn.report import common, tasks
from seqrnn.report.blocks import RunPage, Section
from seqrnn.report.detect import detect_section
from seqrnn.report.runs import DETECT_KIND, Run, read_run

logger = logging.getLogger(__name__)

SectionFn = Callable[[Run], Section | None]

#: the task sections by run kind (next-symbol runs get the detection part when they have one)
TASK_SECTIONS: dict[str, SectionFn] = {
    "forecast": tasks.forecast_section,
    "text_classifier": tasks.classify_section,
    "text_classifier_bow": tasks.classify_section,
    "text": tasks.text_section,
}

#: kinds whose task section already shows every figure of metrics.json
OWN_METRICS = frozenset({"forecast"})

COMMON_SECTIONS: tuple[SectionFn, ...] = (
    common.overview,
    common.metrics_section,
    common.curves_section,
    common.config_section,
    common.model_section,
)


def run_page(run: Run) -> RunPage:
    """The sections of one run that its files allow."""
    fns: list[SectionFn] = [common.overview]
    if run.kind != DETECT_KIND:
        fns = list(COMMON_SECTIONS)
        if run.kind in TASK_SECTIONS:
            fns.insert(2, TASK_SECTIONS[run.kind])
        if run.kind in OWN_METRICS:
            fns.remove(common.metrics_section)
    sections = [s for fn in fns if (s := fn(run)) is not None]
    if run.detect is not None:
        found = detect_section(run.detect)
        if found is not None:
            sections.insert(1, found)
    return RunPage(run.name, run.kind or "unknown", str(run.path), sections)


def build_report(paths: Sequence[str | Path], detect: str | Path | None = None) -> str:
    """The HTML text of the report of the runs in ``paths``; ``detect`` names a
    ``seqrnn detect --out`` folder for the first run (else one found inside it is used)."""
    from seqrnn.report.html import render

    began = time.perf_counter()
    runs = [read_run(p) for p in paths]
    if detect is not None:
        runs[0].detect = Path(detect)
    pages = [run_page(r) for r in runs]
    comparison = common.comparison(runs) if len(runs) > 1 else None
    html = render(pages, comparison)
    logger.info("report of %d run(s) built in %.2f s", len(runs), time.perf_counter() - began)
    return html


def write_report(
    paths: Sequence[str | Path], out: str | Path, detect: str | Path | None = None
) -> Path:
    """Build the report and write it to ``out`` (atomically: an old report stays whole until
    the new one is complete)."""
    out = Path(out)
    atomic_write_text(out, build_report(paths, detect))
    return out
