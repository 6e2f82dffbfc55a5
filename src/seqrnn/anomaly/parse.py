"""Raw log lines -> templates and integer keys (drain3) -> sessions, in the session-per-line format.

::

    081109 203518 143 INFO dfs.DataNode$DataXceiver: Receiving block blk_-1608999687919862906 ...
    `----------------- header -----------------------' `-------------- content ----------------'
        content --drain3--> cluster id (the key) + template "Receiving block blk_<*> src: ..."
        line --session regex (e.g. blk_-?\\d+)--> session "blk_-1608999687919862906"

Keys are drain3 cluster ids. The miner's state can be kept in a file: a later run loads it
first, so the same template keeps the same key across files (and between ``seqrnn parse`` and
``seqrnn detect --follow``). Sessions are grouped by an identifier regex (all identifiers a line
mentions get its key) or, for logs without one, by fixed/sliding windows of lines or of seconds
(the time read from header fields, see :mod:`~seqrnn.anomaly.log_windows`). A header field can
carry a per-line label (Loghub BGL's first field, ``-`` on normal lines); a session is then
anomalous when one of its lines is. A line that the header format or the identifier regex does
not match is never dropped silently: it goes to the "unassigned" report with its file, line
and the reason. Masks (:data:`MASKS`, or regexes of one's own) replace variable parts by
``<*>`` before clustering; the masks used are written with the parse and in the drain3 state.
"""

from __future__ import annotations

import collections
import json
import logging
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from seqrnn.anomaly.drain_state import load_state, new_miner, save_state, settings
from seqrnn.anomaly.log_windows import line_windows, time_windows, window_sessions
from seqrnn.anomaly.logformat import (
    LineClock,
    default_time_fields,
    header_fields,
    header_regex,
    line_label,
)
from seqrnn.errors import ConfigError, InputError
from seqrnn.io.atomic import atomic_write

logger = logging.getLogger(__name__)

#: Loghub's line format of HDFS (the example the help texts give)
HDFS_HEADER = "<Date> <Time> <Pid> <Level> <Component>: <Content>"

#: drain3 masks by name, applied in the order given before clustering (each becomes ``<*>``):
#: IPv4 addresses and their ports (masked apart, as Loghub writes ``<*>:<*>``), HDFS block ids
#: (keeping ``blk_``), hex numbers (``0x1f``), decimal numbers
MASKS: dict[str, tuple[str, ...]] = {
    "ip": (r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])", r"(?<=<\*>:)\d+(?![\w.])"),
    "blk": (r"(?<=blk_)-?\d+",),
    "hex": (r"(?<![\w])0x[0-9a-fA-F]+(?![\w])",),
    "num": (r"(?<![\w.<>*-])-?\d+(?![\w.<>*])",),
}
DEFAULT_MASK_NAMES: tuple[str, ...] = ("ip", "blk", "hex", "num")


def masks_for(names: Iterable[str], regexes: Iterable[str] = ()) -> tuple[str, ...]:
    """The mask regexes of the named masks (:data:`MASKS`), then ``regexes``, in order."""
    out: list[str] = []
    for name in names:
        if name not in MASKS:
            raise ConfigError(f"unknown mask {name!r}; known masks: {', '.join(MASKS)}")
        out += MASKS[name]
    for regex in regexes:
        _compile(regex, "mask")
        out.append(regex)
    return tuple(out)


DEFAULT_MASKS: tuple[str, ...] = masks_for(DEFAULT_MASK_NAMES)


@dataclass(frozen=True)
class ParseConfig:
    """How raw lines become keys and sessions (one grouping: identifier, lines or seconds)."""

    header: str | None = None  # Loghub format, e.g. HDFS_HEADER; None: the whole line
    session_regex: str | None = None  # group lines by identifier (e.g. r"blk_-?\d+")
    window_lines: int | None = None  # else: windows of this many lines...
    step_lines: int | None = None  # ...every this many lines (default: window_lines, no overlap)
    masks: tuple[str, ...] = DEFAULT_MASKS
    similarity: float = 0.5  # drain sim_th (Loghub's HDFS setting)
    depth: int = 4
    state: str | None = None  # JSON drain3 state: loaded when present, written after parsing
    window_seconds: float | None = None  # else: windows of this many seconds...
    step_seconds: float | None = None  # ...every this many seconds (default: no overlap)
    time_fields: tuple[str, ...] | None = None  # header fields of the time (default: guessed)
    time_format: str | None = None  # strptime pattern or "unix" (default: guessed)
    label_field: str | None = None  # header field with a per-line label (BGL: Label)...
    normal_label: str = "-"  # ...which reads this on normal lines

    def __post_init__(self) -> None:
        groupings = [self.session_regex, self.window_lines, self.window_seconds]
        if sum(g is not None for g in groupings) > 1:
            raise ConfigError(GROUPINGS + ", not two of them")
        for name in ("window_lines", "step_lines", "window_seconds", "step_seconds"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value > 0):
                raise ConfigError(f"{name} must be positive, got {value}")
        if self.session_regex is not None:
            _compile(self.session_regex, "session regex")
        fields = [] if self.header is None else header_fields(self.header)
        if self.header is not None:
            header_regex(self.header)
        if self.window_seconds is not None and not self.clock_fields:
            raise ConfigError(
                "a window of seconds reads the time from header fields: give a header "
                "format with <Timestamp> or <Date>/<Time> fields, or name the time fields"
            )
        if self.step_seconds is not None and self.window_seconds is None:
            raise ConfigError("a step in seconds needs a window of seconds")
        for f in [*(self.time_fields or ()), *([self.label_field] if self.label_field else [])]:
            if f not in fields:
                raise ConfigError(f"no field <{f}> in the header format {self.header!r}")

    @property
    def clock_fields(self) -> tuple[str, ...]:
        """The header fields the time of a line is read from."""
        if self.time_fields is not None or self.header is None:
            return tuple(self.time_fields or ())
        return default_time_fields(self.header)


