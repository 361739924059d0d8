"""Exports of one graded lab: grades.csv, canvas.csv and moodle.csv (gradebook imports), Gradescope-style
results/<student>.json and feedback/<student>.html.

Feedback shows each check's score and its failed cases (inputs and what was wrong), never a test's source.
"""

from __future__ import annotations

import csv
import html
import json
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.results import Outcome

if TYPE_CHECKING:
    from autograder.course import CourseDir
    from autograder.labs import Lab

# Our columns first, then the columns of `nbgrader export`.
CSV_COLUMNS = ["student_id", "lab", "score", "max_score", "auto_score", "auto_max_score", "needs_manual_grade",
               "status", "problems", "assignment", "duedate", "timestamp", "last_name", "first_name", "email",
               "raw_score", "late_submission_penalty"]


# Canvas's gradebook import: these identity columns, then one column per assignment; a "Points Possible" row may
# follow the header. Canvas matches students on SIS User ID or SIS Login ID (ID is Canvas's own number, unknown here).
CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
# Moodle's "Import grades: CSV file" maps one column to a user field (ID number or email address) and each other
# column to a grade item or its feedback; the names below are those of Moodle's own plain-text grade export.
MOODLE_IDENTITY = ["First name", "Last name", "ID number", "Email address"]


def write_all(course: CourseDir, lab: Lab, outcomes: list[Outcome]) -> None:
    write_csv(course.grades_csv, outcomes)
    _write_rows(course.canvas_csv, *canvas_rows(lab, outcomes))
    _write_rows(course.moodle_csv, *moodle_rows(lab, outcomes))
    for o in outcomes:
        _write(course.results(o.student), json.dumps(gradescope(o, lab), indent=1) + "\n")
        _write(course.feedback(o.student), feedback_html(o, lab))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def write_csv(path: Path, outcomes: list[Outcome]) -> None:
    rows = []
    for o in outcomes:
        row = {**o.gradebook, "student_id": o.student, "lab": o.lab, "score": round(o.score, 4),
               "max_score": o.max_score, "auto_score": o.auto_score, "auto_max_score": o.auto_max_score,
               "needs_manual_grade": o.needs_manual_grade, "status": o.status, "problems": " | ".join(o.problems)}
        rows.append({k: row.get(k, "") for k in CSV_COLUMNS})
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)


def canvas_rows(lab: Lab, outcomes: list[Outcome]) -> tuple[list[str], list[list]]:
    header = [*CANVAS_IDENTITY, lab.name]
    points = ["    Points Possible", "", "", "", "", _number(outcomes[0].max_score if outcomes else 0)]
    rows = [[_last_first(o), "", o.student, o.gradebook.get("email") or o.student, "", _number(o.score)]
            for o in outcomes]
    return header, [points, *rows]


def moodle_rows(lab: Lab, outcomes: list[Outcome]) -> tuple[list[str], list[list]]:
    header = [*MOODLE_IDENTITY, f"{lab.name} (Real)", f"{lab.name} feedback"]
    rows = [[o.gradebook.get("first_name", ""), o.gradebook.get("last_name", ""), o.student,
             o.gradebook.get("email", ""), _number(o.score), _summary(o)] for o in outcomes]
    return header, rows


def _last_first(o: Outcome) -> str:
    first, last = o.gradebook.get("first_name", ""), o.gradebook.get("last_name", "")
    return f"{last}, {first}" if first and last else (last or first or o.student)


def _number(x: float) -> str:
    return f"{round(float(x), 4):g}"


def _summary(o: Outcome) -> str:
    """One line for a gradebook's feedback column: the autograded score and what went wrong, never a case."""
    parts = [f"autograded {o.auto_score:g}/{o.auto_max_score:g}"]
    if o.status != "graded":
        parts.append(o.status)
    parts += o.problems[:3]
    return "; ".join(parts)


def _write_rows(path: Path, header: list[str], rows: list[list]) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    tmp.replace(path)


def gradescope(o: Outcome, lab: Lab) -> dict:
    """Gradescope's results.json: one test per check; written answers are graded by hand and listed in `output`."""
    written = sum(lab.written.values())
    lines = [f"{lab.name}: {o.auto_score:g}/{o.auto_max_score:g} autograded points."]
    if written:
        lines.append(f"Written answers ({written:g} points) are graded by a teaching assistant.")
    lines += [f"Problem: {p}" for p in o.problems]
    return {
        "score": o.auto_score,
        "output": "\n".join(lines),
        "tests": [{"name": c.check, "score": c.score, "max_score": c.max_score,
                   "output": "\n".join([f"{c.passed}/{c.total} cases passed", *c.messages])}
                  for c in o.checks],
    }


def feedback_html(o: Outcome, lab: Lab) -> str:
    e = html.escape
    rows = []
    for c in o.checks:
        failed = "".join(f"<li>{e(m)}</li>" for m in c.messages)
        rows.append(f"<tr><td>{e(c.check)}</td><td>{c.score:g} / {c.max_score:g}</td>"
                    f"<td>{c.passed}/{c.total}</td><td><ul>{failed}</ul></td></tr>")
    problems = "".join(f"<li>{e(p)}</li>" for p in o.problems)
    written = sum(lab.written.values())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(lab.name)} feedback for {e(o.student)}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}td,th{{border:1px solid #ccc;padding:.3em .6em;
vertical-align:top}}table{{border-collapse:collapse}}</style></head><body>
<h1>{e(lab.name)} — {e(o.student)}</h1>
<p>Autograded: <b>{o.auto_score:g} / {o.auto_max_score:g}</b>. Written answers ({written:g} points) are graded by a
teaching assistant{'; not yet graded' if o.needs_manual_grade else ''}.</p>
{f'<h2>Problems with this submission</h2><ul>{problems}</ul>' if problems else ''}
<h2>Checks</h2>
<table><tr><th>check</th><th>points</th><th>cases passed</th><th>failed cases</th></tr>
{''.join(rows)}
</table></body></html>
"""
