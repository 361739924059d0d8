"""Where one student's grading goes, in wall and CPU time: the notebook's run in its kernel, the clean check process,
the judge (with its diagnosis), and the rest of the worker's job.

A worker grades one student at a time, so any wall time that is not CPU time (a wait on a timer, a poll's sleep,
a socket's linger) is a core left idle. The class of grading_throughput.py (the reference, the stub and the
catalogued mutants in turn) is graded in this one process, as a local worker would grade it after its canary.
CPU is the whole machine's busy time (/proc/stat, Linux), since kernels run in sandboxes: run it on an idle machine.

    python benchmarks/student_cost.py [--lab lab01_cnn] [--students 24]

Prints, per phase, the wall and CPU seconds per student and their ratio, and writes
benchmarks/results/student_cost_<lab>.json.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import subprocess
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from grading_throughput import build_class, busy_cpu_s

from autograder import gradebook, preprocessors, worker
from autograder.course import CourseDir
from autograder.grade import _job, canary
from autograder.intake import intake
from autograder.labs import REPO_ROOT, get_lab
from autograder.settings import GradingSettings

PHASES = {"notebook": (worker, "_run_notebook"), "checks": (worker, "_record_checks"),
          "judge": (preprocessors.Judge, "preprocess")}


def timed(totals: dict, name: str, function):
    @functools.wraps(function)
    def run(*args, **kwargs):
        wall, cpu = time.perf_counter(), busy_cpu_s()
        try:
            return function(*args, **kwargs)
        finally:
            totals[name][0] += time.perf_counter() - wall
            totals[name][1] += busy_cpu_s() - cpu
    return run


def measure(lab, n: int, tmp: Path) -> dict:
    students = build_class(lab, n, tmp / "subs")
    settings = GradingSettings(secret="bench")
    course = CourseDir(tmp / "course")
    intakes = intake({s: tmp / "subs" / s for s in students}, lab, course.root / "submitted")
    todo = gradebook.to_grade(course, lab, intakes, settings, "bench")
    source = gradebook.open_lab(course, lab, {}, None)
    jobs = [_job(course, lab, settings, "bench", item, source) for item in todo]
    worker.start_worker(sandbox=True)
    worker.check_canary(canary(lab, settings))
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for name, (owner, attribute) in PHASES.items():
        setattr(owner, attribute, timed(totals, name, getattr(owner, attribute)))
    wall, cpu = time.perf_counter(), busy_cpu_s()
    for job in jobs:
        worker.grade_job(job)
    totals["whole job"] = [time.perf_counter() - wall, busy_cpu_s() - cpu]
    worker.close_factory()
    return {name: {"wall_s_per_student": round(w / n, 3), "cpu_s_per_student": round(c / n, 3),
                   "wall_over_cpu": round(w / c, 2) if c else None} for name, (w, c) in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lab", default="lab01_cnn")
    parser.add_argument("--students", type=int, default=24)
    args = parser.parse_args()
    lab = get_lab(args.lab)
    with tempfile.TemporaryDirectory() as tmp:
        phases = measure(lab, args.students, Path(tmp))
    print(f"{lab.name}, {args.students} students graded by one worker, {os.cpu_count()} cores")
    for name, row in phases.items():
        print(f"  {name:10s} {row['wall_s_per_student']:.3f} s wall, {row['cpu_s_per_student']:.3f} CPU-s per "
              f"student: wall / CPU {row['wall_over_cpu']}")
    git = functools.partial(subprocess.run, capture_output=True, text=True, cwd=REPO_ROOT)
    commit = git(["git", "rev-parse", "--short", "HEAD"]).stdout.strip()
    if git(["git", "status", "--porcelain", "--", "autograder", "labkit", "solutions"]).stdout.strip():
        commit += " with uncommitted changes to the code"
    result = {"commit": commit, "lab": lab.name, "students": args.students, "cores": os.cpu_count(),
              "machine": platform.machine(), "python": platform.python_version(), "date": time.strftime("%Y-%m-%d"),
              "phases": phases}
    path = REPO_ROOT / "benchmarks" / "results" / f"student_cost_{lab.name}.json"
    path.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
