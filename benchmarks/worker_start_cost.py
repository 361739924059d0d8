"""What a local grading worker's start costs, in CPU, against what grading one student costs.

A worker's start is its process, its kernel factory's imports (torch, Lightning, labkit, ipykernel) and the judge's
own torch. `autograder grade` starts one worker per STUDENTS_PER_WORKER students (autograder.grade): a worker that
grades fewer students than its start is worth costs more CPU than it saves time. Three batches of one lab's
reference submission, graded with the sandbox on, in this one command:
1. one student, one worker;
2. N students, one worker: the CPU per student is (2 - 1) / (N - 1);
3. the same N students on two workers: the second worker's start is (3 - 2).

CPU is the whole machine's busy time (/proc/stat, Linux), since kernels run in sandboxes this process does not
reap: run it on an otherwise idle machine.

    python benchmarks/worker_start_cost.py [--lab lab01_cnn] [--students 9]

Prints the costs and their ratio, and writes benchmarks/results/worker_start_cost.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

from grading_throughput import busy_cpu_s

from autograder.dispatch import STUDENTS_PER_WORKER
from autograder.grade import grade
from autograder.labs import REPO_ROOT, get_lab
from autograder.sample_class import build_sample_class

RESULTS = REPO_ROOT / "benchmarks" / "results" / "worker_start_cost.json"


def graded_cpu_s(lab, folder: Path, course: Path, workers: int) -> tuple[float, float]:
    """(CPU-seconds, wall seconds) of grading `folder`."""
    cpu, wall = busy_cpu_s(), time.perf_counter()
    grade(lab.name, folder, course, progress=False, workers=workers, secret="bench")
    return busy_cpu_s() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lab", default="lab01_cnn")
    parser.add_argument("--students", type=int, default=STUDENTS_PER_WORKER + 1,
                        help="the larger batch; enough for two workers (more than STUDENTS_PER_WORKER)")
    args = parser.parse_args()
    if args.students <= STUDENTS_PER_WORKER:
        parser.error(f"--students must be more than {STUDENTS_PER_WORKER}, or the batch gets one worker only")
    lab = get_lab(args.lab)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        perfect = build_sample_class(lab, tmp / "sample") / "perfect"
        n = args.students
        for size in (1, n):
            for i in range(size):
                shutil.copytree(perfect, tmp / f"class{size}" / f"s{i:03d}")
        batches = {"1 student, 1 worker": graded_cpu_s(lab, tmp / "class1", tmp / "one", workers=1),
                   f"{n} students, 1 worker": graded_cpu_s(lab, tmp / f"class{n}", tmp / "serial", workers=1),
                   f"{n} students, 2 workers": graded_cpu_s(lab, tmp / f"class{n}", tmp / "two", workers=2)}
    one, serial, two = batches.values()

    per_student = (serial[0] - one[0]) / (n - 1)
    worker_start = two[0] - serial[0]
    result = {
        "lab": lab.name, "cores": os.cpu_count(), "machine": platform.machine(), "python": platform.python_version(),
        "batches": {k: {"cpu_s": round(c, 1), "wall_s": round(w, 1)} for k, (c, w) in batches.items()},
        "cpu_s_per_student": round(per_student, 2), "cpu_s_per_worker_start": round(worker_start, 1),
        "worker_start_in_students": round(worker_start / per_student, 1), "date": time.strftime("%Y-%m-%d"),
    }
    print(f"{lab.name}, {os.cpu_count()} cores")
    for name, (c, w) in batches.items():
        print(f"  {name}: {c:6.1f} CPU-s, {w:5.1f} s wall")
    print(f"  one student: {per_student:.2f} CPU-s; one worker's start: {worker_start:.1f} CPU-s, "
          f"{result['worker_start_in_students']:.1f} students' worth")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
