"""Exports of one graded lab: grades.csv, canvas.csv and moodle.csv (gradebook imports), Gradescope-style
results/<student>.json, feedback/<student>.html and the class report (report.html, report.json: autograder.report).

Each format is a function registered with :func:`export` (as nbgrader's export plugins): given the course, the lab
and every student's outcome, it returns the files it writes. :func:`write_all` writes every registered format, each
file whole or not at all. A new format is one such function.

Feedback shows each check's score and its failed cases (inputs and what was wrong), never a test's source, nor a
model answer. Every export says the same of each student: the total (autograded plus written answers) after the
late penalty, which is computed on that total; the lateness; the teaching assistant's comments. A student whose
written answers are not graded yet, or whose grading failed through the grader's fault, is *pending*: no export
posts a partial score as final (Canvas and Moodle get an empty grade cell, Gradescope a result hidden from the
student).
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from autograder import report
from autograder.diagnosis import label
from autograder.files import write_atomic
from autograder.gradebook import GRADER_ERROR
from autograder.results import Outcome
from autograder.times import current_policy, zone_name

if TYPE_CHECKING:
    from autograder.course import CourseDir
    from autograder.labs import Lab

# Our columns first, then the columns of `nbgrader export`, then when and how it was graded, then the diagnosis of
# each failed check (autograder.diagnosis).
CSV_COLUMNS = ["student_id", "lab", "score", "max_score", "auto_score", "auto_max_score", "needs_manual_grade",
               "status", "problems", "assignment", "duedate", "timestamp", "last_name", "first_name", "email",
               "raw_score", "late_submission_penalty", "state", "written_score", "written_max_score", "late",
               "seconds_late", "timestamp_source", "comments", "notes", "diagnosis"]
FINAL, PENDING = "final", "pending"


# Canvas's gradebook import: these identity columns, then one column per assignment; a "Points Possible" row may
# follow the header. Canvas matches students on SIS User ID or SIS Login ID (ID is Canvas's own number, unknown here).
# An empty grade cell leaves the student's grade as it is (ungraded): pending students get one, never a partial
# score. ("EX", Canvas's excused mark, would drop the lab from the student's total: wrong for work not graded yet.)
CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
# Moodle's "Import grades: CSV file" maps one column to a user field (ID number or email address) and each other
# column to a grade item or its feedback; the names below are those of Moodle's own plain-text grade export. An empty
# grade is not imported (the student stays ungraded).
MOODLE_IDENTITY = ["First name", "Last name", "ID number", "Email address"]


Files = dict[Path, str]  # what an export writes: each file's path and text
Export = Callable[["CourseDir", "Lab", list[Outcome]], Files]
EXPORTS: dict[str, Export] = {}


def export(name: str) -> Callable[[Export], Export]:
    """Register an export format under `name`."""
    def register(make: Export) -> Export:
        EXPORTS[name] = make
        return make
    return register


def write_all(course: CourseDir, lab: Lab, outcomes: list[Outcome]) -> None:
    """Every registered export, from the same outcomes."""
    for make in EXPORTS.values():
        for path, text in make(course, lab, outcomes).items():
            write_atomic(path, text)
    # What the next run (finalize, the formgrader's buttons) needs to export as this one did.
    policy = current_policy()
    course.save_settings(late_penalty=course.late_penalty,
                         timezone=zone_name(policy.zone) if policy and policy.zone_given else None,
                         off_roster=sorted(o.student for o in outcomes if "not on the roster" in o.problems))


def state(o: Outcome) -> str:
    """"pending" while a score is not final: written answers not graded yet, or a grader error."""
    return PENDING if o.gradebook.get("pending") or o.status == GRADER_ERROR else FINAL


def pending_reason(o: Outcome) -> str:
    if o.status == GRADER_ERROR:
        return "pending: the grader failed on this submission (not the student's doing); it is graded again"
    return "pending: written answers not graded yet"


def written_total(o: Outcome) -> tuple[float, float]:
    written = o.gradebook.get("written", [])
    return round(sum(w["score"] for w in written), 4), float(sum(w["max_score"] for w in written))


def lateness(o: Outcome) -> str:
    """One sentence: when it was submitted against the due date, and the penalty taken off the total."""
    when, due = o.gradebook.get("timestamp"), o.gradebook.get("duedate")
    if not when:
        return ""
    seconds = float(o.gradebook.get("seconds_late") or 0)
    source = o.gradebook.get("timestamp_source")
    said = f"submitted {when}" + (f" ({source})" if source else "")
    if not due:
        return said
    if seconds <= 0:
        return f"{said}, on time (due {due})"
    penalty = float(o.gradebook.get("late_submission_penalty") or 0)
    return (f"{said}, LATE by {_duration(seconds)} (due {due}); late penalty {penalty:g} points on a total of "
            f"{float(o.gradebook.get('raw_score') or 0):g}")


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{minutes} min"] * bool(minutes or not
                                                                                                     (days or hours))
    return " ".join(parts) if seconds >= 60 else f"{int(seconds)} s"


def _comments(o: Outcome) -> str:
    return " | ".join(f"{c['id']}: {c['comment']}" for c in o.gradebook.get("comments", []))


@export("grades")
def grades_csv(course: CourseDir, lab: Lab, outcomes: list[Outcome]) -> Files:
    """grades.csv: every column a teaching assistant needs, one row per student."""
    rows = []
    for o in outcomes:
        written, written_max = written_total(o)
        row = {**o.gradebook, "student_id": o.student, "lab": o.lab, "score": round(o.score, 4),
               "max_score": o.max_score, "auto_score": o.auto_score, "auto_max_score": o.auto_max_score,
               "needs_manual_grade": o.needs_manual_grade, "status": o.status, "problems": " | ".join(o.problems),
               "diagnosis": diagnoses(o),
               "state": state(o), "written_score": written, "written_max_score": written_max,
               "late": bool(float(o.gradebook.get("seconds_late") or 0) > 0), "comments": _comments(o),
               "notes": " | ".join(o.gradebook.get("notes", []))}
        rows.append([row.get(k, "") for k in CSV_COLUMNS])
    return {course.grades_csv: _csv(CSV_COLUMNS, rows)}


def diagnoses(o: Outcome) -> str:
    """The diagnosis of each failed check, for teaching assistants: "check: mistake; check: not in the catalogue"."""
    return "; ".join(f"{c.check}: {label(c.diagnosis)}" for c in o.checks if c.diagnosis)


def canvas_rows(lab: Lab, outcomes: list[Outcome]) -> tuple[list[str], list[list]]:
    header = [*CANVAS_IDENTITY, lab.name]
    points = ["    Points Possible", "", "", "", "", _number(outcomes[0].max_score if outcomes else 0)]
    rows = [[_last_first(o), "", o.student, o.gradebook.get("email") or o.student, "",
             _number(o.score) if state(o) == FINAL else ""] for o in outcomes]
    return header, [points, *rows]


def moodle_rows(lab: Lab, outcomes: list[Outcome]) -> tuple[list[str], list[list]]:
    header = [*MOODLE_IDENTITY, f"{lab.name} (Real)", f"{lab.name} feedback"]
    rows = [[o.gradebook.get("first_name", ""), o.gradebook.get("last_name", ""), o.student,
             o.gradebook.get("email", ""), _number(o.score) if state(o) == FINAL else "", summary(o)]
            for o in outcomes]
    return header, rows


def _last_first(o: Outcome) -> str:
    first, last = o.gradebook.get("first_name", ""), o.gradebook.get("last_name", "")
    return f"{last}, {first}" if first and last else (last or first or o.student)


def _number(x: float) -> str:
    return f"{round(float(x), 4):g}"


def summary(o: Outcome) -> str:
    """One paragraph for a gradebook's feedback column: the grade or why it is pending, its parts, the lateness,
    the teaching assistant's comments and what went wrong; never a case."""
    written, written_max = written_total(o)
    if state(o) == PENDING:
        parts = [f"{pending_reason(o)} (autograded so far {o.auto_score:g}/{o.auto_max_score:g})"]
    else:
        parts = [f"total {o.score:g}/{o.max_score:g}: autograded {o.auto_score:g}/{o.auto_max_score:g}"
                 + (f", written answers {written:g}/{written_max:g}" if written_max else "")]
    if o.status not in ("graded", GRADER_ERROR):
        parts.append(o.status)
    if lateness(o):
        parts.append(lateness(o))
    parts += [f"comment on {c['id']}: {c['comment']}" for c in o.gradebook.get("comments", [])]
    parts += o.problems[:3]
    return "; ".join(parts)


