"""From autograde to final grades, without grading a notebook: submission times and their zone, rosters from
spreadsheets, pending students in every export, model answers out of what students get."""

import csv
import json
import zipfile
from datetime import datetime

import nbformat
import pytest

from autograder import exports
from autograder.intake import intake_one
from autograder.notebooks import model_answers, with_model_answers, with_student_outputs, without_model_answers
from autograder.results import CheckResult, Outcome
from autograder.roster import RosterError, read_roster
from autograder.settings import parse_due
from autograder.times import STUDENT_MACHINE, TimePolicy, TimesError, parse_zone, read_timestamps


def _zip(path, lab, when):
    nb = nbformat.v4.new_notebook()
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo(lab.notebook_name, date_time=when), nbformat.writes(nb))
        zf.writestr(zipfile.ZipInfo(lab.module_file.name, date_time=when), "x = 1\n")
    return path


def _rows(path, reader=csv.reader):
    with open(path, newline="", encoding="utf-8") as f:
        return list(reader(f))


def _time(dest):
    from nbgrader.utils import parse_utc

    return parse_utc((dest / "timestamp.txt").read_text().strip())


def test_times_east_of_utc_platform_first_zip_times_flagged(lab01, tmp_path):
    paris = TimePolicy(zone=parse_zone("Europe/Paris"), zone_given=True)
    due = parse_due("2026-12-01T23:59:00+01:00")
    before = _zip(tmp_path / "early.zip", lab01, (2026, 12, 1, 23, 30, 0))  # Paris time on the student's laptop
    after = _zip(tmp_path / "late.zip", lab01, (2026, 12, 2, 0, 10, 0))
    r = intake_one("early", before, lab01, tmp_path / "out" / "early", paris)
    assert _time(tmp_path / "out" / "early") == datetime(2026, 12, 1, 22, 30) < due  # on time, not 23:30 UTC
    assert (tmp_path / "out" / "early" / "timestamp.txt").read_text().strip() == "2026-12-01T23:30:00+01:00"
    assert STUDENT_MACHINE in (tmp_path / "out" / "early" / "timestamp_source.txt").read_text()
    assert not r.problems
    intake_one("late", after, lab01, tmp_path / "out" / "late", paris)
    assert _time(tmp_path / "out" / "late") > due

    # The platform's export wins over a backdated zip; a time without an offset is read in the stated zone.
    table = tmp_path / "times.csv"
    table.write_text("student_id;timestamp\nlate;2026-12-02 00:10:00\nearly;2026-12-01T22:00:00Z\n")
    platform = TimePolicy(zone=paris.zone, platform=read_timestamps(table, paris.zone), zone_given=True)
    backdated = _zip(tmp_path / "late2.zip", lab01, (2026, 11, 1, 12, 0, 0))
    intake_one("late", backdated, lab01, tmp_path / "out" / "late2", platform)
    assert _time(tmp_path / "out" / "late2") == datetime(2026, 12, 1, 23, 10)
    assert "learning platform" in (tmp_path / "out" / "late2" / "timestamp_source.txt").read_text()
    # nbgrader's timestamp.txt in a submission folder (an exchange's) is trusted, with its own zone.
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / lab01.notebook_name).write_text(nbformat.writes(nbformat.v4.new_notebook()))
    (folder / lab01.module_file.name).write_text("x = 1\n")
    (folder / "timestamp.txt").write_text("2026-12-01 23:58:00.123 Europe/Paris")
    intake_one("f", folder, lab01, tmp_path / "out" / "f", TimePolicy())
    assert _time(tmp_path / "out" / "f") < due
    assert "nbgrader" in (tmp_path / "out" / "f" / "timestamp_source.txt").read_text()

    with pytest.raises(TimesError, match="Europe/Paris"):
        parse_zone("Paris time")
    (tmp_path / "bad.csv").write_text("who,when\nbob,yesterday\n")
    with pytest.raises(TimesError, match="needs a student_id column and a timestamp column"):
        read_timestamps(tmp_path / "bad.csv", paris.zone)


@pytest.mark.parametrize("sep", [";", "\t", ","])
def test_rosters_from_spreadsheets(tmp_path, sep):
    path = tmp_path / "roster.csv"
    path.write_text(sep.join(["student_id", "first_name", "last_name", "email"]) + "\n"
                    + sep.join(["alice", "Alice", "Liddell", "alice@example.org"]) + "\n", encoding="utf-8")
    assert read_roster(path)["alice"].email == "alice@example.org"
    path.write_text("nom;prénom\nLiddell;Alice\n")
    with pytest.raises(RosterError, match="separated by commas, semicolons or tabs"):
        read_roster(path)


