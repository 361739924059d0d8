"""A teaching assistant's batch: a roster, a due date with late penalties, learning-platform file names, a broken
notebook, gradebook imports for Canvas and Moodle, regrading a few students, and inputs refused before anything is
written."""

import csv
import json
import shutil
import zipfile

import pytest

from autograder.cli import main
from autograder.grade import grade
from autograder.notebooks import model_answers
from autograder.sample_class import build_sample_class

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def perfect(lab01, tmp_path_factory):
    return build_sample_class(lab01, tmp_path_factory.mktemp("sample")) / "perfect"


def _rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_roster_deadline_exports_and_regrading_a_few(lab01, perfect, tmp_path, capsys):
    nb, mod = lab01.notebook_name, lab01.module_file.name
    subs = tmp_path / "subs"
    alice = subs / "alice"  # late, by nbgrader's timestamp.txt
    shutil.copytree(perfect, alice)
    (alice / "timestamp.txt").write_text("2026-12-02 10:00:00 UTC")
    with zipfile.ZipFile(subs / "bob.zip", "w") as zf:  # on time, by the zip's dates; renamed by the platform
        zf.writestr(zipfile.ZipInfo(f"lab01_cnn ({1}).ipynb", date_time=(2026, 11, 30, 12, 0, 0)),
                    (perfect / nb).read_bytes())
        zf.writestr(zipfile.ZipInfo(mod, date_time=(2026, 11, 30, 12, 0, 0)), (perfect / mod).read_bytes())
    carol = subs / "carol"
    carol.mkdir()
    (carol / nb).write_text('{\n  "cells": [],\n  "metadata": {,\n}\n')
    shutil.copy(perfect / mod, carol / mod)
    shutil.copytree(perfect, subs / "eve")  # not on the roster
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,first_name,last_name,email\nalice,Alice,Liddell,alice@example.org\n"
                      "bob,Bob,Marley,bob@example.org\ncarol,Carol,Shields,carol@example.org\n"
                      "dave,Dave,Brubeck,dave@example.org\n")
    course = tmp_path / "course"

    outcomes = {o.student: o for o in grade(lab01.name, subs, course, progress=False, roster=str(roster),
                                            due="2026-12-01T23:59:00Z", late_penalty="zero")}
    err = capsys.readouterr().err
    full = sum(c.points for c in lab01.checks.values())
    assert set(outcomes) == {"alice", "bob", "carol", "dave", "eve"}
    assert outcomes["alice"].auto_score == outcomes["bob"].auto_score == full
    assert outcomes["alice"].gradebook["late_submission_penalty"] == full and outcomes["alice"].score == 0
    assert outcomes["bob"].gradebook["late_submission_penalty"] == 0 and outcomes["bob"].score == full
    assert outcomes["bob"].gradebook["timestamp"].startswith("2026-11-30")
    assert "took lab01_cnn (1).ipynb as lab01_cnn.ipynb" in err
    assert "not valid JSON at line 3, column 16" in outcomes["carol"].problems[0]
    assert outcomes["dave"].status == "no submission" and outcomes["dave"].score == 0
    assert "eve: submitted, but not on the roster" in err and "not on the roster" in outcomes["eve"].problems

    with open(course / "grades.csv", newline="") as f:
        grades = {r["student_id"]: r for r in csv.DictReader(f)}
    assert grades["alice"]["email"] == "alice@example.org" and grades["alice"]["last_name"] == "Liddell"
    assert grades["alice"]["duedate"].startswith("2026-12-01T23:59")
    assert grades["dave"]["status"] == "no submission"

    # The formgrader's notebook shows each written answer's model answer and rubric right after it; students'
    # feedback never does. Nothing of the sandbox's own stderr reaches the graded notebook.
    graded = json.loads((course / "autograded" / "alice" / lab01.name / nb).read_text())
    answers = model_answers(lab01)
    cells = graded["cells"]
    for i, cell in enumerate(cells):
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in lab01.written:
            assert cells[i + 1]["metadata"].get("model_answer") == grade_id
            assert answers[grade_id] in "".join(cells[i + 1]["source"])
    assert sum("model_answer" in c["metadata"] for c in cells) == len(lab01.written) > 0
    feedback = (course / "feedback" / "alice.html").read_text() + (course / "results" / "alice.json").read_text()
    assert not [a for a in answers.values() if a[:60] in feedback]
    assert "Fontconfig" not in json.dumps(cells)

    # Canvas: Student, ID, SIS User ID, SIS Login ID, Section, then one column per assignment and a points row.
    canvas = _rows(course / "canvas.csv")
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "lab01_cnn"]
    assert canvas[1][0].strip() == "Points Possible" and float(canvas[1][5]) == outcomes["alice"].max_score
    by_sis = {r[2]: r for r in canvas[2:]}
    assert by_sis["alice"][0] == "Liddell, Alice" and by_sis["alice"][3] == "alice@example.org"
    # Alice and Bob wrote answers that a teaching assistant has not graded yet: pending, an empty cell, never a
    # partial grade posted as final. Dave, without a submission, has his final zero.
    assert by_sis["bob"][5] == by_sis["alice"][5] == "" and float(by_sis["dave"][5]) == 0
    # Moodle: an identity column to map (ID number or email address), the grade item, its feedback.
    moodle = _rows(course / "moodle.csv")
    header = moodle[0]
    assert {"ID number", "Email address"} <= set(header) and "lab01_cnn (Real)" in header
    by_id = {r[header.index("ID number")]: r for r in moodle[1:]}
    assert by_id["bob"][header.index("Email address")] == "bob@example.org"
    assert by_id["bob"][header.index("lab01_cnn (Real)")] == ""
    assert "pending: written answers not graded yet" in by_id["bob"][header.index("lab01_cnn feedback")]
    assert "LATE by 10 h 1 min" in by_id["alice"][header.index("lab01_cnn feedback")]
    assert float(by_id["dave"][header.index("lab01_cnn (Real)")]) == 0
    # The renamed file is in Bob's row, not only on the terminal.
    assert "took lab01_cnn (1).ipynb as lab01_cnn.ipynb" in grades["bob"]["notes"]
    assert len(moodle) - 1 == len(canvas) - 2 == 5

    # Bob's resubmission is graded alone; nobody else's grade moves.
    before = {s: json.loads((course / "done" / lab01.name / f"{s}.json").read_text()) for s in ("alice", "eve")}
    (subs / "bob.zip").unlink()
    shutil.copytree(perfect, subs / "bob")
    (subs / "bob" / mod).write_text((perfect / mod).read_text().replace("return field", "return field + 1", 1))
    # From the command line without --late-penalty: the course's method ("zero") stays in force for Alice.
    assert main(["grade", lab01.name, str(subs), "--out", str(course), "--only", "bob", "--quiet"]) == 0
    with open(course / "grades.csv", newline="") as f:
        again = {r["student_id"]: r for r in csv.DictReader(f)}
    assert float(again["bob"]["auto_score"]) < full
    assert {s: float(again[s]["score"]) for s in outcomes} == {**{s: o.score for s, o in outcomes.items()},
                                                               "bob": float(again["bob"]["score"])}
    assert float(again["alice"]["late_submission_penalty"]) == float(again["alice"]["raw_score"]) > 0
    assert before == {s: json.loads((course / "done" / lab01.name / f"{s}.json").read_text()) for s in before}
    capsys.readouterr()
    grade(lab01.name, subs, course, progress=False)
    assert "3 students already graded with the same files were skipped" in capsys.readouterr().err


def test_bad_inputs_are_refused_before_anything_is_written(lab01, perfect, tmp_path, capsys):
    course = tmp_path / "course"
    empty = tmp_path / "empty"
    empty.mkdir()
    subs = tmp_path / "subs"
    shutil.copytree(perfect, subs / "alice")
    bad_roster = tmp_path / "roster.csv"
    bad_roster.write_text("name,email\nAlice,alice@example.org\n")
    for args, message in [
        ([str(tmp_path / "missing")], "not a folder of submissions"),
        ([str(empty)], "no submissions found"),
        ([str(subs), "--roster", str(bad_roster)], "needs a student_id"),
        ([str(subs), "--due", "next friday-ish"], "is not a date"),
        ([str(subs), "--late-penalty", "half"], "neither none, zero nor an importable plugin"),
        ([str(subs), "--only", "zoe"], "--only names students with no submission"),
    ]:
        assert main(["grade", lab01.name, *args[:1], "--out", str(course), *args[1:]]) == 2, args
        assert message in capsys.readouterr().err, args
        assert not course.exists(), args