@export("canvas")
def canvas_csv(course: CourseDir, lab: Lab, outcomes: list[Outcome]) -> Files:
    return {course.canvas_csv: _csv(*canvas_rows(lab, outcomes))}


@export("moodle")
def moodle_csv(course: CourseDir, lab: Lab, outcomes: list[Outcome]) -> Files:
    return {course.moodle_csv: _csv(*moodle_rows(lab, outcomes))}


@export("gradescope")
def gradescope_results(course: CourseDir, lab: Lab, outcomes: list[Outcome]) -> Files:
    return {course.results(o.student): json.dumps(gradescope(o, lab), indent=1, ensure_ascii=False) + "\n"
            for o in outcomes}


@export("feedback")
def feedback_pages(course: CourseDir, lab: Lab, outcomes: list[Outcome]) -> Files:
    return {course.feedback(o.student): feedback_html(o, lab) for o in outcomes}


@export("report")
def class_report(course: CourseDir, lab: Lab, outcomes: list[Outcome]) -> Files:
    """The class report (autograder.report): report.json and report.html."""
    data = report.build(lab, outcomes)
    return {course.root / "report.json": json.dumps(data, indent=1, ensure_ascii=False) + "\n",
            course.root / "report.html": report.render(data)}


def _csv(header: list[str], rows: list[list]) -> str:
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue()