def _outcome(student, *, status="graded", pending=False, score=7.0, late=0.0, penalty=0.0, comment=""):
    o = Outcome(student, "lab01_cnn", checks=[CheckResult("conv_output_size", 2.0, 2.0, 3, 3)], score=score,
                max_score=15.0, auto_score=2.0, auto_max_score=10.0, needs_manual_grade=pending, status=status)
    o.gradebook = {"first_name": "A", "last_name": student, "email": f"{student}@example.org",
                   "duedate": "2026-12-01T23:59:00+01:00", "timestamp": "2026-12-02T00:10:00+01:00" if late else
                   "2026-12-01T23:30:00+01:00", "seconds_late": late, "raw_score": score + penalty,
                   "late_submission_penalty": penalty, "pending": pending or status == "grader error",
                   "written": [{"id": "answer_1a", "score": 1.0, "max_score": 1.0, "graded": not pending,
                                "comment": comment}],
                   "comments": [{"id": "answer_1a", "comment": comment}] if comment else []}
    return o


def test_pending_and_grader_errors_are_never_posted_as_final(lab01, tmp_path):
    from autograder.course import CourseDir

    course = CourseDir(tmp_path / "course")
    course.root.mkdir()
    outcomes = [_outcome("done", comment="Bien vu; précisez l'unité."), _outcome("waiting", pending=True),
                _outcome("broke", status="grader error"), _outcome("late", score=0.0, late=660.0, penalty=3.0)]
    exports.write_all(course, lab01, outcomes)
    canvas = {r[2]: r[5] for r in _rows(course.canvas_csv)[2:]}
    assert canvas == {"done": "7", "waiting": "", "broke": "", "late": "0"}
    moodle = {r[2]: r for r in _rows(course.moodle_csv)[1:]}
    assert moodle["waiting"][4] == "" and "pending: written answers not graded yet" in moodle["waiting"][5]
    assert moodle["broke"][4] == "" and "grader failed" in moodle["broke"][5]
    assert "précisez l'unité" in moodle["done"][5] and "LATE by 11 min" in moodle["late"][5]
    grades = {r["student_id"]: r for r in _rows(course.grades_csv, csv.DictReader)}
    assert [grades[s]["state"] for s in ("done", "waiting", "broke", "late")] == ["final", "pending", "pending",
                                                                                "final"]
    for student in ("waiting", "broke"):
        result = json.loads(course.results(student).read_text())
        assert result["visibility"] == "hidden" and result["extra_data"]["state"] == "pending"
        assert result["score"] == 2.0  # only the autograded points, never the total
        assert "pending" in course.feedback(student).read_text().lower()
    done = json.loads(course.results("done").read_text())
    assert done["score"] == 7.0 and "answer_1a: 1/1 — Bien vu; précisez l'unité." in done["output"]
    assert "visibility" not in done
    late = course.feedback("late").read_text()
    assert "late penalty 3 points on a total of 3" in late and "Total: <b>0 / 15</b>" in late


def _sources(nb) -> str:
    return "\n".join(cell.source for cell in nb.cells)


def test_model_answers_and_hidden_tests_stay_out_of_what_students_get(lab01):
    from autograder.notebooks import source_notebook

    answers = model_answers(lab01)
    graded = with_model_answers(source_notebook(lab01), answers)
    assert all(a[:60] in _sources(graded) for a in answers.values())
    student_view = _sources(without_model_answers(graded))
    assert not [a for a in answers.values() if a[:60] in student_view]
    assert "record(" not in student_view and "check(" in student_view
    # Also when the metadata that marks them was lost on the way.
    graded = with_model_answers(source_notebook(lab01), answers)
    for cell in graded.cells:
        cell.metadata.pop("model_answer", None)
    assert not [a for a in answers.values() if a[:60] in _sources(without_model_answers(graded))]


def test_the_graded_notebook_shows_the_students_own_outputs_marked(lab01):
    nb = nbformat.v4.new_notebook()
    run = nbformat.v4.new_code_cell("print(gap)", id="cell-007")
    run.outputs = [nbformat.v4.new_output("stream", name="stdout", text="grader: IAF gap 0.395\n")]
    nb.cells = [run]
    theirs = nbformat.v4.new_notebook()
    own = nbformat.v4.new_code_cell("print(gap)", id="cell-007")
    own.outputs = [nbformat.v4.new_output("stream", name="stdout", text="student: IAF gap 0.052\n"),
                   nbformat.v4.new_output("display_data", data={"text/html": "<script>alert(1)</script>",
                                                                "text/plain": "<Figure>"})]
    theirs.cells = [own]
    outputs = with_student_outputs(nb, theirs).cells[0].outputs
    texts = [o.get("text") or o.get("data", {}).get("text/plain") for o in outputs]
    assert texts[1] == "student: IAF gap 0.052\n" and texts[2] == "<Figure>" and texts[4] == "grader: IAF gap 0.395\n"
    assert "student's own run" in texts[0] and "grader's re-run" in texts[3]
    assert "<script>" not in nbformat.writes(nb)
