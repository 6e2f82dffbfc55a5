"""Raw log lines -> templates and integer keys (drain3) -> sessions, in the session-per-line format.

::

    081109 203518 143 INFO dfs.DataNode$DataXceiver: Receiving block blk_-1608999687919862906 ...
    `----------------- header -----------------------' `-------------- content ----------------'
        content --drain3--> cluster id (the key) + template "Receiving block blk_<*> src: ..."
        line --session regex (e.g. blk_-?\\d+)--> session "blk_-1608999687919862906"

Keys are drain3 cluster ids. The miner's state can be kept in a file: a later run loads it
first, so the same template keeps the same key across files (and between ``seqrnn parse`` and
``seqrnn detect --follow``). Sessions are grouped by an identifier regex (all identifiers a line
mentions get its key) or by fixed/sliding windows of lines. A line that the header format or
the identifier regex does not match is never dropped silently: it goes to the "unassigned"
report with its line number and the reason.
"""

from __future__ import annotations

import collections
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from seqrnn.anomaly.drain_state import load_state, new_miner, save_state, settings
from seqrnn.errors import ConfigError, InputError
from seqrnn.io.atomic import atomic_write

logger = logging.getLogger(__name__)

#: Loghub's line format of HDFS (the example the help texts give)
HDFS_HEADER = "<Date> <Time> <Pid> <Level> <Component>: <Content>"

#: masks applied in order before clustering: IPv4 addresses and their ports (masked apart,
#: as Loghub writes ``<*>:<*>``), HDFS block ids (keeping ``blk_``), hex and decimal numbers
DEFAULT_MASKS: tuple[str, ...] = (
    r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])",
    r"(?<=<\*>:)\d+(?![\w.])",
    r"(?<=blk_)-?\d+",
    r"(?<![\w])0x[0-9a-fA-F]+(?![\w])",
    r"(?<![\w.<>*-])-?\d+(?![\w.<>*])",
)


@dataclass(frozen=True)
class ParseConfig:
    """How raw lines become keys and sessions."""

    header: str | None = (
        None  # Loghub format, e.g. "<Date> <Time> <Pid> <Level> <Component>: <Content>"
    )
    session_regex: str | None = None  # group lines by identifier (e.g. r"blk_-?\d+")
    window_lines: int | None = None  # else: windows of this many lines...
    step_lines: int | None = None  # ...every this many lines (default: window_lines, no overlap)
    masks: tuple[str, ...] = DEFAULT_MASKS
    similarity: float = 0.5  # drain sim_th (Loghub's HDFS setting)
    depth: int = 4
    state: str | None = None  # JSON drain3 state: loaded when present, written after parsing

    def __post_init__(self) -> None:
        if self.session_regex is not None and self.window_lines is not None:
            raise ConfigError("give a session identifier regex or a window of lines, not both")
        if self.window_lines is not None and self.window_lines <= 0:
            raise ConfigError(f"the window of lines must be positive, got {self.window_lines}")
        if self.step_lines is not None and self.step_lines <= 0:
            raise ConfigError(f"the step in lines must be positive, got {self.step_lines}")
        if self.session_regex is not None:
            _compile(self.session_regex, "session regex")


@dataclass
class ParsedLog:
    """Sessions of keys, their identifiers, the templates and the lines left unassigned."""

    sessions: dict[str, list[int]] = field(default_factory=dict)  # id -> keys, first-seen order
    templates: dict[int, str] = field(default_factory=dict)  # key -> template text
    counts: collections.Counter = field(default_factory=collections.Counter)  # key -> lines
    unassigned: list[tuple[int, str, str]] = field(default_factory=list)  # (line, reason, text)
    line_keys: list[int] = field(default_factory=list)  # key of every parsed line (0: none)


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

    def content(self, line: str) -> str | None:
        """The message part of ``line`` (``None`` when the header format does not match)."""
        if self.header is None:
            return line.strip()
        m = self.header.match(line.rstrip("\r\n"))
        return None if m is None else m.group("Content").strip()

    def key(self, content: str) -> int:
        """The key (cluster id) of a message, learning a new template when needed."""
        return int(self.miner.add_log_message(content)["cluster_id"])

    def identifiers(self, line: str) -> list[str]:
        """Distinct session identifiers ``line`` mentions, in order."""
        return list(dict.fromkeys(self.session.findall(line))) if self.session else []

    def templates(self) -> dict[int, str]:
        return {c.cluster_id: c.get_template() for c in self.miner.drain.clusters}

    def save(self) -> None:
        """Write the miner state (when a state file was given)."""
        if self.config.state is not None:
            save_state(self.config.state, self.miner)


