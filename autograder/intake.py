"""Intake: validate each student's submission and place it into nbgrader's `submitted/` layout.

SUBMISSIONS holds one folder or `.zip` per student, named by student id. Only the lab's two files are taken (the
notebook and the module); everything else is ignored. A broken submission gets a clear message, never an exception
that stops the batch.
"""

from __future__ import annotations

import json
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from autograder.labs import Lab
from autograder.times import (
    FROM_EXCHANGE,
    FROM_PLATFORM,
    SOURCE_FILE,
    STUDENT_MACHINE,
    TimePolicy,
    TimesError,
    current_policy,
    iso,
    parse_zone,
    to_utc,
    zone_name,
)
from labkit.submission import MAX_MODULE_BYTES, MAX_NOTEBOOK_BYTES, find_file, module_problem, notebook_problem

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
TIMESTAMP_FILE = "timestamp.txt"  # nbgrader's convention for when a submission was made
MAX_ZIP_ENTRIES = 2000
MAX_ZIP_BYTES = 200 * 1024 * 1024


@dataclass
class Intake:
    student: str
    notebook_ok: bool = False
    module_ok: bool = False
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # accepted, but the teaching assistant should know


def _student_entries(submissions: Path) -> tuple[dict[str, Path], list[str]]:
    entries: dict[str, Path] = {}
    warnings: list[str] = []
    if not submissions.is_dir():
        raise FileNotFoundError(f"{submissions}: not a folder of submissions (expected one folder or .zip per student)")
    for path in sorted(submissions.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir() and not path.is_symlink():
            student = path.name
        elif path.is_file() and path.suffix.lower() == ".zip":
            student = path.stem
        else:
            warnings.append(f"{path}: ignored (not a folder or a .zip)")
            continue
        if not STUDENT_ID.match(student):
            warnings.append(f"{path}: ignored, {student!r} is not a valid student id (letters, digits, '_', '.', '-')")
            continue
        if student in entries:
            warnings.append(f"{path}: ignored, {student} already has a submission at {entries[student]}")
            continue
        entries[student] = path
    return entries, warnings


def _folder_files(folder: Path) -> dict[str, Path]:
    out = {}
    for p in folder.rglob("*"):
        rel = p.relative_to(folder)
        if len(rel.parts) > 4 or any(part.startswith(".") or part == "__MACOSX" for part in rel.parts):
            continue
        if p.is_file() and not p.is_symlink():
            out[rel.as_posix()] = p
    return out


def _zip_files(path: Path, wanted: set[str]) -> dict[str, bytes]:
    out = {}
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise ValueError(f"the zip holds {len(infos)} entries (at most {MAX_ZIP_ENTRIES})")
        if sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
            raise ValueError(f"the zip expands to more than {MAX_ZIP_BYTES // 2**20} MB")
        for info in infos:
            name = PurePosixPath(info.filename)
            is_link = stat.S_ISLNK(info.external_attr >> 16)
            if info.is_dir() or is_link or name.is_absolute() or ".." in name.parts or "__MACOSX" in name.parts:
                continue
            if name.name in wanted or name.suffix in {".ipynb", ".py"}:
                limit = MAX_NOTEBOOK_BYTES if name.suffix == ".ipynb" else MAX_MODULE_BYTES
                with zf.open(info) as member:  # read at most one byte past the cap: the size check reports it
                    out[name.as_posix()] = member.read(limit + 1)
    return out


def _zip_timestamp(path: Path, names: list[str]) -> str | None:
    """When the zip's lab files were last written, as its entries record it (local time of the zipping machine)."""
    with zipfile.ZipFile(path) as zf:
        times = [zf.getinfo(n).date_time for n in names if n in zf.namelist()]
    return datetime(*max(times)).isoformat(sep=" ") if times else None


def _date(result: Intake, source: Path, files: dict, read, taken: list[str], dest: Path, policy: TimePolicy) -> None:
    """Write `dest/timestamp.txt` (ISO 8601 with offset) from the most trusted source, and where it came from."""
    stamp_key, _, _ = find_file(list(files), TIMESTAMP_FILE)
    when, origin = None, None
    if result.student in policy.platform:
        when, origin = policy.platform[result.student], FROM_PLATFORM
    else:
        if policy.platform:
            result.warnings.append("not in the timestamps CSV; its time is taken from the submission itself")
        if stamp_key is not None and source.is_dir():
            raw = read(stamp_key)[:200].decode("utf-8", "replace").strip()
            source_key, _, _ = find_file(list(files), SOURCE_FILE)  # a folder this grader wrote before
            kept = read(source_key)[:300].decode("utf-8", "replace").strip() if source_key else ""
            try:
                when, origin = to_utc(raw, policy.zone, f"{source.name}/{stamp_key}"), kept or FROM_EXCHANGE
            except TimesError as exc:
                result.warnings.append(f"{exc}; the submission has no time (it is never late)")
        elif source.is_file() and taken:
            # A zip's own dates, or a timestamp.txt the student put in it: both from the student's machine.
            raw = read(stamp_key)[:200].decode("utf-8", "replace").strip() if stamp_key else _zip_timestamp(source,
                                                                                                            taken)
            if raw:
                try:
                    when = to_utc(raw, policy.zone, f"{source.name}/{stamp_key or 'zip entries'}")
                except TimesError as exc:
                    result.warnings.append(f"{exc}; the submission has no time (it is never late)")
                what = "its timestamp.txt" if stamp_key else "zip entry times"
                origin = f"{STUDENT_MACHINE} ({what}, read in {zone_name(policy.zone)})"
    if when is not None:
        (dest / TIMESTAMP_FILE).write_text(iso(when, policy.zone) + "\n")
        (dest / SOURCE_FILE).write_text(origin + "\n")


def intake_one(student: str, source: Path, lab: Lab, dest: Path, policy: TimePolicy | None = None) -> Intake:
    """Copy one student's lab files into `dest` (emptied first) and say what is wrong with them.

    The submission time comes from the learning platform's timestamps (`policy`), else nbgrader's `timestamp.txt`
    in a submission folder, else, for a zip, the time its lab files were written into it on the student's machine,
    read in the policy's zone and flagged as such; a folder without `timestamp.txt` has none (never late)."""
    policy = policy or TimePolicy()
    result = Intake(student)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    notebook_name, module_name = lab.notebook_name, lab.module_file.name
    try:
        files: dict[str, bytes | Path] = (dict(_zip_files(source, {notebook_name, module_name, TIMESTAMP_FILE,
                                                                   SOURCE_FILE}))
                                          if source.is_file() else dict(_folder_files(source)))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        result.problems.append(f"{source.name}: unreadable submission ({exc}); expected a folder or a valid .zip")
        return result

    def read(key: str) -> bytes:
        value = files[key]
        return value if isinstance(value, bytes) else value.read_bytes()

    taken = []
    for name, check, consequence in ((notebook_name, notebook_problem, "The notebook scores zero."),
                                     (module_name, module_problem, "Every autograded check needs it and scores zero.")):
        key, warning, alike = find_file(list(files), name)
        if key is None:
            hint = f"; found {', '.join(alike)}: rename it to {name}" if alike else ""
            result.problems.append(f"{name} is missing{hint}. {consequence}")
            continue
        if warning:
            result.warnings.append(warning)
        raw = read(key)
        problem = check(raw)
        if problem:
            result.problems.append(f"{name}: {problem}. {consequence}")
            continue
        (dest / name).write_bytes(raw)
        taken.append(key)
        if name == notebook_name:
            result.notebook_ok = True
        else:
            result.module_ok = True
    _date(result, source, files, read, taken, dest, policy)
    return result


def submission_entries(submissions: Path) -> tuple[dict[str, Path], list[str]]:
    """Student id -> their folder or zip, and warnings about what was ignored. An empty or missing SUBMISSIONS
    folder is an error: nothing would be graded."""
    entries, warnings = _student_entries(submissions)
    if not entries:
        raise FileNotFoundError(f"{submissions}: no submissions found (expected one folder or .zip per student, named "
                                "by student id)" + (f"; {len(warnings)} entries were ignored" if warnings else ""))
    return entries, warnings


def intake(entries: dict[str, Path], lab: Lab, submitted_dir: Path,
           policy: TimePolicy | None = None) -> dict[str, Intake]:
    """Intake each student of `entries` into `submitted_dir/<student>/<lab>/`. Times follow `policy`, else the one
    the command line set (autograder.times.time_policy), else the zone this course directory last stated."""
    policy = policy or current_policy() or _saved_policy(submitted_dir.parent)
    return {s: intake_one(s, p, lab, submitted_dir / s / lab.name, policy) for s, p in entries.items()}


def _saved_policy(course_root: Path) -> TimePolicy:
    try:
        zone = json.loads((course_root / "course_settings.json").read_text()).get("timezone")
        return TimePolicy(zone=parse_zone(zone), zone_given=True) if zone else TimePolicy()
    except (OSError, ValueError):
        return TimePolicy()