GROUPINGS = "give a session identifier regex, a window of lines or a window of seconds"


@dataclass
class ParsedLog:
    """Sessions of keys, their identifiers, the templates and the lines left unassigned."""

    sessions: dict[str, list[int]] = field(default_factory=dict)  # id -> keys, first-seen order
    templates: dict[int, str] = field(default_factory=dict)  # key -> template text
    counts: collections.Counter = field(default_factory=collections.Counter)  # key -> lines
    # (file, line, reason, text) of every line that is in no session
    unassigned: list[tuple[str, int, str, str]] = field(default_factory=list)
    line_keys: list[int] = field(default_factory=list)  # key of every parsed line (0: none)
    line_labels: list[int] = field(default_factory=list)  # 0/1 per line (with a label field)
    labels: dict[str, int] | None = None  # id -> 1 when one of its lines is anomalous
    config: ParseConfig | None = None  # the settings used (a state file's drain settings win)


class LogParser:
    """One drain3 miner plus the header and session rules; feed it lines in order."""

    def __init__(self, config: ParseConfig):
        self.config = config
        self.header = None if config.header is None else header_regex(config.header)
        self.session = (
            None
            if config.session_regex is None
            else _compile(config.session_regex, "session regex")
        )
        self.miner = new_miner(config.similarity, config.depth, config.masks)
        if config.state is not None and Path(config.state).exists():
            wanted = settings(self.miner)
            self.miner = load_state(config.state)  # its settings made its keys: they win
            if settings(self.miner) != wanted:
                logger.warning(
                    "%s: using the drain settings and masks it was built with", config.state
                )

    def match(self, line: str) -> re.Match[str] | None:
        """The header fields of ``line`` (``None`` when the format does not match)."""
        return None if self.header is None else self.header.match(line.strip())

    def content(self, line: str) -> str | None:
        """The message part of ``line`` (``None`` when the header format does not match)."""
        if self.header is None:
            return line.strip()
        m = self.match(line)
        return None if m is None else m.group("Content").strip()

    def key(self, content: str) -> int:
        """The key (cluster id) of a message, learning a new template when needed."""
        return int(self.miner.add_log_message(content)["cluster_id"])

    def identifiers(self, line: str) -> list[str]:
        """Distinct session identifiers ``line`` mentions, in order."""
        return list(dict.fromkeys(self.session.findall(line))) if self.session else []

    def templates(self) -> dict[int, str]:
        return {c.cluster_id: c.get_template() for c in self.miner.drain.clusters}

    def used_config(self) -> ParseConfig:
        """The config with the drain settings and masks the miner really uses."""
        s = settings(self.miner)
        return replace(
            self.config,
            masks=tuple(s["masks"]),
            similarity=s["drain"]["similarity"],
            depth=s["drain"]["depth"],
        )

    def save(self) -> None:
        """Write the miner state (when a state file was given)."""
        if self.config.state is not None:
            save_state(self.config.state, self.miner)


def parse_lines(lines: Iterable[str], config: ParseConfig, source: str = "<lines>") -> ParsedLog:
    """Parse all ``lines`` (errors name them ``source:LINE``); sessions by identifier or by
    windows of lines or of seconds (see the module)."""
    return _parse(((source, n, line) for n, line in enumerate(lines, start=1)), config)


def parse_files(paths: Iterable[str | Path], config: ParseConfig) -> ParsedLog:
    """Parse the lines of every file in order, as one log (windows may span two files)."""

    def numbered() -> Iterator[tuple[str, int, str]]:
        for path in paths:
            with open(path, encoding="utf-8", errors="replace", newline="") as fh:
                for n, line in enumerate(fh, start=1):
                    yield str(path), n, line.rstrip("\r\n")

    return _parse(numbered(), config)


