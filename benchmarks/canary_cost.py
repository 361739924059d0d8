"""What a worker's canary costs, in students' worth, measured on fresh workers in the same command.

Before its first student, every grading worker grades the lab's reference and stub with the batch's settings
(autograder.worker.check_canary). A fresh worker pays some one-time costs at its first student whatever happens
(importing the reference for the judge, the first kernel), so the canary's cost is measured as the difference in
time to the first student finished, with and without the canary, each in a fresh process (alternated, `--rounds`
times), divided by the time of one student on a warm worker. Usage:

    python benchmarks/canary_cost.py [LAB] [--rounds N]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _as(job, student: str):
    """The same job for another student."""
    return dataclasses.replace(job, context=dataclasses.replace(job.context, student=student))


def one_worker(lab_name: str, with_canary: bool) -> dict[str, float]:
    """In this (fresh) process: a kernel factory, the canary if asked, then students until warm."""
    from autograder import worker
    from autograder.grade import canary
    from autograder.labs import get_lab
    from autograder.settings import GradingSettings

    check = canary(get_lab(lab_name), GradingSettings())
    worker._factory().start()
    started = time.perf_counter()
    if with_canary:
        worker.check_canary(check)
    worker.grade_job(_as(check.reference, "first"))
    first = time.perf_counter() - started
    warm = []
    for i in range(3):
        for job in (check.reference, check.stub):
            began = time.perf_counter()
            worker.grade_job(_as(job, f"warm-{i}"))
            warm.append(time.perf_counter() - began)
    worker.close_factory()
    return {"to_first_student_s": first, "warm_student_s": statistics.median(warm)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lab", nargs="?", default="lab01_cnn")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--one", choices=["with", "without"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_worker(args.lab, args.one == "with")))
        return
    runs: dict[str, list[dict[str, float]]] = {"with": [], "without": []}
    for _ in range(args.rounds):
        for kind in ("without", "with"):
            out = subprocess.run([sys.executable, __file__, args.lab, "--one", kind], capture_output=True, text=True,
                                 check=True).stdout
            runs[kind].append(json.loads(out.strip().splitlines()[-1]))
    first = {k: statistics.median(r["to_first_student_s"] for r in v) for k, v in runs.items()}
    student = statistics.median(r["warm_student_s"] for v in runs.values() for r in v)
    cost = first["with"] - first["without"]
    result = {"lab": args.lab, "rounds": args.rounds, "to_first_student_without_canary_s": round(first["without"], 2),
              "to_first_student_with_canary_s": round(first["with"], 2), "warm_student_s": round(student, 2),
              "canary_s": round(cost, 2), "canary_in_students": round(cost / student, 2)}
    print(f"{args.lab}: first student done after {first['without']:.1f} s without the canary, {first['with']:.1f} s "
          f"with it; a warm student takes {student:.2f} s: the canary costs {cost:.1f} s, "
          f"{cost / student:.2f} students' worth (median of {args.rounds} fresh workers each)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"canary_cost_{args.lab}.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