def parse_lines(lines: Iterable[str], config: ParseConfig) -> ParsedLog:
    """Parse all ``lines``; sessions by identifier or by windows of lines (see the module)."""
    if config.session_regex is None and config.window_lines is None:
        raise ConfigError("give a session identifier regex or a window of lines")
    parser = LogParser(config)
    out = ParsedLog()
    for number, line in enumerate(lines, start=1):
        content = parser.content(line)
        if content is None or not content:
            reason = "empty line" if not line.strip() else "does not match the header format"
            out.unassigned.append((number, reason, line.rstrip("\r\n")))
            out.line_keys.append(0)
            continue
        key = parser.key(content)
        out.counts[key] += 1
        out.line_keys.append(key)
        if parser.session is not None:
            ids = parser.identifiers(line)
            if not ids:
                out.unassigned.append((number, "no session identifier", line.rstrip("\r\n")))
            for ident in ids:
                out.sessions.setdefault(ident, []).append(key)
    if config.window_lines is not None:
        out.sessions = dict(line_windows(out.line_keys, config.window_lines, config.step_lines))
    out.templates = parser.templates()
    parser.save()
    return out


def line_windows(
    keys: list[int], window: int, step: int | None = None
) -> Iterator[tuple[str, list[int]]]:
    """Windows of ``window`` lines every ``step`` lines (lines without a key are skipped
    inside a window); named ``lines A-B`` (1-based, inclusive)."""
    step = step or window
    for start in range(0, max(len(keys) - window, 0) + 1, step):
        chunk = [k for k in keys[start : start + window] if k]
        if chunk:
            yield f"lines {start + 1}-{min(start + window, len(keys))}", chunk


def header_regex(header: str) -> re.Pattern[str]:
    """Loghub's log format (``<Date> <Time> <Level> <Component>: <Content>``) as a regex with
    one named group per field; ``<Content>`` takes the rest of the line."""
    fields = re.findall(r"<(\w+)>", header)
    if "Content" not in fields:
        raise ConfigError(f"the header format must contain <Content>, got {header!r}")
    parts = re.split(r"(<\w+>)", header)
    pattern = ""
    for part in parts:
        name = re.fullmatch(r"<(\w+)>", part)
        if name is None:
            pattern += r"\s+".join(re.escape(piece) for piece in re.split(r" +", part))
        elif name.group(1) == "Content":
            pattern += r"(?P<Content>.*)"
        else:
            pattern += rf"(?P<{name.group(1)}>.*?)"
    return re.compile("^" + pattern + "$")


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
    """``sessions.txt`` (keys, one session per line), ``session_ids.txt`` (the identifier of
    each line of sessions.txt), ``templates.csv`` (key, template, lines) and
    ``unassigned.csv`` (line, reason, text), each written atomically."""
    import pandas as pd

    from seqrnn.io.atomic import atomic_write_text, make_dir

    out = make_dir(out_dir)
    names = list(parsed.sessions)
    atomic_write_text(
        out / "sessions.txt",
        "".join(" ".join(map(str, parsed.sessions[n])) + "\n" for n in names),
    )
    atomic_write_text(out / "session_ids.txt", "".join(n + "\n" for n in names))
    keys = sorted(parsed.templates)
    templates = pd.DataFrame(
        {
            "key": keys,
            "template": [parsed.templates[k] for k in keys],
            "lines": [parsed.counts[k] for k in keys],
        }
    )
    unassigned = pd.DataFrame(parsed.unassigned, columns=["line", "reason", "text"])
    atomic_write(out / "templates.csv", lambda tmp: templates.to_csv(tmp, index=False))
    atomic_write(out / "unassigned.csv", lambda tmp: unassigned.to_csv(tmp, index=False))
    return [out / n for n in ("sessions.txt", "session_ids.txt", "templates.csv", "unassigned.csv")]
