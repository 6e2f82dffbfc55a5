"""Grouping accuracy of ``seqrnn parse`` on Loghub's HDFS 2k sample, against drain3 as shipped.

    python bench/parse_grouping.py [--data ../shared/data/loghub_hdfs_2k]

Loghub's metric (``seqrnn.anomaly.grouping``): a line is correct when the lines sharing its
key are exactly the lines sharing its ground-truth EventId (``HDFS_2k.log_structured.csv``).
Three parsers on the same 2,000 lines, in the same run:

* ``seqrnn parse`` itself, in a child process, with its default settings (HDFS header
  format, masks ip, blk, hex, num, similarity 0.5, depth 4) and windows of one line, so that
  ``sessions.txt`` lists the key of every line (its time includes starting Python);
* drain3 as shipped: ``TemplateMiner()`` with its own defaults (similarity 0.4, depth 4, no
  masks) on the same content field;
* drain3 with Loghub's HDFS settings for Drain (similarity 0.5, depth 4, its two
  pre-processing regexes ``blk_-?\\d+`` and ``(\\d+\\.){3}\\d+(:\\d+)?`` as masks).

Prints each accuracy, the number of keys, the time taken, and the ratio of seqrnn's accuracy
to drain3-as-shipped's. Loghub's own Drain reaches 0.998 here (Zhu et al., ICSE-SEIP 2019).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from drain3 import TemplateMiner
from drain3.masking import MaskingInstruction
from drain3.template_miner_config import TemplateMinerConfig

from seqrnn.anomaly.grouping import grouping_accuracy
from seqrnn.anomaly.logformat import header_regex
from seqrnn.anomaly.parse import HDFS_HEADER

REPO = Path(__file__).resolve().parents[1]
LOGHUB_MASKS = (r"blk_-?\d+", r"(\d+\.){3}\d+(:\d+)?")


def drain3_keys(contents: list[str], config: TemplateMinerConfig) -> tuple[list[int], dict]:
    """Cluster ids of drain3 (no persistence) over the content fields, in order, and the
    template of each."""
    miner = TemplateMiner(None, config)
    keys = [int(miner.add_log_message(c)["cluster_id"]) for c in contents]
    return keys, {c.cluster_id: c.get_template() for c in miner.drain.clusters}


def same_templates(keys: list[int], templates: dict, truth: pd.DataFrame) -> int:
    """Loghub events whose lines all got one key whose template is Loghub's, word for word."""
    frame = pd.DataFrame({"key": keys, "event": truth.EventId, "text": truth.EventTemplate})
    same = 0
    for _, lines in frame.groupby("event"):
        found = lines.key.unique()
        same += len(found) == 1 and templates[found[0]].split() == lines.text.iloc[0].split()
    return same


def seqrnn_keys(log: Path) -> tuple[list[int], dict]:
    """``seqrnn parse --header HDFS_HEADER --window-lines 1`` (its default masks and drain3
    settings) in a child process: with windows of one line, ``sessions.txt`` holds the key of
    every line, in order; the templates come from ``templates.csv``."""
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "seqrnn", "parse", str(log), "--out", out]
        subprocess.run(
            [*command, "--header", HDFS_HEADER, "--window-lines", "1"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        keys = [int(line) for line in (Path(out) / "sessions.txt").read_text().split("\n")[:-1]]
        table = pd.read_csv(Path(out) / "templates.csv")
    return keys, dict(zip(table.key, table.template, strict=True))


def loghub_config() -> TemplateMinerConfig:
    config = TemplateMinerConfig()
    config.drain_sim_th, config.drain_depth = 0.5, 4
    config.masking_instructions = [MaskingInstruction(m, "*") for m in LOGHUB_MASKS]
    return config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "loghub_hdfs_2k"))
    args = parser.parse_args()
    folder = Path(args.data)
    structured = pd.read_csv(folder / "HDFS_2k.log_structured.csv")
    truth = structured.EventId.tolist()
    log = folder / "HDFS_2k.log"
    regex = header_regex(HDFS_HEADER)
    with open(log, encoding="utf-8", newline="") as fh:
        contents = [regex.match(line.strip())["Content"].strip() for line in fh]
    print(f"{log.name}: {len(truth):,} lines, {len(set(truth))} Loghub events")
    runs = {
        "seqrnn parse": lambda: seqrnn_keys(log),
        "drain3 as shipped": lambda: drain3_keys(contents, TemplateMinerConfig()),
        "drain3, Loghub's HDFS settings": lambda: drain3_keys(contents, loghub_config()),
    }
    accuracy = {}
    for name, run in runs.items():
        began = time.perf_counter()
        keys, templates = run()
        seconds = time.perf_counter() - began
        accuracy[name] = grouping_accuracy(keys, truth)
        same = same_templates(keys, templates, structured)
        print(
            f"{name:<31} grouping accuracy {accuracy[name]:.4f}  {len(set(keys)):>2} keys  "
            f"{same:>2} of {len(set(truth))} templates as Loghub's  {seconds:.2f} s"
        )
    ratio = accuracy["seqrnn parse"] / accuracy["drain3 as shipped"]
    print(f"seqrnn parse / drain3 as shipped: {ratio:.3f}x (Loghub's Drain, published: 0.998)")


if __name__ == "__main__":
    main()