def gradescope(o: Outcome, lab: Lab) -> dict:
    """Gradescope's results.json: one test per check; the written answers' scores and the teaching assistant's
    comments in `output` (and `extra_data`). `score` is the total after the late penalty. A pending result is
    hidden from the student (visibility "hidden") and its `score` is only what is graded so far (the autograded
    points): Gradescope would sum the tests into the same number without one."""
    lines = [f"{lab.name}: {summary(o)}"]
    written = {w["id"]: w for w in o.gradebook.get("written", [])}
    for answer, points in lab.written.items():
        w = written.get(answer)
        if w and w["graded"]:
            lines.append(f"Written answer {answer}: {w['score']:g}/{points:g}" + (f" — {w['comment']}" if w["comment"]
                                                                                  else ""))
        else:
            lines.append(f"Written answer {answer}: not graded yet (/{points:g})")
    lines += [f"Problem: {p}" for p in o.problems[3:]]
    final = state(o) == FINAL
    result = {"score": round(o.score if final else o.auto_score, 4), "output": "\n".join(lines),
              "tests": [_test(c) for c in o.checks],
              "extra_data": {"state": state(o), "status": o.status, "raw_score": o.gradebook.get("raw_score", 0.0),
                             "late_submission_penalty": o.gradebook.get("late_submission_penalty", 0.0),
                             "seconds_late": o.gradebook.get("seconds_late", 0.0),
                             "timestamp": o.gradebook.get("timestamp", ""),
                             "timestamp_source": o.gradebook.get("timestamp_source", ""),
                             "written": list(written.values()),
                             # for teaching assistants (Gradescope shows students a test's output, not extra_data)
                             "diagnosis": {c.check: {**c.diagnosis, "label": label(c.diagnosis)} for c in o.checks
                                           if c.diagnosis}}}
    if not final:
        result["visibility"] = "hidden"
    return result


def _test(c) -> dict:
    return {"name": c.check, "score": c.score, "max_score": c.max_score,
            "output": "\n".join([f"{c.passed}/{c.total} cases passed", *c.messages])}


def feedback_html(o: Outcome, lab: Lab) -> str:
    e = html.escape
    rows = []
    for c in o.checks:
        failed = "".join(f"<li>{e(m)}</li>" for m in c.messages)
        rows.append(f"<tr><td>{e(c.check)}</td><td>{c.score:g} / {c.max_score:g}</td>"
                    f"<td>{c.passed}/{c.total}</td><td><ul>{failed}</ul></td></tr>")
    problems = "".join(f"<li>{e(p)}</li>" for p in o.problems)
    written, written_max = written_total(o)
    by_id = {w["id"]: w for w in o.gradebook.get("written", [])}
    answers = []
    for answer, points in lab.written.items():
        w = by_id.get(answer)
        score = f"{w['score']:g} / {points:g}" if w and w["graded"] else f"not graded yet / {points:g}"
        answers.append(f"<tr><td>{e(answer)}</td><td>{score}</td><td>{e(w['comment'] if w else '')}</td></tr>")
    if state(o) == PENDING:
        headline = (f"<p><b>{e(pending_reason(o).capitalize())}.</b> Autograded so far: {o.auto_score:g} / "
                    f"{o.auto_max_score:g}.</p>")
    else:
        headline = (f"<p>Total: <b>{o.score:g} / {o.max_score:g}</b> (autograded {o.auto_score:g} / "
                    f"{o.auto_max_score:g}; written answers {written:g} / {written_max:g}"
                    + (f"; late penalty {float(o.gradebook.get('late_submission_penalty') or 0):g}"
                       if float(o.gradebook.get("seconds_late") or 0) > 0 else "") + ").</p>")
    late = lateness(o)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(lab.name)} feedback for {e(o.student)}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}td,th{{border:1px solid #ccc;padding:.3em .6em;
vertical-align:top}}table{{border-collapse:collapse}}</style></head><body>
<h1>{e(lab.name)} — {e(o.student)}</h1>
{headline}
{f'<p>{e(late[0].upper() + late[1:])}.</p>' if late else ''}
{f'<h2>Problems with this submission</h2><ul>{problems}</ul>' if problems else ''}
<h2>Written answers</h2>
<table><tr><th>answer</th><th>points</th><th>teaching assistant's comment</th></tr>
{''.join(answers)}
</table>
<h2>Checks</h2>
<table><tr><th>check</th><th>points</th><th>cases passed</th><th>failed cases</th></tr>
{''.join(rows)}
</table></body></html>
"""