def _parse(numbered: Iterable[tuple[str, int, str]], config: ParseConfig) -> ParsedLog:
    if (config.session_regex, config.window_lines, config.window_seconds) == (None, None, None):
        raise ConfigError(GROUPINGS)
    parser = LogParser(config)
    clock = LineClock(config.clock_fields, config.time_format) if config.window_seconds else None
    out = ParsedLog(labels={} if config.label_field else None)
    times: list[tuple[int, float]] = []  # (line index, seconds) of every keyed line
    for source, number, line in numbered:
        out.line_keys.append(0)
        out.line_labels.append(0)
        match = parser.match(line)
        content = parser.content(line) if match is None else match.group("Content").strip()
        if not content:
            reason = "empty line" if not line.strip() else "does not match the header format"
            out.unassigned.append((source, number, reason, line))
            continue
        if config.label_field:
            label = line_label(match, config.label_field, config.normal_label, source, number)
            out.line_labels[-1] = label
        if clock is not None:
            times.append((len(out.line_keys) - 1, clock.seconds(match, source, number)))
        out.line_keys[-1] = key = parser.key(content)
        out.counts[key] += 1
        if parser.session is not None:
            _by_identifier(out, parser.identifiers(line), key, (source, number, line))
    _windows(out, config, times)
    out.templates = parser.templates()
    out.config = parser.used_config()
    if clock is not None:  # record the time format the first line chose
        out.config = replace(out.config, time_fields=clock.fields, time_format=clock.format)
    parser.save()
    return out


def _by_identifier(out: ParsedLog, ids: list[str], key: int, where: tuple[str, int, str]) -> None:
    """Add the line's key to the session of every identifier it mentions (and its label)."""
    if not ids:
        out.unassigned.append((where[0], where[1], "no session identifier", where[2]))
    for ident in ids:
        out.sessions.setdefault(ident, []).append(key)
        if out.labels is not None:
            out.labels[ident] = max(out.labels.get(ident, 0), out.line_labels[-1])


def _windows(out: ParsedLog, config: ParseConfig, times: list[tuple[int, float]]) -> None:
    """Sessions (and labels) by windows of lines or seconds, when the config asks for them."""
    if config.window_lines is not None:
        windows = line_windows(len(out.line_keys), config.window_lines, config.step_lines)
    elif config.window_seconds is not None:
        windows = time_windows(times, config.window_seconds, config.step_seconds)
    else:
        return
    out.sessions, labels = window_sessions(windows, out.line_keys, out.line_labels)
    if out.labels is not None:
        out.labels = labels


def _compile(pattern: str, what: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"the {what} {pattern!r} is not a valid regex ({exc})") from None


def default_state(out_dir: str | Path) -> str:
    """``OUT/drain3_state.json``; refuses a folder that still holds the old jsonpickle state
    (``drain3_state.bin``), since parsing on without it would renumber every key."""
    legacy = Path(out_dir) / "drain3_state.bin"
    if legacy.exists():
        raise InputError(
            "an old drain3 state (jsonpickle, which can run code) that this seqrnn no longer "
            "reads; parse the logs again into a new folder",
            legacy,
        )
    return str(Path(out_dir) / "drain3_state.json")


def write_parsed(out_dir: str | Path, parsed: ParsedLog) -> list[Path]:
    """Write the parse, each file atomically: ``sessions.txt`` (keys, one session per line),
    ``session_ids.txt`` (the identifier of each line of sessions.txt), ``labels.txt`` (0/1 per
    session, with a label field: what ``seqrnn detect --labels`` reads), ``templates.csv``
    (key, template, lines), ``unassigned.csv`` (file, line, reason, text) and
    ``parse_config.json`` (the settings used, masks included)."""
    import pandas as pd

    from seqrnn.io.atomic import atomic_write_text, make_dir

    out = make_dir(out_dir)
    names = list(parsed.sessions)
    texts = {
        "sessions.txt": "".join(" ".join(map(str, parsed.sessions[n])) + "\n" for n in names),
        "session_ids.txt": "".join(n + "\n" for n in names),
    }
    if parsed.labels is not None:
        texts["labels.txt"] = "".join(f"{parsed.labels[n]}\n" for n in names)
    if parsed.config is not None:
        texts["parse_config.json"] = json.dumps(asdict(parsed.config), indent=2) + "\n"
    for name, text in texts.items():
        atomic_write_text(out / name, text)
    keys = sorted(parsed.templates)
    templates = pd.DataFrame(
        {
            "key": keys,
            "template": [parsed.templates[k] for k in keys],
            "lines": [parsed.counts[k] for k in keys],
        }
    )
    unassigned = pd.DataFrame(parsed.unassigned, columns=["file", "line", "reason", "text"])
    atomic_write(out / "templates.csv", lambda tmp: templates.to_csv(tmp, index=False))
    atomic_write(out / "unassigned.csv", lambda tmp: unassigned.to_csv(tmp, index=False))
    return [out / n for n in [*texts, "templates.csv", "unassigned.csv"]]
