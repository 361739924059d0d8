"""`autograder grade LAB SUBMISSIONS --out DIR`: the grading pipeline, in order.

1. inputs: the lab and its manifest, the submissions, the roster, the due date, all checked before the course
   directory is touched (autograder.labs, autograder.roster);
2. intake: each submission into nbgrader's course layout, with what was wrong with it (autograder.intake);
3. canary: every worker grades the lab's reference and stub before any student (autograder.dispatch);
4. dispatch: each student's job to a worker, which restores the test cells, runs the notebook, records the checks
   in a clean process and judges them (autograder.dispatch, autograder.worker, autograder.judge);
5. save: each result into the one gradebook that this process keeps (autograder.gradebook);
6. export: every registered format from the gradebook (autograder.exports).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nbformat

from autograder import exports, gradebook
from autograder.course import CourseDir
from autograder.dispatch import STUCK_MARGIN_S, Workers, dispatch, local_workers
from autograder.intake import Intake, intake, submission_entries
from autograder.labs import REPO_ROOT, Lab, get_lab
from autograder.notebooks import source_notebook, strip_solutions
from autograder.preprocessors import SourceCells
from autograder.results import Outcome
from autograder.roster import RosterEntry, read_roster
from autograder.sample_class import reference_source
from autograder.sandbox import require_sandbox
from autograder.settings import GradingSettings, parse_due
from autograder.times import time_policy_from_args
from autograder.worker import Canary, Job


@dataclass(frozen=True)
class _Inputs:
    entries: dict[str, Path]  # student -> their submission (folder or zip)
    warnings: list[str]
    roster: dict[str, RosterEntry]
    due: datetime | None


def grade(lab_name: str, submissions: Path, out: Path, root: Path = REPO_ROOT, **options) -> list[Outcome]:
    """Grade every submission of SUBMISSIONS for one lab into the course directory `out`.

    `options` are the fields of GradingSettings. Untrusted code runs only in the sandbox; `sandbox=False` is for
    code the caller trusts and says so loudly. Every input is checked before the course directory is touched, and
    every worker passes its canary (the reference scores full marks, the stub none) before the gradebook is: a
    machine that cannot grade raises CanaryFailed, having written no grade and no export.
    """
    settings = GradingSettings(**options)
    lab = get_lab(lab_name, root)
    lab.validate()
    inputs = _read_inputs(submissions, settings)
    course = CourseDir(out.resolve())
    course.configure_late_penalty(settings.late_penalty)  # before anything is written: a bad plugin is an error
    with time_policy_from_args(settings.timestamps, settings.timezone, settings.due, course.root), course.locked():
        intakes = _intake(course, lab, inputs, settings)
        todo = gradebook.to_grade(course, lab, intakes, settings, secret := settings.secret or course.secret())
        n_workers = settings.workers if settings.cluster else local_workers(settings.workers, len(todo))
        with Workers(settings, n_workers, canary(lab, settings) if todo else None) as workers:
            source = gradebook.open_lab(course, lab, inputs.roster, inputs.due)
            gradebook.record_unreadable(course, lab, intakes, todo)
            if todo:
                where = f"the cluster {settings.cluster}" if settings.cluster else f"{n_workers} local worker(s)"
                print(f"grading {len(todo)} student(s) on {where}", file=sys.stderr)
            # A student's run is bounded by its notebook's limit and its checks' (the same); past that (queueing
            # included) plus a margin, its worker is stuck, not slow.
            overdue_s = 3 * settings.limits(lab).notebook_seconds + STUCK_MARGIN_S
            results = dispatch(workers, todo, lambda item: _job(course, lab, settings, secret, item, source),
                               overdue_s, settings.progress, desc=f"grading {lab.name}")
            failures = gradebook.save_all(course, lab, results)
        outcomes = gradebook.outcomes(course, lab, inputs.roster, set(inputs.entries), failures)
        exports.write_all(course, lab, outcomes)
    errors = [f for f in failures.values() if f.grader_error]
    if errors:
        print(f"error: {len(errors)} student(s) could not be graded through a fault of the grading machine (status "
              "'grader error' in grades.csv, with the cause); run the same command again to grade them",
              file=sys.stderr)
    return outcomes


def _read_inputs(submissions: Path, settings: GradingSettings) -> _Inputs:
    entries, warnings = submission_entries(submissions)
    missing = sorted(set(settings.only) - set(entries))
    if missing:
        raise FileNotFoundError(f"--only names students with no submission in {submissions}: {', '.join(missing)}")
    roster = read_roster(Path(settings.roster)) if settings.roster else {}
    due = parse_due(settings.due) if settings.due else None
    if not settings.sandbox:
        print("WARNING: grading WITHOUT the sandbox: student code can read the solutions and the gradebook, reach "
              "the network and outlive the grader. Use only for code you trust.", file=sys.stderr)
    elif settings.cluster is None:
        require_sandbox()  # a cluster's workers check for themselves
    return _Inputs(entries, warnings, roster, due)


def _intake(course: CourseDir, lab: Lab, inputs: _Inputs, settings: GradingSettings) -> dict[str, Intake]:
    """This batch's students (`--only` ones, if given) in the course layout; every warning printed."""
    chosen = {s: p for s, p in inputs.entries.items() if not settings.only or s in settings.only}
    intakes = intake(chosen, lab, course.root / "submitted")
    for student, result in intakes.items():
        gradebook.write_intake(course, lab, student, result)
    warnings = inputs.warnings + [f"{s}: {w}" for s, r in intakes.items() for w in r.warnings]
    if inputs.roster:
        warnings += [f"{s}: submitted, but not on the roster {settings.roster}" for s in inputs.entries
                     if s not in inputs.roster]
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    return intakes


def _job(course: CourseDir, lab: Lab, settings: GradingSettings, secret: str, item: gradebook.ToGrade,
         source: SourceCells) -> Job:
    """The student's submission as sent to a worker, with the context it is graded in. Their hidden cases are drawn
    from the course's secret, the student and the submission's digest: new files meet new cases."""
    folder = course.submitted(item.student, lab.name)
    module = folder / lab.module_file.name
    context = settings.context(lab, item.student, f"{secret}:{item.student}:{item.stamp['digest']}")
    return Job(context, (folder / lab.notebook_name).read_text(encoding="utf-8"),
               module.read_bytes() if module.is_file() else None, source)


def canary(lab: Lab, settings: GradingSettings) -> Canary:
    """The lab's reference and stub as jobs with the batch's settings, built from solutions/ alone."""
    notebook = nbformat.writes(source_notebook(lab))

    def job(student: str, module: str) -> Job:
        return Job(settings.context(lab, student, "canary", diagnose=False), notebook, module.encode(), None)

    stub = strip_solutions(lab.module_file.read_text(), "stub")
    return Canary(job("canary-reference", reference_source(lab)), job("canary-stub", stub),
                  float(sum(c.points for c in lab.checks.values())))
