"""Students graded per minute: stock `nbgrader autograde` (no sandbox) against this grader with its defaults.

One class of N students of one lab (the reference, the stub and the lab's catalogued mutants, in turn) is graded
three times in this one command:
1. stock nbgrader: `nbgrader autograde LAB` over the same notebooks, serial, no sandbox, each kernel started afresh
   (its hidden test cells run each check's cases in the kernel, from the cases file given to it, so that it does
   the work our clean check process does);
2. this grader with its defaults (sandbox on, warm kernels, one worker per core), timed as the whole
   `grade()` call (nbgrader set-up, intake and exports included);
3. this grader with one worker, to check that parallel grading gives the same scores as a serial run.

    python benchmarks/grading_throughput.py [--lab lab01_cnn] [--students 24 100] [--workers N]

Prints, for each class size, students per minute, the ratio and the CPU seconds per student (every process of the
machine together, and this grader's launching process alone), and writes benchmarks/results/grading_throughput.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder.grade import grade
from autograder.labs import REPO_ROOT, get_lab
from autograder.notebooks import source_notebook, strip_solutions
from autograder.sample_class import answer_everything, reference_source, replace_function
from labkit.codec import dumps_strict, encode
from labkit.grading import CASES_FILE, GRADING_DIR

RESULTS = REPO_ROOT / "benchmarks" / "results" / "grading_throughput.json"


def build_class(lab, n: int, dest: Path) -> list[str]:
    """n students: the reference, the stub, then each catalogued mutant, in turn."""
    release_nb = json.loads((REPO_ROOT / "labs" / lab.name / lab.notebook_name).read_text())
    reference = reference_source(lab)
    modules = [("reference", reference), ("stub", strip_solutions(lab.module_file.read_text(), "stub"))]
    for name, replacements in lab.mutants.MUTANTS.items():
        source = reference
        for function, replacement in replacements.items():
            source = replace_function(source, function, replacement)
        modules.append((name, source))
    students = []
    for i in range(n):
        _, module = modules[i % len(modules)]
        student = f"s{i:03d}"
        folder = dest / student
        folder.mkdir(parents=True)
        (folder / lab.notebook_name).write_text(json.dumps(answer_everything(release_nb), indent=1))
        (folder / lab.module_file.name).write_text(module)
        students.append(student)
    return students


def stock_nbgrader(lab, subs: Path, students: list[str], course: Path) -> float:
    """Seconds for `nbgrader autograde LAB` over the class, as nbgrader ships (no sandbox, serial)."""
    source = course / "source" / lab.name
    source.mkdir(parents=True)
    nb = source_notebook(lab)
    for cell in nb.cells:  # each test cell runs its check's cases in the kernel, as nbgrader's own tests would
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in lab.checks and not cell.metadata["nbgrader"].get("solution"):
            cell.source += (f"\n### BEGIN HIDDEN TESTS\nfrom labkit.recording import record_checks\n"
                            f"record_checks('.', {lab.module_file.name!r}, only=[{grade_id!r}])\n### END HIDDEN TESTS")
    nbformat.write(nb, source / lab.notebook_name)
    shutil.copy(lab.source_dir / "checks.py", source / "checks.py")
    (source / GRADING_DIR).mkdir()  # nbgrader copies it into every submission: the hidden cells find their cases
    cases = {cid: encode(lab.cases(cid, "stock")) for cid in lab.checks}
    (source / GRADING_DIR / CASES_FILE).write_text(dumps_strict(cases))
    for student in students:
        shutil.copytree(subs / student, course / "submitted" / student / lab.name)
    nbgrader = [str(Path(sys.executable).parent / "nbgrader")]
    root = f"--CourseDirectory.root={course}"
    env = {**os.environ, "WANDB_MODE": "disabled", "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    subprocess.run([*nbgrader, "generate_assignment", lab.name, "--force", root], check=True, env=env, cwd=course,
                   capture_output=True)
    start = time.perf_counter()
    subprocess.run([*nbgrader, "autograde", lab.name, "--force", root], check=True, env=env, cwd=course,
                   capture_output=True)
    return time.perf_counter() - start


def busy_cpu_s() -> float:
    """CPU seconds this machine has spent busy (all processes, from /proc/stat), to take differences of."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def measure(lab, n: int, workers: int, tmp: Path) -> dict:
    """One class of n students graded by stock nbgrader, by this grader, and by this grader with one worker."""
    students = build_class(lab, n, tmp / "subs")
    cpu = busy_cpu_s()
    stock_s = stock_nbgrader(lab, tmp / "subs", students, tmp / "stock")
    stock_cpu = busy_cpu_s() - cpu

    cpu, main_cpu, start = busy_cpu_s(), time.process_time(), time.perf_counter()
    parallel = grade(lab.name, tmp / "subs", tmp / "ours", progress=False, workers=workers, secret="bench")
    ours_s = time.perf_counter() - start
    ours_cpu, main_cpu = busy_cpu_s() - cpu, time.process_time() - main_cpu
    serial = grade(lab.name, tmp / "subs", tmp / "serial", progress=False, workers=1, secret="bench")

    scores_parallel = {o.student: o.auto_score for o in parallel}
    scores_serial = {o.student: o.auto_score for o in serial}
    return {
        "students": n, "stock_nbgrader_s": round(stock_s, 2), "ours_s": round(ours_s, 2),
        "stock_students_per_min": round(60 * n / stock_s, 2), "ours_students_per_min": round(60 * n / ours_s, 2),
        "ratio": round(stock_s / ours_s, 2),
        # CPU seconds per student, every process of the machine together; and this grader's launching process alone
        "stock_cpu_s_per_student": round(stock_cpu / n, 3), "ours_cpu_s_per_student": round(ours_cpu / n, 3),
        "ours_main_process_cpu_s_per_student": round(main_cpu / n, 3),
        "scores_equal_serial": scores_parallel == scores_serial,
        "scores_that_differ": {s: (scores_parallel[s], scores_serial.get(s)) for s in scores_parallel
                               if scores_parallel[s] != scores_serial.get(s)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lab", default="lab01_cnn")
    parser.add_argument("--students", type=int, nargs="+", default=[24, 100])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    lab = get_lab(args.lab)
    runs = []
    for n in args.students:
        with tempfile.TemporaryDirectory() as tmp:
            run = measure(lab, n, args.workers, Path(tmp))
        runs.append(run)
        print(f"{lab.name}, {n} students, {os.cpu_count()} cores, {args.workers} workers")
        print(f"  stock nbgrader autograde (no sandbox): {run['stock_students_per_min']:7.2f} students/min "
              f"({run['stock_nbgrader_s']:.1f} s, {run['stock_cpu_s_per_student']:.2f} CPU-s per student)")
        print(f"  this grader (sandbox on):              {run['ours_students_per_min']:7.2f} students/min "
              f"({run['ours_s']:.1f} s, {run['ours_cpu_s_per_student']:.2f} CPU-s per student, of which "
              f"{run['ours_main_process_cpu_s_per_student']:.3f} in the launching process)")
        print(f"  ratio: {run['ratio']:.2f}x; scores equal a serial run's: {run['scores_equal_serial']}")
    result = {"lab": lab.name, "workers": args.workers, "cores": os.cpu_count(), "machine": platform.machine(),
              "python": platform.python_version(), "date": time.strftime("%Y-%m-%d"), "runs": runs}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    if not all(run["scores_equal_serial"] for run in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
