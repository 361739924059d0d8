"""What diagnosis (autograder.diagnosis) costs: per-student grading time with and without it, in this one process.

One class of N students of one lab (the reference, the stub and the lab's catalogued mutants, in turn, each with
its own hidden cases, as in a real batch) is measured two ways:
1. end to end: `grade()` with diagnosis off (AUTOGRADER_DIAGNOSIS=off) and on, alternated `--repeats` times, each
   in a fresh course directory and a fresh worker (sandbox on, warm kernels, `--workers` workers): the fastest
   run's seconds per student each way, and their ratio;
2. the judge alone: every student's records (written once by the clean check process) judged here by a cold judge
   (empty caches, the mistakes' modules built again), with diagnosis off and on, twice each after a warm-up pass:
   the diagnosis's own seconds per student, beside the judge's; on a busy machine this is the steadier number.

    python benchmarks/diagnosis_cost.py [--lab lab01_cnn] [--students 16] [--workers 1]

Prints the ratios and writes benchmarks/results/diagnosis_cost_<lab>.json. The goal: diagnosis adds at most about
20% to a student's grading time.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing.forkserver
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder import diagnosis, judge
from autograder.grade import grade
from autograder.labs import REPO_ROOT, get_lab
from benchmarks.grading_throughput import build_class
from labkit.codec import dumps_strict, encode
from labkit.grading import CASES_FILE, GRADING_DIR
from labkit.recording import record_folders_command


def end_to_end(lab, subs: Path, out: Path, workers: int, diagnose: bool) -> tuple[float, list]:
    """Seconds for a whole grade() of the class, and its outcomes; a fresh worker (forkserver) for each run, so that
    it reads the switch and starts with empty caches."""
    os.environ[judge.DIAGNOSIS_SWITCH] = "on" if diagnose else "off"
    multiprocessing.forkserver._forkserver._stop()
    start = time.perf_counter()
    outcomes = grade(lab.name, subs, out, progress=False, workers=workers, secret="bench", regrade=True)
    return time.perf_counter() - start, outcomes


def judge_only(lab, subs: Path, students: list[str], tmp: Path) -> dict[str, float]:
    """Record every student's checks once, then judge them all here, cold, with diagnosis off and then on."""
    folders = []
    for student in students:
        d = tmp / student / lab.name
        (d / GRADING_DIR).mkdir(parents=True)
        (d / lab.module_file.name).write_text((subs / student / lab.module_file.name).read_text())
        (d / "checks.py").write_text((lab.source_dir / "checks.py").read_text())
        cases = {cid: encode(lab.cases(cid, f"bench:{student}")) for cid in lab.checks}
        (d / GRADING_DIR / CASES_FILE).write_text(dumps_strict(cases))
        folders.append(str(d))
    subprocess.run(record_folders_command(lab.name, folders), check=True, capture_output=True,
                   env={**os.environ, "OMP_NUM_THREADS": "1"})
    sources = {s: (subs / s / lab.module_file.name).read_text() for s in students}
    timings: dict[str, list[float]] = {"off": [], "on": []}
    for i, diagnose in enumerate((False, False, True, False, True)):  # the first pass warms up and is not counted
        judge._REFERENCE_RESULTS.clear()  # a cold worker each time
        for cache in (diagnosis._results, diagnosis._reached, diagnosis._rules, diagnosis._modules):
            cache.clear()  # mistakes' modules built again too: a fresh worker's one-time cost is counted
        start = time.perf_counter()
        for student in students:
            d = tmp / student / lab.name
            for cid in lab.checks:
                judge.judge_check(lab, cid, lab.cases(cid, f"bench:{student}"),
                                  d / GRADING_DIR / "records" / f"{cid}.json", sources[student], diagnose=diagnose)
        if i:
            timings["on" if diagnose else "off"].append(time.perf_counter() - start)
    return {k: min(v) for k, v in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lab", default="lab01_cnn")
    parser.add_argument("--students", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=2, help="grade() runs with and without diagnosis, alternated; "
                                                                "the fastest of each is kept")
    args = parser.parse_args()
    lab = get_lab(args.lab)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        students = build_class(lab, args.students, tmp / "subs")
        runs: dict[bool, list[float]] = {False: [], True: []}
        for diagnose in (False, True) * args.repeats:  # alternated: a busy machine slows both alike
            took, outcomes = end_to_end(lab, tmp / "subs", tmp / f"grade-{len(runs[diagnose])}-{diagnose}",
                                        args.workers, diagnose)
            runs[diagnose].append(took)
            if diagnose:
                on = outcomes
            else:
                off = outcomes
        off_s, on_s = min(runs[False]), min(runs[True])
        judged = judge_only(lab, tmp / "subs", students, tmp / "judge")
    n = len(students)
    diagnosed = sum(bool(c.diagnosis and c.diagnosis["kind"] != diagnosis.UNKNOWN) for o in on for c in o.checks)
    per = {k: v / n for k, v in judged.items()}
    result = {
        "lab": lab.name, "students": n, "workers": args.workers, "cores": os.cpu_count(),
        "machine": platform.machine(), "python": platform.python_version(), "date": time.strftime("%Y-%m-%d"),
        "grade_without_diagnosis_s_per_student": round(off_s / n, 3),
        "grade_with_diagnosis_s_per_student": round(on_s / n, 3),
        "grade_ratio": round(on_s / off_s, 3),
        "grade_runs_s": {"without": [round(x, 2) for x in runs[False]], "with": [round(x, 2) for x in runs[True]]},
        "judge_without_diagnosis_s_per_student": round(per["off"], 4),
        "judge_with_diagnosis_s_per_student": round(per["on"], 4),
        "diagnosis_s_per_student": round(per["on"] - per["off"], 4),
        "diagnosis_share_of_grading": round((per["on"] - per["off"]) / (off_s / n), 4),
        "scores_equal": {o.student: o.auto_score for o in off} == {o.student: o.auto_score for o in on},
        "failed_checks_diagnosed": diagnosed,
    }
    print(f"{lab.name}, {n} students, {args.workers} worker(s), {os.cpu_count()} cores")
    print(f"  grade() per student: {result['grade_without_diagnosis_s_per_student']:.2f} s without diagnosis, "
          f"{result['grade_with_diagnosis_s_per_student']:.2f} s with: ratio {result['grade_ratio']:.2f}")
    print(f"  judge alone per student: {per['off']:.3f} s without diagnosis, {per['on']:.3f} s with; the "
          f"diagnosis's {per['on'] - per['off']:.3f} s are {100 * result['diagnosis_share_of_grading']:.1f}% of a "
          "student's grading time")
    print(f"  scores equal with and without: {result['scores_equal']}; {diagnosed} failed checks named a mistake")
    path = REPO_ROOT / "benchmarks" / "results" / f"diagnosis_cost_{lab.name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1) + "\n")
    if not result["scores_equal"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
