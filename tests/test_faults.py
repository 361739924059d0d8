"""A grader killed with SIGKILL mid-batch resumes without regrading finished students and without losing or
duplicating a grade; a changed resubmission is graded again; the killed workers' job folders are removed."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from helpers import sandbox_processes

from autograder.grade import grade
from autograder.sample_class import build_sample_class
from autograder.sandbox.kernels import JOBS_PREFIX, JOBS_ROOT

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
    done = course / "done" / lab01.name
    deadline = time.monotonic() + 600
    # Students are graded in name order, one at a time (a batch this small has one worker): partial and perfect are
    # finished when stub starts.
    while len(finished := sorted(p.stem for p in done.glob("*.json"))) < 2 and time.monotonic() < deadline and (
            grader.poll() is None):
        time.sleep(0.2)
    group = [pid for pid in map(int, filter(str.isdigit, os.listdir("/proc"))) if _group(pid) == grader.pid]
    os.killpg(grader.pid, signal.SIGKILL)  # mid-batch: stub is being graded
    grader.wait()
    assert finished == ["partial", "perfect"], "the grader was not killed mid-batch"
    orphans = [folder for pid in group for folder in JOBS_ROOT.glob(f"{JOBS_PREFIX}{pid}-*")]
    assert orphans, "the killed worker's job folder is left behind"
    graded_first = (course / "autograded" / "partial" / lab01.name / lab01.notebook_name).stat().st_mtime_ns

    # Started again: the finished student with the same files is skipped, the one whose files changed since is
    # graded again, and the unfinished one is graded.
    module = subs / "perfect" / lab01.module_file.name
    module.write_text((subs / "stub" / lab01.module_file.name).read_text())
    outcomes = {o.student: o.auto_score for o in grade(lab01.name, subs, course, progress=False)}
    assert outcomes == {**EXPECTED, "perfect": 0.0}
    assert (course / "autograded" / "partial" / lab01.name / lab01.notebook_name).stat().st_mtime_ns == graded_first
    db = sqlite3.connect(course / "gradebook.db")
    rows = db.execute("select student.id, count(*) from submitted_assignment join student "
                      "on submitted_assignment.student_id = student.id group by student.id").fetchall()
    assert dict(rows) == {s: 1 for s in EXPECTED}
    assert sandbox_processes() == []
    assert not [folder for folder in orphans if folder.exists()], "the next worker removes what the killed one left"


def _group(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None
