"""The HTML report of a detector with the whole HDFS test (``seqrnn detect --out``): build
time and size, against reading the detect folder the plain way in the same run.

Baseline: parse every line of ``explanations.jsonl`` and ``verdicts.csv`` (what any report
must at least read) with ``json``/``csv``. The report compares explanation lines as text and
parses each distinct one once, keeps flagged sessions in full and summarises normal ones.

    OMP_NUM_THREADS=1 python bench/report_hdfs.py runs/hdfs [--detect runs/hdfs/detect]

Targets: build < 10 s, file < 20 MB.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

from seqrnn.report.build import build_report
from seqrnn.report.runs import read_run


def plain_read(folder: Path) -> int:
    """The baseline: every verdict and explanation line parsed."""
    with open(folder / "verdicts.csv", encoding="utf-8", newline="") as fh:
        n = sum(1 for _ in csv.DictReader(fh))
    with open(folder / "explanations.jsonl", encoding="utf-8") as fh:
        n += sum(1 for line in fh if json.loads(line))
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run")
    parser.add_argument("--detect", default=None)
    args = parser.parse_args()
    folder = Path(args.detect) if args.detect else read_run(args.run).detect
    if folder is None:
        parser.error(f"{args.run}: no detect folder inside; give --detect")
    began = time.perf_counter()
    lines = plain_read(folder)
    plain = time.perf_counter() - began
    began = time.perf_counter()
    html = build_report([args.run], detect=folder)
    build = time.perf_counter() - began
    size = len(html.encode("utf-8")) / 1e6
    inputs = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    print(f"detect folder {folder}: {inputs:.1f} MB, {lines:,} lines")
    print(f"plain read (json + csv, every line): {plain:.2f} s")
    print(
        f"report built: {build:.2f} s (ratio to the plain read {build / plain:.2f}), {size:.1f} MB"
    )
    print(f"targets: build < 10 s: {build < 10}; size < 20 MB: {size < 20}")


if __name__ == "__main__":
    main()
