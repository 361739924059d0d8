"""When a submission was made, from the most trusted source there is, and times written with their zone.

Trust, highest first: a timestamps CSV exported from the learning platform (`--timestamps`), nbgrader's
`timestamp.txt` in a submission folder (written by nbgrader's exchange), and last the times inside a zip, which come
from the student's own machine (`touch -d` changes them): they are read in a stated zone (`--timezone`, by default the
due date's) and the row says where the time came from.

The gradebook stores naive UTC (nbgrader's convention); every export writes ISO 8601 with the offset.
"""

from __future__ import annotations

import contextvars
import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Written next to timestamp.txt in the course's submitted/ folder: where that time came from.
SOURCE_FILE = "timestamp_source.txt"
FROM_PLATFORM = "the learning platform's timestamps CSV"
FROM_EXCHANGE = "nbgrader's timestamp.txt"
STUDENT_MACHINE = "time from the student's machine"


class TimesError(ValueError):
    """A zone or timestamps file the grader cannot use; the message says what to do."""


def parse_zone(text: str) -> tzinfo:
    """An IANA zone name (Europe/Paris), UTC, or a fixed offset (+01:00)."""
    if text.strip().upper() in ("UTC", "Z", "GMT"):
        return UTC
    m = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})", text.strip())
    if m:
        sign = 1 if m.group(1) == "+" else -1
        return timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3))))
    try:
        return ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise TimesError(f"--timezone {text!r} is not a time zone; write an IANA name like Europe/Paris, UTC, or an "
                         "offset like +01:00") from None


def zone_name(zone: tzinfo) -> str:
    """What parse_zone reads back."""
    if isinstance(zone, ZoneInfo):
        return zone.key
    offset = zone.utcoffset(None) or timedelta(0)
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_of_due(text: str | None) -> tzinfo | None:
    """The zone a due date was written in (its offset), or None when it has none."""
    if not text:
        return None
    from dateutil.parser import ParserError, isoparse, parse

    try:
        due = isoparse(text)
    except ValueError:
        try:
            due = parse(text)
        except (ParserError, ValueError, OverflowError):
            return None
    return due.tzinfo


def to_utc(text: str, zone: tzinfo, where: str) -> datetime:
    """A time as written by a person or a platform: with its own offset, or else in `zone`; naive UTC."""
    from dateutil.parser import ParserError, parse
    from dateutil.tz import gettz

    parts = text.split()
    named = gettz(parts[-1]) if len(parts) == 3 and "/" in parts[-1] else None  # nbgrader's "date time Zone/Name"
    try:
        when = parse(" ".join(parts[:2])).replace(tzinfo=named) if named else parse(text)
    except (ParserError, ValueError, OverflowError):
        raise TimesError(f"{where}: {text!r} is not a time; write it like 2026-12-01T23:30:00+01:00") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    return when.astimezone(UTC).replace(tzinfo=None)


def iso(naive_utc: datetime | None, zone: tzinfo | None = None) -> str:
    """ISO 8601 with its offset, in `zone` (UTC when None); "" for no time."""
    if naive_utc is None:
        return ""
    aware = naive_utc.replace(tzinfo=UTC).astimezone(zone or UTC)
    return aware.isoformat(timespec="seconds")


def read_timestamps(path: Path, zone: tzinfo) -> dict[str, datetime]:
    """A learning platform's submission times: a CSV with a header, the student's id in `student_id` (or `id`,
    `username`) and the time in `timestamp` (or `submitted_at`, `submission_time`), ISO 8601; a time without an
    offset is read in `zone`. Comma, semicolon or tab separated."""
    if not path.is_file():
        raise TimesError(f"--timestamps {path}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise TimesError(f"{path}: not UTF-8 text; save the timestamps as CSV UTF-8") from None
    rows = list(csv.DictReader(text.splitlines(), dialect=sniff_dialect(text)))
    header = {h.strip().lower(): h for h in (rows[0].keys() if rows else []) if h}
    id_key = next((header[k] for k in ("student_id", "id", "username") if k in header), None)
    time_key = next((header[k] for k in ("timestamp", "submitted_at", "submission_time") if k in header), None)
    if id_key is None or time_key is None:
        raise TimesError(f"{path}: the header needs a student_id column and a timestamp column; found "
                         f"{', '.join(header.values()) or 'no header'}")
    times = {}
    for line, row in enumerate(rows, start=2):
        student, when = (row.get(id_key) or "").strip(), (row.get(time_key) or "").strip()
        if student and when:
            times[student] = to_utc(when, zone, f"{path}, line {line}")
    return times


def sniff_dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """Comma, semicolon (what a French spreadsheet saves) or tab, from the header line."""
    first = text.splitlines()[0] if text.strip() else ""
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","

    class Dialect(csv.excel):
        pass

    Dialect.delimiter = delimiter
    return Dialect


@dataclass(frozen=True)
class TimePolicy:
    """How a batch's intake dates its submissions."""

    zone: tzinfo = UTC  # how a zip's entry times (and times without an offset) are read
    platform: dict[str, datetime] = field(default_factory=dict)  # the platform's times, naive UTC
    zone_given: bool = False  # the zone was stated (--timezone or the due date's offset), not defaulted


_policy: contextvars.ContextVar[TimePolicy | None] = contextvars.ContextVar("time_policy", default=None)


@contextmanager
def time_policy(policy: TimePolicy) -> Iterator[None]:
    """Intake within this block dates submissions with `policy`."""
    token = _policy.set(policy)
    try:
        yield
    finally:
        _policy.reset(token)


def current_policy() -> TimePolicy | None:
    return _policy.get()


@contextmanager
def time_policy_from_args(timestamps: str | None, zone_text: str | None, due: str | None,
                          course_root: str | Path | None = None) -> Iterator[None]:
    """The command line's --timestamps, --timezone and --due as the batch's TimePolicy (checked before anything is
    written). The zone: --timezone, else the due date's offset, else the one the course last stated, else UTC."""
    zone = parse_zone(zone_text) if zone_text else zone_of_due(due)
    if zone is None and course_root is not None:
        try:
            import json

            saved = json.loads((Path(course_root) / "course_settings.json").read_text()).get("timezone")
            zone = parse_zone(saved) if saved else None
        except (OSError, ValueError):
            zone = None
    stated = zone is not None
    zone = zone or UTC
    platform = read_timestamps(Path(timestamps), zone) if timestamps else {}
    with time_policy(TimePolicy(zone=zone, platform=platform, zone_given=stated)):
        yield
