"""The one gradebook a batch keeps, and what the course directory keeps beside it.

Before the students: `to_grade` (who needs grading: a student already graded from the same files, secret and
feedback level is skipped, by their resume stamp), `open_lab` (the lab's cells, due date and roster in the
gradebook). After each is judged: `save_all` records each result as nbgrader's autograde would (autograded/, the
gradebook, the judge's report, then the stamp). At the end: `outcomes`, each student's result read back for the
exports.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import nbformat
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import AssignLatePenalties, IgnorePattern, LimitOutput, SaveAutoGrades

from autograder.course import CourseDir
from autograder.files import write_atomic, write_json
from autograder.intake import Intake
from autograder.labs import Lab
from autograder.notebooks import model_answers, with_model_answers, with_student_outputs
from autograder.preprocessors import SourceCells
from autograder.results import CheckResult, Failure, Outcome, StudentResult
from autograder.roster import RosterEntry
from autograder.settings import GradingSettings
from autograder.times import FROM_EXCHANGE, SOURCE_FILE, iso

GRADER_ERROR = "grader error"  # a row whose grading failed through no fault of the student's
# nbgrader's autograde after the run: here, once the worker is done. Its last step, CheckCellMetadata, already ran
# in the worker on the restored cells (autograder.preprocessors.restore_test_cells), and running a notebook changes
# no cell's metadata: here it was a student's 30 ms of schema checks in the one process that saves every student.
SAVE = [IgnorePattern, LimitOutput, SaveAutoGrades, AssignLatePenalties]


@dataclass(frozen=True)
class ToGrade:
    student: str
    stamp: dict  # what they are graded from: saved as their resume stamp once their grades are


def to_grade(course: CourseDir, lab: Lab, intakes: dict[str, Intake], settings: GradingSettings,
             secret: str) -> list[ToGrade]:
    """Who to grade. A grader killed mid-batch and started again skips whoever it finished with the same files,
    secret and feedback level; a student left with a grader error has no stamp, so is graded again."""
    todo, skipped = [], 0
    for student in sorted(s for s, result in intakes.items() if result.notebook_ok):
        stamp = {"digest": course.submission_digest(student, lab.name),
                 "secret": hashlib.sha256(secret.encode()).hexdigest()[:16], "feedback": str(settings.feedback)}
        if (not settings.regrade and not settings.only and course.stamp(lab.name, student) == stamp
                and course.report(lab.name, student).is_file()):
            skipped += 1
        else:
            todo.append(ToGrade(student, stamp))
    if skipped:
        print(f"{skipped} students already graded with the same files were skipped (--regrade grades them "
              f"again); {len(todo)} to grade", file=sys.stderr)
    return todo


def write_intake(course: CourseDir, lab: Lab, student: str, result: Intake) -> None:
    write_json(course.intake_record(lab.name, student), {"problems": result.problems, "warnings": result.warnings})


def open_lab(course: CourseDir, lab: Lab, roster: dict[str, RosterEntry], due: datetime | None) -> SourceCells:
    """The lab in the gradebook (nbgrader's generate_assignment), with its due date and the roster; the source
    cells that each student's test cells are restored from."""
    course.generate(lab)
    with Gradebook(course.db_url) as gb:
        if due is not None:
            gb.update_or_create_assignment(lab.name, duedate=due)
        for entry in roster.values():
            gb.update_or_create_student(entry.student, first_name=entry.first_name, last_name=entry.last_name,
                                        email=entry.email)
    return SourceCells.from_gradebook(course.db_url, lab.name)


def record_unreadable(course: CourseDir, lab: Lab, intakes: dict[str, Intake], todo: list[ToGrade]) -> None:
    """A zero for each student of the batch whose notebook intake could not read."""
    graded = {t.student for t in todo}
    for student, result in intakes.items():
        if student not in graded and not result.notebook_ok:
            record_missing(course, lab.name, student)


def save_all(course: CourseDir, lab: Lab, results: Iterable[tuple[ToGrade, StudentResult | Failure]]
             ) -> dict[str, Failure]:
    """Save each result as it comes; what could not be graded, by student. A grader error is not saved at all:
    the next run grades that student."""
    answers, failures = model_answers(lab), {}
    for item, result in results:
        if isinstance(result, StudentResult):
            save_result(course, lab, result, item.stamp, answers)
            continue
        failures[item.student] = result
        if not result.grader_error:
            write_atomic(course.log(lab.name, item.student), result.message)
            record_missing(course, lab.name, item.student)
    return failures


def outcomes(course: CourseDir, lab: Lab, roster: dict[str, RosterEntry], submitted: set[str],
             failures: dict[str, Failure]) -> list[Outcome]:
    """Everyone this course knows, as the exports show them: the roster (now or given before: the gradebook keeps
    it), this batch's submissions, and students graded before."""
    result = []
    with Gradebook(course.db_url) as gb:  # one for all: a new one per student compiles every query again
        known = {s.id for s in gb.students}
        for student in sorted(known | set(roster) | submitted | course.students_with_intake(lab.name)):
            failure, unread, grader_error = failures.get(student), None, None
            if failure is not None and failure.grader_error:
                grader_error = failure.message
            elif failure is not None:
                unread = unreadable(course, lab, student)
            result.append(outcome(gb, course, lab, student, roster, unread, grader_error))
    return result


def unreadable(course: CourseDir, lab: Lab, student: str) -> str:
    """Why a notebook the grader could not process scored zero, and where its log is."""
    return f"the grader could not process this notebook; a teaching assistant has the log in " \
           f"{course.log(lab.name, student)}"


def save_result(course: CourseDir, lab: Lab, result: StudentResult, stamp: dict, answers: dict[str, str]) -> None:
    """Record a judged notebook as nbgrader's autograde would: autograded/, the gradebook, then our report."""
    student = result.student
    nb = nbformat.reads(result.notebook, as_version=4)
    dest = course.autograded(student, lab.name)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(course.submitted(student, lab.name), dest)
    timestamp = CourseDirectory(config=course.config).get_existing_timestamp(str(course.submitted(student, lab.name)))
    with Gradebook(course.db_url) as gb:
        gb.update_or_create_student(student)
        if timestamp:
            gb.update_or_create_submission(lab.name, student, timestamp=timestamp)
        else:
            gb.update_or_create_submission(lab.name, student)
    resources = {"nbgrader": {"db_url": course.db_url, "assignment": lab.name, "notebook": lab.name,
                              "student": student}}
    for step in SAVE:
        nb, resources = step(config=course.config).preprocess(nb, resources)
    try:  # the student's own outputs beside the grading re-run's, for the teaching assistant
        submitted = nbformat.read(course.submitted(student, lab.name) / lab.notebook_name, as_version=4)
        nb = with_student_outputs(nb, submitted)
    except Exception:  # an unreadable submission: intake already said so; the re-run's outputs stay
        pass
    nbformat.write(with_model_answers(nb, answers), dest / lab.notebook_name)
    report = {"student": student, "lab": lab.name, "checks": [c.to_dict() for c in result.checks],
              "notes": result.notes}
    write_json(course.report(lab.name, student), report)
    course.save_stamp(lab.name, student, stamp)  # only once the gradebook has the grades


def record_missing(course: CourseDir, lab: str, student: str) -> None:
    """A student with no gradable notebook still gets a gradebook row (zero), like nbgrader's missing submissions."""
    with Gradebook(course.db_url) as gb:
        gb.update_or_create_student(student)
        for sub in gb.find_student(student).submissions:
            if sub.assignment.name == lab:  # a previous grade of a now-broken resubmission is replaced by zero
                gb.remove_submission(lab, student)


def outcome(gb: Gradebook, course: CourseDir, lab: Lab, student: str, roster: dict[str, RosterEntry],
            failure: str | None, grader_error: str | None = None) -> Outcome:
    """`failure`: why the grader could not judge this student's notebook (the student's doing, scored zero);
    `grader_error`: a fault of the grading machine, which scores nothing and is graded again by the next run."""
    o = Outcome(student, lab.name)
    record = course.intake_record(lab.name, student)
    report_path = course.report(lab.name, student)
    if record.is_file():
        o.problems = list(json.loads(record.read_text())["problems"])
    if failure:
        o.problems.append(failure)
    if grader_error:
        o.status = GRADER_ERROR
        o.problems.append(f"grader error: {grader_error}")
        o.checks = [CheckResult(c.id, 0.0, float(c.points), 0, 0, ["grader error: not graded yet"])
                    for c in lab.checks.values()]
    elif report_path.is_file():
        report = json.loads(report_path.read_text())
        o.checks = [CheckResult.from_dict(c) for c in report["checks"]]
        o.problems += report.get("notes", [])
    else:
        o.status = "not graded" if record.is_file() else "no submission"
        why = "not graded: see the problems above" if record.is_file() else "no submission"
        o.checks = [CheckResult(c.id, 0.0, float(c.points), 0, 0, [why]) for c in lab.checks.values()]
    if roster and student not in roster:
        o.problems.append("not on the roster")
    o.auto_score = round(sum(c.score for c in o.checks), 4)
    o.auto_max_score = float(sum(c.points for c in lab.checks.values()))
    _read_gradebook(gb, course, lab, student, o)
    return o


def _read_gradebook(gb: Gradebook, course: CourseDir, lab: Lab, student: str, o: Outcome) -> None:
    """The gradebook's view of the student: names, due date, submission time, the total after the late penalty,
    the written answers and the comments."""
    zone = course.zone
    assignment = gb.find_assignment(lab.name)
    o.max_score = float(assignment.max_score)
    row = gb.update_or_create_student(student)  # a roster student with no submission has no row yet
    o.gradebook = {"assignment": lab.name, "duedate": iso(assignment.duedate, zone),
                   "last_name": row.last_name or "", "first_name": row.first_name or "", "email": row.email or "",
                   "timestamp": "", "timestamp_source": "", "raw_score": 0.0, "late_submission_penalty": 0.0,
                   "seconds_late": 0.0, "written": [], "comments": [], "notes": _notes(course, lab, student),
                   "pending": o.status == GRADER_ERROR}
    sub = next((s for s in row.submissions if s.assignment.name == lab.name), None)
    if sub is not None and o.status == "graded":
        # As nbgrader's own export, the late penalty comes off the raw score, never below zero; but it is
        # computed here on the total as it is now (written answers included), by the course's plugin.
        raw, late = float(sub.score), float(sub.total_seconds_late or 0.0)
        penalty = late_penalty(course, student, raw, late)
        o.score, o.needs_manual_grade = max(0.0, raw - penalty), bool(sub.needs_manual_grade)
        written, comments = [], []
        for nb in sub.notebooks:
            said = {c.name: (c.comment or "").strip() for c in nb.comments}
            for g in nb.grades:
                if g.name in lab.written:
                    written.append({"id": g.name, "score": float(g.score), "max_score": float(g.max_score),
                                    "graded": not g.needs_manual_grade, "comment": said.get(g.name, "")})
            comments += [{"id": name, "comment": text} for name, text in sorted(said.items()) if text]
        order = list(lab.written)
        written.sort(key=lambda w: order.index(w["id"]))
        o.gradebook.update(timestamp=iso(sub.timestamp, zone), raw_score=raw, late_submission_penalty=penalty,
                           seconds_late=late, written=written, comments=comments,
                           timestamp_source=_timestamp_source(course, lab, student) if sub.timestamp else "",
                           pending=o.needs_manual_grade)


def late_penalty(course: CourseDir, student: str, score: float, seconds_late: float) -> float:
    """The course's late-submission plugin applied to `score` (the total, written answers included), clamped to
    [0, score] as nbgrader's AssignLatePenalties does."""
    if seconds_late <= 0:
        return 0.0
    penalty = course.late_penalty_plugin().late_submission_penalty(student, score, seconds_late)
    return round(min(max(float(penalty or 0.0), 0.0), score), 4)


def update_penalties(course: CourseDir, lab: Lab) -> None:
    """Write each submission's late penalty, computed on its total as it is now, into the gradebook, so that
    nbgrader's own views and feedback agree with the exports after written answers were graded."""
    with Gradebook(course.db_url) as gb:
        for sub in gb.find_assignment(lab.name).submissions:
            late = float(sub.total_seconds_late or 0.0)
            for nb in sub.notebooks:
                nb.late_submission_penalty = late_penalty(course, sub.student.id, float(nb.score), late) or None
        gb.db.commit()


def _notes(course: CourseDir, lab: Lab, student: str) -> list[str]:
    """What intake accepted but a teaching assistant should know (a renamed file, a time from the student's
    machine)."""
    record = course.intake_record(lab.name, student)
    try:
        return list(json.loads(record.read_text()).get("warnings", []))
    except (OSError, ValueError):
        return []


def _timestamp_source(course: CourseDir, lab: Lab, student: str) -> str:
    path = course.submitted(student, lab.name) / SOURCE_FILE
    try:
        return path.read_text().strip()[:300]
    except OSError:
        return FROM_EXCHANGE if (course.submitted(student, lab.name) / "timestamp.txt").is_file() else ""
