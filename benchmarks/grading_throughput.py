"""Students graded per minute: stock `nbgrader autograde` (no sandbox) against this grader with its defaults.

One class of N students of one lab (the reference, the stub and the lab's catalogued mutants, in turn) is graded
three times in this one command:
1. stock nbgrader: `nbgrader autograde LAB` over the same notebooks, serial, no sandbox, each kernel started afresh
   (its hidden test cells run each check's cases in the kernel, from the cases file given to it, so that it does
   the work our clean check process does);
2. this grader with its defaults (sandbox on, warm kernels, one worker per core), timed as the whole
   `grade()` call (nbgrader set-up, intake and exports included);
3. this grader with one worker, to check that parallel grading gives the same scores as a serial run.

    python benchmarks/grading_throughput.py [--lab lab01_cnn] [--students 24] [--workers N]

Prints students per minute and the ratio, and writes benchmarks/results/grading_throughput.json.
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
from labkit.grading import CASES_FILE, GRADING_DIR, dumps_strict, encode

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
            cell.source += (f"\n### BEGIN HIDDEN TESTS\nfrom labkit.grading import record_checks\n"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lab", default="lab01_cnn")
    parser.add_argument("--students", type=int, default=24)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    lab = get_lab(args.lab)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        students = build_class(lab, args.students, tmp / "subs")
        stock_s = stock_nbgrader(lab, tmp / "subs", students, tmp / "stock")

        start = time.perf_counter()
        parallel = grade(lab.name, tmp / "subs", tmp / "ours", progress=False, workers=args.workers, secret="bench")
        ours_s = time.perf_counter() - start
        serial = grade(lab.name, tmp / "subs", tmp / "serial", progress=False, workers=1, secret="bench")

    scores_parallel = {o.student: o.auto_score for o in parallel}
    scores_serial = {o.student: o.auto_score for o in serial}
    n = len(students)
    result = {
        "lab": lab.name, "students": n, "workers": args.workers, "cores": os.cpu_count(),
        "machine": platform.machine(), "python": platform.python_version(),
        "stock_nbgrader_s": round(stock_s, 2), "ours_s": round(ours_s, 2),
        "stock_students_per_min": round(60 * n / stock_s, 2), "ours_students_per_min": round(60 * n / ours_s, 2),
        "ratio": round(stock_s / ours_s, 2), "scores_equal_serial": scores_parallel == scores_serial,
        "date": time.strftime("%Y-%m-%d"),
    }
    print(f"{lab.name}, {n} students, {os.cpu_count()} cores")
    print(f"  stock nbgrader autograde (no sandbox): {result['stock_students_per_min']:7.2f} students/min "
          f"({stock_s:.1f} s)")
    print(f"  this grader ({args.workers} workers, sandbox on): {result['ours_students_per_min']:7.2f} students/min "
          f"({ours_s:.1f} s)")
    print(f"  ratio: {result['ratio']:.2f}x; scores equal a serial run's: {result['scores_equal_serial']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    if not result["scores_equal_serial"]:
        diff = {s: (scores_parallel[s], scores_serial.get(s)) for s in scores_parallel
                if scores_parallel[s] != scores_serial.get(s)}
        print(f"  scores that differ (parallel, serial): {diff}")
        sys.exit(1)


if __name__ == "__main__":
    main()
