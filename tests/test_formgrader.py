"""The teaching assistant's loop after autograde, as a course would run it: written answers graded in nbgrader's
formgrader (started by `autograder formgrader`, driven through its HTTP API), finalize, every export agreeing; times
from a zone east of UTC; a course under /tmp in a folder with spaces and accents."""

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
from helpers import SAMPLE_SECRET
from nbgrader.api import Gradebook

from autograder.cli import main
from autograder.course import CourseDir
from autograder.notebooks import MODEL_ANSWER_NOTE, model_answers
from autograder.sample_class import build_sample_class

pytestmark = [pytest.mark.slow]
COMMENT = "Bonne idée ; précisez l'unité (pixels), s'il vous plaît."


def _rows(path, reader=csv.reader):
    with open(path, newline="", encoding="utf-8") as f:
        return list(reader(f))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Formgrader:
    """`autograder formgrader DIR` in a subprocess, and its JSON API with the printed token."""

    def __init__(self, course: Path):
        env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
        self.proc = subprocess.Popen([sys.executable, "-m", "autograder.cli", "formgrader", str(course)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        printed = "".join(self.proc.stdout.readline() for _ in range(3))
        match = re.search(r"open: (http://127\.0\.0\.1:\d+)/formgrader\?token=(\w+)", printed)
        assert match, printed
        self.base, self.token = match.groups()
        deadline = time.monotonic() + 120
        while True:
            try:
                self.call("GET", "/formgrader/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                assert self.proc.poll() is None and time.monotonic() < deadline, self.proc.stdout.read()
                time.sleep(0.5)

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json", "Authorization": f"token {self.token}"}
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, method=method, data=data, headers=headers)
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.loads(response.read() or b"null")

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.proc.stdout.close()


def _student_files(course: Path) -> list[Path]:
    """Everything of the course directory that reaches students or a learning platform."""
    files = [p for d in ("feedback", "upload", "results") for p in (course / d).rglob("*") if p.is_file()]
    return files + [course / n for n in ("grades.csv", "canvas.csv", "moodle.csv")]


def _leaks(course: Path, lab) -> list[str]:
    answers = [a[:60] for a in model_answers(lab).values()]
    leaks = []
    for path in _student_files(course):
        text = path.read_text(errors="replace") if path.suffix != ".zip" else "".join(
            zipfile.ZipFile(path).read(n).decode() for n in zipfile.ZipFile(path).namelist())
        leaks += [f"{path}: {a}" for a in [MODEL_ANSWER_NOTE, *answers] if a in text]
    return leaks


def test_formgrader_buttons_grade_in_the_sandbox_and_feedback_has_no_model_answer(graded_classes, lab01, tmp_path):
    source, outcomes = graded_classes(lab01.name)
    course = tmp_path / "cours d'été" / "DL 2026 é"
    shutil.copytree(source, course)
    (course / "grading_secret").write_text(SAMPLE_SECRET + "\n")  # the secret the sample class was graded with
    (course / "grades.csv").unlink()

    # nbgrader's own autograde (what a formgrader started by hand would run) is refused and touches nothing.
    CourseDir(course).configure_late_penalty(None)
    from autograder.formgrader import write_nbgrader_config

    write_nbgrader_config(CourseDir(course))
    graded_nb = course / "autograded" / "stub" / lab01.name / lab01.notebook_name
    before = _digest(graded_nb), _digest(course / "gradebook.db")
    plain = subprocess.run([os.path.join(os.path.dirname(sys.executable), "nbgrader"), "autograde", lab01.name,
                            "--student", "stub", "--force"], cwd=course, capture_output=True, text=True)
    assert "turned off in this course directory" in plain.stderr + plain.stdout
    assert f"autograder grade {lab01.name} SUBMISSIONS --out" in plain.stderr + plain.stdout
    assert (_digest(graded_nb), _digest(course / "gradebook.db")) == before

    server = Formgrader(course)
    try:
        with urllib.request.urlopen(server.base + "/formgrader/api/assignments", timeout=60) as anonymous:
            assert "/login" in anonymous.url  # no token, no formgrader
        assert [a["name"] for a in server.call("GET", "/formgrader/api/assignments")] == [lab01.name]
        listed = {s["student"]: s for s in server.call("GET", f"/formgrader/api/submissions/{lab01.name}")}
        assert listed["partial"]["score"] == pytest.approx(outcomes["partial"].score)

        # Autograde: this grader, in the sandbox, with the course's secret: the command line's grade.
        pressed = server.call("POST", f"/formgrader/api/submission/{lab01.name}/partial/autograde")
        assert pressed["success"], pressed
        grades = {r["student_id"]: r for r in _rows(course / "grades.csv", csv.DictReader)}
        assert float(grades["partial"]["score"]) == pytest.approx(outcomes["partial"].score)
        assert outcomes["partial"].score > 0
        assert grades["partial"]["status"] == "graded"

        # Written answers graded in the formgrader, with a comment; then Generate Feedback for everyone.
        notebooks = server.call("GET", f"/formgrader/api/submitted_notebooks/{lab01.name}/{lab01.name}")
        perfect = next(n for n in notebooks if n["student"] == "perfect")
        for grade in server.call("GET", f"/formgrader/api/grades?submission_id={perfect['id']}"):
            if grade["name"] in lab01.written:
                server.call("PUT", f"/formgrader/api/grade/{grade['id']}", {"manual_score": 0.5})
        for comment in server.call("GET", f"/formgrader/api/comments?submission_id={perfect['id']}"):
            server.call("PUT", f"/formgrader/api/comment/{comment['id']}", {"manual_comment": COMMENT})
        generated = server.call("POST", f"/formgrader/api/assignment/{lab01.name}/generate_feedback")
        assert generated["success"], generated
    finally:
        server.close()

    written = 0.5 * len(lab01.written)
    total = outcomes["perfect"].auto_score + written
    assert not _leaks(course, lab01)
    assert MODEL_ANSWER_NOTE in graded_nb.read_text()  # the teaching assistant's notebook keeps them
    nbgrader_page = (course / "feedback" / "perfect" / lab01.name / f"{lab01.name}.html").read_text()
    assert "précisez l&#x27;unité" in nbgrader_page or "précisez l'unité" in nbgrader_page
    grades = {r["student_id"]: r for r in _rows(course / "grades.csv", csv.DictReader)}
    assert float(grades["perfect"]["score"]) == total and grades["perfect"]["state"] == "final"
    assert float(grades["partial"]["score"]) == pytest.approx(outcomes["partial"].score)
    canvas = {r[2]: r[5] for r in _rows(course / "canvas.csv")[2:]}
    assert float(canvas["perfect"]) == total
    result = json.loads((course / "results" / "perfect.json").read_text())
    assert result["score"] == total and COMMENT in result["output"]
    assert COMMENT in (course / "moodle.csv").read_text(encoding="utf-8")


def _zip_from_paris(path: Path, perfect: Path, lab, when: tuple) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name in (lab.notebook_name, lab.module_file.name):
            zf.writestr(zipfile.ZipInfo(name, date_time=when), (perfect / name).read_bytes())


def test_east_of_utc_manual_grades_and_finalize_agree_in_every_export(lab01, tmp_path, capsys):
    perfect = build_sample_class(lab01, tmp_path / "sample") / "perfect"
    subs = tmp_path / "subs"
    subs.mkdir()
    _zip_from_paris(subs / "early.zip", perfect, lab01, (2026, 12, 1, 23, 30, 0))  # Paris, 29 min before
    _zip_from_paris(subs / "late.zip", perfect, lab01, (2026, 12, 2, 0, 10, 0))  # Paris, 11 min after
    roster = tmp_path / "roster.csv"  # as a French spreadsheet saves it
    roster.write_text("student_id;first_name;last_name;email\nearly;Élise;Dupré;elise@example.org\n"
                      "late;Loïc;Martin, Jr;loic@example.org\n", encoding="utf-8")
    course = tmp_path / "cours d'été" / "DL é 2026"
    assert main(["grade", lab01.name, str(subs), "--out", str(course), "--roster", str(roster), "--quiet",
                 "--due", "2026-12-01T23:59:00+01:00", "--late-penalty", "zero", "--timezone", "Europe/Paris"]) == 0
    printed = capsys.readouterr().out
    assert "2 pending" in printed and "2 students graded" not in printed

    # Written answers ungraded: pending everywhere, nothing posted as final.
    grades = {r["student_id"]: r for r in _rows(course / "grades.csv", csv.DictReader)}
    assert {s: grades[s]["state"] for s in grades} == {"early": "pending", "late": "pending"}
    assert grades["early"]["timestamp"] == "2026-12-01T23:30:00+01:00" and grades["early"]["late"] == "False"
    assert grades["late"]["late"] == "True" and "student's machine" in grades["late"]["timestamp_source"]
    assert grades["late"]["duedate"] == "2026-12-01T23:59:00+01:00"
    assert {r[2]: r[5] for r in _rows(course / "canvas.csv")[2:]} == {"early": "", "late": ""}
    assert all(r[4] == "" for r in _rows(course / "moodle.csv")[1:])
    assert json.loads((course / "results" / "late.json").read_text())["visibility"] == "hidden"

    # The teaching assistant grades the written answers (what the formgrader writes), with a comment.
    with Gradebook(CourseDir(course).db_url) as gb:
        for student in ("early", "late"):
            notebook = gb.find_submission_notebook(lab01.name, lab01.name, student)
            for grade in notebook.grades:
                if grade.name in lab01.written:
                    grade.manual_score, grade.needs_manual_grade = 1.0, False
            for comment in notebook.comments:
                comment.manual_comment = COMMENT
        gb.db.commit()
    assert main(["finalize", lab01.name, "--out", str(course)]) == 0  # the course's --late-penalty zero is kept

    auto = sum(c.points for c in lab01.checks.values())
    raw = auto + sum(lab01.written.values())
    grades = {r["student_id"]: r for r in _rows(course / "grades.csv", csv.DictReader)}
    canvas = {r[2]: r[5] for r in _rows(course / "canvas.csv")[2:]}
    moodle = {r[2]: r for r in _rows(course / "moodle.csv")[1:]}
    expected = {"early": (raw, 0.0), "late": (0.0, raw)}  # penalty "zero" on the total, written answers included
    for student, (score, penalty) in expected.items():
        result = json.loads((course / "results" / f"{student}.json").read_text())
        page = (course / "feedback" / f"{student}.html").read_text()
        assert float(grades[student]["score"]) == float(canvas[student]) == float(moodle[student][4]) == \
            result["score"] == score, student
        assert float(grades[student]["raw_score"]) == raw
        assert float(grades[student]["late_submission_penalty"]) == result["extra_data"]["late_submission_penalty"] \
            == penalty
        assert f"Total: <b>{score:g} / {raw:g}</b>" in page
        assert grades[student]["state"] == "final" and COMMENT in grades[student]["comments"]
        assert COMMENT in moodle[student][5] and COMMENT in result["output"]
        assert "précisez l&#x27;unité" in page
        late_words = "LATE by 11 min" if penalty else "on time"
        assert late_words in moodle[student][5] and late_words in result["output"] and late_words in page
    assert f"late penalty {raw:g} points on a total of {raw:g}" in moodle["late"][5]
    with Gradebook(CourseDir(course).db_url) as gb:  # nbgrader's own views agree too
        assert gb.find_submission(lab01.name, "late").late_submission_penalty == raw
    upload = course / "upload" / lab01.name
    assert sorted(zipfile.ZipFile(upload / "feedback.zip").namelist()) == [
        f"early/{lab01.name}-feedback.html", f"late/{lab01.name}-feedback.html"]
    assert not _leaks(course, lab01)
