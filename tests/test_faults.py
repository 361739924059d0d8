"""A grader killed with SIGKILL mid-batch resumes without regrading finished students and without losing or
duplicating a grade; a changed resubmission is graded again."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from autograder.grade import grade
from autograder.sample_class import build_sample_class
from tests.test_sandbox import _sandbox_processes

pytestmark = pytest.mark.slow
EXPECTED = {"partial": 8.0333, "perfect": 10.0, "stub": 0.0}


def test_killed_grader_resumes_where_it_stopped(lab01, tmp_path):
    sample = build_sample_class(lab01, tmp_path / "sample")
    subs, course = tmp_path / "subs", tmp_path / "course"
    subs.mkdir()
    for student in EXPECTED:
        (sample / student).rename(subs / student)
    grader = subprocess.Popen([sys.executable, "-m", "autograder.cli", "grade", lab01.name, str(subs), "--out",
                               str(course), "--quiet"], start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    first_done = course / "done" / lab01.name / "partial.json"
    deadline = time.monotonic() + 600
    while not first_done.exists() and time.monotonic() < deadline and grader.poll() is None:
        time.sleep(0.2)
    assert first_done.exists(), "the first student was never finished"
    os.killpg(grader.pid, signal.SIGKILL)  # mid-batch: the second student is being graded
    grader.wait()
    graded_first = (course / "autograded" / "partial" / lab01.name / lab01.notebook_name).stat().st_mtime_ns

    outcomes = {o.student: o.auto_score for o in grade(lab01.name, subs, course, progress=False)}
    assert outcomes == EXPECTED
    assert (course / "autograded" / "partial" / lab01.name / lab01.notebook_name).stat().st_mtime_ns == graded_first
    db = sqlite3.connect(course / "gradebook.db")
    rows = db.execute("select student.id, count(*) from submitted_assignment join student "
                      "on submitted_assignment.student_id = student.id group by student.id").fetchall()
    assert dict(rows) == {s: 1 for s in EXPECTED}
    assert _sandbox_processes() == []

    # A resubmission with different files is graded again, not skipped.
    module = subs / "stub" / lab01.module_file.name
    module.write_text((subs / "perfect" / lab01.module_file.name).read_text())
    again = {o.student: o.auto_score for o in grade(lab01.name, subs, course, progress=False)}
    assert again == {**EXPECTED, "stub": 10.0}
