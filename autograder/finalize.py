"""`autograder finalize LAB --out DIR`: after the written answers are graded in the formgrader, every export again.

Reads the gradebook as it is now (written-answer scores and the teaching assistant's comments included), computes
each late penalty on the total with the course's plugin and writes it back into the gradebook (so that nbgrader's
own views agree), rewrites grades.csv, canvas.csv, moodle.csv, results/ and feedback/, and builds `upload/`: one
feedback file per student and a zip of them, ready for a learning platform. Runs no student code; a student whose
written answers are still ungraded stays pending in every export.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from nbgrader.api import Gradebook

from autograder import exports
from autograder.course import CourseDir
from autograder.files import write_atomic
from autograder.gradebook import outcome, unreadable, update_penalties
from autograder.labs import REPO_ROOT, Lab, get_lab
from autograder.results import Outcome
from autograder.roster import RosterEntry


def finalize(lab_name: str, out: Path, root: Path = REPO_ROOT, late_penalty: str | None = None) -> list[Outcome]:
    lab = get_lab(lab_name, root)
    course = CourseDir(Path(out).resolve())
    if not course.gradebook.is_file():
        raise FileNotFoundError(f"{out}: no gradebook.db; grade the lab first (autograder grade {lab_name} "
                                f"SUBMISSIONS --out {out})")
    course.configure_late_penalty(late_penalty)
    with course.locked("a grading batch is running on this course directory; finalize when it ends"):
        with Gradebook(course.db_url) as gb:
            try:
                gb.find_assignment(lab.name)
            except Exception:
                raise FileNotFoundError(f"{out}: {lab.name} was never graded in this course directory") from None
            known = {s.id for s in gb.students}
        update_penalties(course, lab)
        students = sorted(known | course.students_with_intake(lab.name))
        off_roster = set(course.saved_settings().get("off_roster", []))
        roster = {s: RosterEntry(s) for s in students if s not in off_roster} if off_roster else {}
        with Gradebook(course.db_url) as gb:
            outcomes = [_outcome(gb, course, lab, s, roster) for s in students]
        exports.write_all(course, lab, outcomes)
        write_upload(course, lab, outcomes)
    return outcomes


def _outcome(gb: Gradebook, course: CourseDir, lab: Lab, student: str, roster: dict) -> Outcome:
    """The student's outcome as the last grading run left it: judged, not judged through the grader's fault
    (pending, graded again by the next run), or refused by intake or the grader (zero, as `grade` said)."""
    report, log = course.report(lab.name, student), course.log(lab.name, student)
    notebook = course.submitted(student, lab.name) / lab.notebook_name
    failure = grader_error = None
    if not report.is_file() and notebook.is_file():
        if log.is_file():
            failure = unreadable(course, lab, student)
        else:
            grader_error = "not graded yet; run `autograder grade` again"
    return outcome(gb, course, lab, student, roster, failure, grader_error)


def write_upload(course: CourseDir, lab: Lab, outcomes: list[Outcome]) -> Path:
    """upload/<lab>/: per student `<student_id>.html` (the feedback with the total, penalty, lateness, written
    scores and comments), `feedback.zip` of them (one folder per student id), and `grades.csv`, `canvas.csv`,
    `moodle.csv` copies. Pending students get their feedback too, marked pending."""
    dest = course.root / "upload" / lab.name
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for o in outcomes:
            page = exports.feedback_html(o, lab)
            write_atomic(dest / f"{o.student}.html", page)
            zf.writestr(f"{o.student}/{lab.name}-feedback.html", page)
    write_atomic(dest / "feedback.zip", archive.getvalue())
    for name in ("grades.csv", "canvas.csv", "moodle.csv"):
        write_atomic(dest / name, (course.root / name).read_bytes())
    states = {o.student: exports.state(o) for o in outcomes}
    write_atomic(dest / "README.txt", (
        f"{lab.name}: {sum(s == exports.FINAL for s in states.values())} final, "
        f"{sum(s == exports.PENDING for s in states.values())} pending "
        f"({', '.join(sorted(s for s, v in states.items() if v == exports.PENDING)) or 'none'}).\n"
        "Pending students have an empty grade in canvas.csv and moodle.csv: grade their written answers in the "
        "formgrader, then run `autograder finalize` again.\n"))
    write_atomic(dest / "states.json", json.dumps(states, indent=1, sort_keys=True) + "\n")
    return dest
