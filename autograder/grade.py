"""`autograder grade LAB SUBMISSIONS --out DIR`: intake, autograde each student with nbgrader, export.

DIR is an nbgrader course directory: `source/`, `submitted/`, `autograded/`, `gradebook.db`, plus `reports/` (the
judge's per-student results), `grades.csv`, `results/<student>.json` (Gradescope format) and `feedback/`.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook
from tqdm import tqdm

from autograder import exports
from autograder.course import generate, make_api, make_config
from autograder.intake import intake
from autograder.labs import REPO_ROOT, get_lab
from autograder.sandbox import require_sandbox


class GraderBusy(RuntimeError):
    pass


@dataclass
class Outcome:
    """What one student got on one lab."""

    student: str
    lab: str
    checks: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    score: float = 0.0  # gradebook total: autograded + manual grades given so far
    max_score: float = 0.0
    auto_score: float = 0.0
    auto_max_score: float = 0.0
    needs_manual_grade: bool = False
    status: str = "graded"
    gradebook: dict = field(default_factory=dict)


@contextmanager
def course_lock(course_dir: Path) -> Iterator[None]:
    """One grader per course directory: a second one is refused, never interleaved."""
    course_dir.mkdir(parents=True, exist_ok=True)
    with open(course_dir / ".grader.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise GraderBusy(f"{course_dir}: another grader is running on this course directory") from None
        yield


def grade(lab_name: str, submissions: Path, out: Path, seed: str = "0", root: Path = REPO_ROOT,
          sandbox: bool = True, progress: bool = True, cell_timeout: int | None = None,
          notebook_timeout: int | None = None, regrade: bool = False) -> list[Outcome]:
    """Grade every submission of SUBMISSIONS for one lab into the course directory `out`.

    Untrusted code runs only in the sandbox; `sandbox=False` is for code the caller trusts and says so loudly.
    """
    lab = get_lab(lab_name, root)
    if sandbox:
        require_sandbox()
    else:
        print("WARNING: grading WITHOUT the sandbox: student code can read the solutions and the gradebook, reach "
              "the network and outlive the grader. Use only for code you trust.", file=sys.stderr)
    out = out.resolve()
    with course_lock(out):
        generate(out, lab)
        intakes, warnings = intake(submissions, lab, out / "submitted")
        for w in warnings:
            print(f"warning: {w}", file=sys.stderr)
        api = make_api(make_config(out, lab, {"seed": seed, "sandbox": sandbox,
                                                "cell_timeout": cell_timeout, "notebook_timeout": notebook_timeout}))
        reports, done = out / "reports" / lab.name, out / "done" / lab.name
        done.mkdir(parents=True, exist_ok=True)
        for student in tqdm(sorted(intakes), desc=f"grading {lab.name}", unit="student", disable=not progress,
                            file=sys.stderr):
            # A grader killed mid-batch and started again skips whoever it finished with the same files and seed.
            stamp = {"digest": _digest(out / "submitted" / student / lab.name), "seed": seed}
            marker = done / f"{student}.json"
            if (not regrade and intakes[student].notebook_ok and marker.is_file()
                    and json.loads(marker.read_text()) == stamp and (reports / f"{student}.json").is_file()):
                continue
            marker.unlink(missing_ok=True)
            (reports / f"{student}.json").unlink(missing_ok=True)
            if not intakes[student].notebook_ok:
                _record_missing(out, lab.name, student)
                continue
            result = api.autograde(lab.name, student, force=True, create=True)
            if not result["success"]:
                intakes[student].problems.append("the grader could not process this notebook; a teaching assistant "
                                                 "has the log")
                (out / "logs").mkdir(exist_ok=True)
                (out / "logs" / f"{lab.name}-{student}.log").write_text(result.get("error") or result.get("log", ""))
                (reports / f"{student}.json").unlink(missing_ok=True)
                _record_missing(out, lab.name, student)
            else:
                tmp = marker.with_suffix(".tmp")
                tmp.write_text(json.dumps(stamp))
                tmp.replace(marker)  # written only once nbgrader has committed the grades
        outcomes = [_outcome(out, lab, student, intakes[student].problems) for student in sorted(intakes)]
        exports.write_all(out, lab, outcomes)
    return outcomes


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _record_missing(out: Path, lab: str, student: str) -> None:
    """A student with no gradable notebook still gets a gradebook row (zero), like nbgrader's missing submissions."""
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        gb.update_or_create_student(student)
        for sub in gb.find_student(student).submissions:
            if sub.assignment.name == lab:  # a previous grade of a now-broken resubmission is replaced by zero
                gb.remove_submission(lab, student)


def _outcome(out: Path, lab, student: str, problems: list[str]) -> Outcome:
    o = Outcome(student, lab.name, problems=list(problems))
    report_path = out / "reports" / lab.name / f"{student}.json"
    if report_path.is_file():
        report = json.loads(report_path.read_text())
        o.checks = report["checks"]
        o.problems += report.get("notes", [])
    else:
        o.status = "not graded"
        o.checks = [dict(check=c.id, score=0.0, max_score=float(c.points), passed=0, total=0,
                         messages=["not graded: see the problems above"]) for c in lab.checks.values()]
    o.auto_score = round(sum(c["score"] for c in o.checks), 4)
    o.auto_max_score = float(sum(c.points for c in lab.checks.values()))
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        assignment = gb.find_assignment(lab.name)
        o.max_score = float(assignment.max_score)
        row = gb.find_student(student)  # autograde or _record_missing created it
        o.gradebook = {"assignment": lab.name, "duedate": assignment.duedate.isoformat() if assignment.duedate else "",
                       "last_name": row.last_name or "", "first_name": row.first_name or "", "email": row.email or "",
                       "timestamp": "", "raw_score": 0.0, "late_submission_penalty": 0.0}
        sub = next((s for s in row.submissions if s.assignment.name == lab.name), None)
        if sub is not None and o.status == "graded":
            o.score, o.needs_manual_grade = float(sub.score), bool(sub.needs_manual_grade)
            o.gradebook.update(timestamp=sub.timestamp.isoformat() if sub.timestamp else "",
                               raw_score=float(sub.score), late_submission_penalty=float(sub.late_submission_penalty))
    return o
