"""Loghub line formats and the timestamps in their header fields.

A Loghub format names the fields of a line between angle brackets; what lies between them is
a *regex* fragment, as in Loghub's own ``generate_logformat_regex`` (so ``\\[<ADDR>\\]`` is a
bracketed field, and a space stands for any run of whitespace)::

    <Label> <Timestamp> <Date> <Node> <Time> <NodeRepeat> <Type> <Component> <Level> <Content>
    - 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 ... RAS KERNEL INFO ...

Every field matches lazily (``.*?``) and the pattern is anchored at both ends, so
``<Content>``, the last field, takes the rest of the line.

Timestamps come from one or more header fields joined by a space (HDFS: ``Date Time`` ->
``081109 203518``; BGL: ``Timestamp`` -> ``1117838570``) and are read as seconds. The format
is a ``strptime`` pattern, ``unix`` (seconds since 1970), ``iso`` (ISO 8601, with or without a
UTC offset), or found on the first line among ``unix``, :data:`TIME_FORMATS` and ``iso`` and then
kept for every later line, so that one log is never read two ways. Times without an offset are
read as UTC.
"""

from __future__ import annotations

import datetime as dt
import re

from seqrnn.errors import ConfigError, InputError

#: ``strptime`` patterns tried in order when no time format is given (after ``unix``):
#: HDFS, BGL, Spark/Hadoop, ISO 8601 with a space or a "T", and the same with a comma
TIME_FORMATS: tuple[str, ...] = (
    "%y%m%d %H%M%S",
    "%Y-%m-%d-%H.%M.%S.%f",
    "%y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S,%f",
)
UNIX = "unix"
ISO = "iso"
_UNIX = re.compile(r"\d+(\.\d*)?")
_EPOCH = dt.datetime(1970, 1, 1)


def header_regex(header: str) -> re.Pattern[str]:
    """Loghub's log format (``<Date> <Time> <Level> \\[<Component>\\]: <Content>``) as a regex
    with one named group per field, built exactly as Loghub builds it."""
    parts = re.split(r"(<[^<>]+>)", header)
    fields = [p[1:-1] for p in parts[1::2]]
    if "Content" not in fields:
        raise ConfigError(f"the header format must contain <Content>, got {header!r}")
    pattern = ""
    for i, part in enumerate(parts):
        pattern += re.sub(" +", r"\\s+", part) if i % 2 == 0 else f"(?P<{part[1:-1]}>.*?)"
    try:
        return re.compile("^" + pattern + "$")
    except re.error as exc:
        raise ConfigError(
            f"the header format {header!r} is not a valid Loghub format ({exc}); what lies "
            r"between fields is a regex, so a literal [ or ( is written \[ or \("
        ) from None


def header_fields(header: str) -> list[str]:
    """The field names of a Loghub format, in order."""
    return re.findall(r"<([^<>]+)>", header)


def default_time_fields(header: str) -> tuple[str, ...]:
    """``Timestamp`` when the format has it, else its ``Month``/``Day``/``Date``/``Time``
    fields in their order; empty when it has none of them."""
    fields = header_fields(header)
    if "Timestamp" in fields:
        return ("Timestamp",)
    return tuple(f for f in fields if f in ("Month", "Day", "Date", "Time"))


def to_seconds(text: str, fmt: str) -> float:
    """Seconds since 1970 (naive times are read as UTC) of ``text`` in ``fmt``; raises
    ``ValueError`` when it does not fit."""
    if fmt == UNIX:
        if not _UNIX.fullmatch(text):
            raise ValueError(text)
        return float(text)
    when = dt.datetime.fromisoformat(text) if fmt == ISO else dt.datetime.strptime(text, fmt)
    if when.tzinfo is not None:
        return when.timestamp()
    return (when - _EPOCH).total_seconds()


def guess_time_format(text: str) -> str | None:
    """The first of ``unix``, :data:`TIME_FORMATS` and ``iso`` that reads ``text``, or
    ``None``."""
    for fmt in (UNIX, *TIME_FORMATS, ISO):
        try:
            to_seconds(text, fmt)
        except ValueError:
            continue
        return fmt
    return None


def iso(seconds: float) -> str:
    """``2008-11-09T20:35:18`` (UTC, fractions of a second only when there are some)."""
    return (_EPOCH + dt.timedelta(seconds=seconds)).isoformat()


class LineClock:
    """Reads the time of a matched line from its header fields, in one format for the whole
    log (the given one, or the one the first line fits)."""

    def __init__(self, fields: tuple[str, ...], fmt: str | None = None):
        self.fields = fields
        self.format = fmt
        self._last: tuple[str, float] = ("", 0.0)  # neighbouring lines share their time

    def seconds(self, match: re.Match[str], source: str, line: int) -> float:
        """Seconds since 1970 of the line ``match`` matched (``source:line``, for errors)."""
        text = " ".join(field_value(match, f, "timestamp", source, line) for f in self.fields)
        if text == self._last[0]:
            return self._last[1]
        if self.format is None:
            self.format = guess_time_format(text)
            if self.format is None:
                raise InputError(
                    f"unparseable timestamp {text!r} (fields {' '.join(self.fields)}): none of "
                    f"unix, {', '.join(TIME_FORMATS)}, iso reads it; give the time format",
                    source,
                    line,
                )
        try:
            value = to_seconds(text, self.format)
        except ValueError:
            raise InputError(
                f"unparseable timestamp {text!r} (fields {' '.join(self.fields)}, "
                f"format {self.format})",
                source,
                line,
            ) from None
        self._last = (text, value)
        return value


def field_value(match: re.Match[str], field: str, what: str, source: str, line: int) -> str:
    """The stripped text of header ``field`` in ``match``; a field the line left out (an
    optional part of the format) or left empty is an error naming ``source:line``."""
    value = match.group(field)
    if value is None or not value.strip():
        raise InputError(f"the {what} field <{field}> is missing", source, line)
    return value.strip()


def line_label(match: re.Match[str], field: str, normal: str, source: str, line: int) -> int:
    """0 when the line's ``field`` reads ``normal`` (BGL: ``-``), else 1 (anomalous)."""
    return int(field_value(match, field, "label", source, line) != normal)
