"""`autograder grade LAB SUBMISSIONS --out DIR`: intake, run and judge each student on workers, record, export.

This process keeps the one gradebook: it restores each notebook's test cells from the source (nbgrader's sanitize
steps), hands the student to a worker (local processes, or a Dask cluster) that runs and judges it
(autograder.worker), and saves what comes back with nbgrader's own steps (SaveAutoGrades, late penalties). A
worker that dies loses nothing: its students are graded again elsewhere.
"""

from __future__ import annotations

import concurrent.futures as cf
import fcntl
import hashlib
import json
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    OverwriteCells,
    OverwriteKernelspec,
)
from tqdm import tqdm

from autograder import exports
from autograder.course import CourseDir
from autograder.intake import intake, submission_entries
from autograder.labs import REPO_ROOT, Lab, get_lab
from autograder.notebooks import model_answers, source_notebook, strip_solutions
from autograder.outcomes import outcome, record_missing, save_result, write_json
from autograder.results import Outcome, StudentResult
from autograder.roster import read_roster
from autograder.sample_class import reference_source
from autograder.sandbox import require_sandbox
from autograder.settings import GradingSettings, parse_due
from autograder.times import time_policy_from_args
from autograder.worker import (
    Canary,
    CanaryFailed,
    GraderError,
    Job,
    WorkerUnavailable,
    check_canary,
    grade_job,
    start_worker,
)

# nbgrader's autograde before the run (here); after it, autograder.outcomes.
SANITIZE = [ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata]
MAX_TRIES = 3  # a student whose run kills its worker this many times is reported, not retried forever
STUCK_MARGIN_S = 300
# A local worker's start (its process, its kernel factory's imports, the judge's torch) costs as much CPU as grading
# about seven students (benchmarks/worker_start_cost.py): a batch gets one worker per this many students, up to
# --workers, so that each worker earns its start back.
STUDENTS_PER_WORKER = 8


class GraderBusy(RuntimeError):
    pass


@contextmanager
def course_lock(course: CourseDir) -> Iterator[None]:
    """One grader per course directory: a second one is refused, never interleaved."""
    course.root.mkdir(parents=True, exist_ok=True)
    with open(course.lock, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise GraderBusy(f"{course.root}: another grader is running on this course directory") from None
        yield


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
    entries, warnings = submission_entries(submissions)
    roster = read_roster(Path(settings.roster)) if settings.roster else {}
    due = parse_due(settings.due) if settings.due else None
    missing = sorted(set(settings.only) - set(entries))
    if missing:
        raise FileNotFoundError(f"--only names students with no submission in {submissions}: {', '.join(missing)}")
    if not settings.sandbox:
        print("WARNING: grading WITHOUT the sandbox: student code can read the solutions and the gradebook, reach "
              "the network and outlive the grader. Use only for code you trust.", file=sys.stderr)
    elif settings.cluster is None:
        require_sandbox()  # a cluster's workers check for themselves
    course = CourseDir(out.resolve())
    course.configure_late_penalty(settings.late_penalty)  # before anything is written: a bad plugin is an error
    with time_policy_from_args(settings.timestamps, settings.timezone, settings.due, course.root), \
            course_lock(course):
        chosen = {s: p for s, p in entries.items() if not settings.only or s in settings.only}
        intakes = intake(chosen, lab, course.root / "submitted")
        for student, result in intakes.items():
            write_json(course.intake_record(lab.name, student),
                       {"problems": result.problems, "warnings": result.warnings})
        warnings += [f"{s}: {w}" for s, r in intakes.items() for w in r.warnings]
        if roster:
            warnings += [f"{s}: submitted, but not on the roster {settings.roster}" for s in entries if s not in roster]
        for w in warnings:
            print(f"warning: {w}", file=sys.stderr)
        secret = settings.secret or course.secret()
        todo, skipped = _to_grade(course, lab, intakes, settings, secret)
        if skipped:
            print(f"{skipped} students already graded with the same files were skipped (--regrade grades them "
                  f"again); {len(todo)} to grade", file=sys.stderr)
        n_workers = settings.workers if settings.cluster else local_workers(settings.workers, len(todo))
        with _Workers(settings, n_workers, canary(lab, settings) if todo else None) as workers:
            course.generate(lab)
            with Gradebook(course.db_url) as gb:
                if due is not None:
                    gb.update_or_create_assignment(lab.name, duedate=due)
                for entry in roster.values():
                    gb.update_or_create_student(entry.student, first_name=entry.first_name,
                                                last_name=entry.last_name, email=entry.email)
            for student in intakes:
                if student not in dict(todo) and not intakes[student].notebook_ok:
                    record_missing(course, lab.name, student)
            failed: dict[str, str] = {}
            grader_errors: dict[str, str] = {}
            answers = model_answers(lab)
            for student, stamp, result in _run(workers, course, lab, todo, settings, secret):
                if isinstance(result, StudentResult):
                    save_result(course, lab, result, stamp, answers)
                elif result.grader_error:
                    grader_errors[student] = result.message  # not saved: the next run grades this student
                else:
                    failed[student] = ("the grader could not process this notebook; a teaching assistant has the "
                                       f"log in {course.log(lab.name, student)}")
                    course.log(lab.name, student).parent.mkdir(parents=True, exist_ok=True)
                    course.log(lab.name, student).write_text(result.message)
                    record_missing(course, lab.name, student)
        # Everyone this course knows: the roster (now or given before: the gradebook keeps it), this batch, and
        # students graded before.
        with Gradebook(course.db_url) as gb:
            known = {s.id for s in gb.students}
        students = sorted(known | set(roster) | set(entries) | course.students_with_intake(lab.name))
        outcomes = [outcome(course, lab, student, roster, failed.get(student), grader_errors.get(student))
                    for student in students]
        exports.write_all(course, lab, outcomes)
    if grader_errors:
        print(f"error: {len(grader_errors)} student(s) could not be graded through a fault of the grading machine "
              "(status 'grader error' in grades.csv, with the cause); run the same command again to grade them",
              file=sys.stderr)
    return outcomes


def _to_grade(course: CourseDir, lab: Lab, intakes: dict, settings: GradingSettings,
              secret: str) -> tuple[list[tuple[str, dict]], int]:
    """Who to grade, with the stamp of what they are graded from; and how many are skipped. A grader killed
    mid-batch and started again skips whoever it finished with the same files and secret; a student left with a
    grader error has no stamp, so is graded again."""
    todo, skipped = [], 0
    for student in sorted(intakes):
        stamp = {"digest": _digest(course.submitted(student, lab.name)),
                 "secret": hashlib.sha256(secret.encode()).hexdigest()[:16], "feedback": settings.feedback}
        marker, report = course.done(lab.name, student), course.report(lab.name, student)
        if (not settings.regrade and not settings.only and intakes[student].notebook_ok and marker.is_file()
                and json.loads(marker.read_text()) == stamp and report.is_file()):
            skipped += 1
        elif intakes[student].notebook_ok:
            todo.append((student, stamp))
    return todo, skipped


def canary(lab: Lab, settings: GradingSettings) -> Canary:
    """The lab's reference and stub as jobs with the batch's settings, built from solutions/ alone."""
    notebook = nbformat.writes(source_notebook(lab))
    checks = (lab.source_dir / "checks.py").read_bytes()

    def job(student: str, module: str) -> Job:
        return Job(lab=lab.name, root=str(lab.source_dir.parent.parent), student=student, notebook=notebook,
                   files={"checks.py": checks, lab.module_file.name: module.encode()}, seed_text="canary",
                   cell_timeout=settings.cell_timeout or lab.cell_timeout,
                   notebook_timeout=settings.notebook_timeout or lab.notebook_timeout, sandbox=settings.sandbox,
                   feedback=settings.feedback, memory_bytes=settings.memory_bytes)

    text = lab.module_file.read_text()
    return Canary(job("canary-reference", reference_source(lab)), job("canary-stub", strip_solutions(text, "stub")),
                  float(sum(c.points for c in lab.checks.values())))


def _job(course: CourseDir, lab: Lab, student: str, settings: GradingSettings, secret: str, digest: str) -> Job:
    """The student's notebook with its test cells restored from the source, and the files the kernel needs."""
    folder = course.submitted(student, lab.name)
    nb = nbformat.read(folder / lab.notebook_name, as_version=4)
    resources = {"nbgrader": {"db_url": course.db_url, "assignment": lab.name, "notebook": lab.name,
                              "student": student}}
    for step in SANITIZE:
        nb, resources = step(config=course.config).preprocess(nb, resources)
    module = folder / lab.module_file.name
    files = {"checks.py": (course.source(lab.name) / "checks.py").read_bytes()}  # never the student's copy
    if module.is_file():
        files[module.name] = module.read_bytes()
    return Job(lab=lab.name, root=str(lab.source_dir.parent.parent), student=student, notebook=nbformat.writes(nb),
               files=files, seed_text=f"{secret}:{student}:{digest}",
               cell_timeout=settings.cell_timeout or lab.cell_timeout,
               notebook_timeout=settings.notebook_timeout or lab.notebook_timeout, sandbox=settings.sandbox,
               feedback=settings.feedback, memory_bytes=settings.memory_bytes)


@dataclass(frozen=True)
class _Failure:
    """A student the workers could not return a result for: `grader_error` when the grading machine is at fault."""

    message: str
    grader_error: bool = False


def _run(workers: _Workers, course: CourseDir, lab: Lab, todo: list[tuple[str, dict]], settings: GradingSettings,
         secret: str) -> Iterator[tuple[str, dict, StudentResult | _Failure]]:
    """Each student's result as it arrives: a StudentResult, or what went wrong."""
    bar = tqdm(total=len(todo), desc=f"grading {lab.name}", unit="student", disable=not settings.progress,
               file=sys.stderr)
    pending = list(reversed(todo))
    tries: dict[str, int] = {}
    # A student's whole run is bounded by its notebook's limit and its checks' (the same); past that (queueing
    # included) plus a margin, its worker is stuck, not slow, and is replaced.
    overdue_s = 3 * (settings.notebook_timeout or lab.notebook_timeout) + STUCK_MARGIN_S
    if todo:
        where = f"the cluster {settings.cluster}" if settings.cluster else f"{workers.n_local} local worker(s)"
        print(f"grading {len(todo)} student(s) on {where}", file=sys.stderr)
    running: dict[cf.Future, tuple[str, dict, float]] = {}
    in_flight = 2 * workers.n_local
    while pending or running:
        while pending and len(running) < in_flight:
            student, stamp = pending.pop()
            try:
                job = _job(course, lab, student, settings, secret, stamp["digest"])
            except Exception as exc:  # a notebook nbgrader refuses (e.g. tampered cell metadata)
                bar.update()
                yield student, stamp, _Failure(f"{type(exc).__name__}: {exc}")
                continue
            running[workers.submit(job)] = (student, stamp, time.monotonic())
        done, _ = cf.wait(running, timeout=5, return_when=cf.FIRST_COMPLETED)
        now = time.monotonic()
        stuck = [f for f, (_, _, start) in running.items() if f not in done and now - start > overdue_s]
        if stuck:
            workers.replace(stuck)
            done, _ = cf.wait(running, timeout=30, return_when=cf.ALL_COMPLETED)
        for future in done:
            student, stamp, _ = running.pop(future)
            try:
                result: StudentResult | _Failure = future.result()
            except GraderError as exc:
                result = _Failure(str(exc), grader_error=True)
            except (BrokenProcessPool, cf.CancelledError, WorkerUnavailable) as exc:
                workers.raise_canary_failure()  # a replaced worker that failed its canary stops the batch
                # A worker died (out of memory, killed, stuck and replaced) or could not start its kernel
                # factory: its students are graded again.
                tries[student] = tries.get(student, 0) + 1
                if tries[student] < MAX_TRIES:
                    pending.append((student, stamp))
                    continue
                result = _Failure(f"the worker grading this notebook died or hung each time it tried "
                                  f"({type(exc).__name__}: {exc})", grader_error=True)
            except Exception as exc:
                result = _Failure(f"{type(exc).__name__}: {exc}")
            bar.update()
            yield student, stamp, result
    bar.close()


def local_workers(most: int, students: int) -> int:
    """How many local workers a batch of `students` starts: one per STUDENTS_PER_WORKER, at least one, at most
    `most` (--workers)."""
    return max(1, min(most, math.ceil(students / STUDENTS_PER_WORKER)))


class _Workers:
    """Local worker processes (one warm kernel factory each), or a Dask cluster's workers; on entering, each worker
    has passed the canary, or CanaryFailed is raised."""

    def __init__(self, settings: GradingSettings, n_local: int, canary: Canary | None) -> None:
        self.settings, self.n_local, self.canary = settings, n_local, canary
        self.client = self.pool = None

    def __enter__(self) -> _Workers:
        if self.canary is None:  # nothing to grade
            return self
        if self.settings.cluster:
            from distributed import Client

            self.client = Client(self.settings.cluster, timeout="30s")
            self.executor = self.client.get_executor(pure=False)  # Dask reschedules a dead worker's tasks itself
            checks = [self.client.submit(check_canary, self.canary, workers=[address], allow_other_workers=False,
                                         pure=False) for address in self.client.scheduler_info()["workers"]]
            self._stop_if_failed(lambda: self.client.gather(checks))
        else:
            self._new_pool()
        return self

    def _new_pool(self) -> None:
        # Workers fork from a server process that has imported the worker's code (torch among it) once, instead of
        # each importing it again; none inherits this process's threads or locks. Each grades the canary as it
        # starts and says how it went on `reports`; the batch waits for all of them.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["autograder.worker"])
        self.reports = context.SimpleQueue()
        self.pool = cf.ProcessPoolExecutor(self.n_local, mp_context=context, initializer=start_worker,
                                           initargs=(self.settings.sandbox, self.canary, self.reports))
        started = [self.pool.submit(os.getpid) for _ in range(self.n_local)]  # one process each, all at once
        self._stop_if_failed(lambda: self._wait_for_canaries(started))

    def _wait_for_canaries(self, started: list[cf.Future]) -> None:
        passed = 0
        while passed < self.n_local:
            if self.reports.empty():
                if any(f.done() and f.exception() is not None for f in started):
                    self.raise_canary_failure()
                    raise CanaryFailed("a worker died while it started, before grading the canary")
                time.sleep(0.2)
                continue
            ok, message = self.reports.get()
            if not ok:
                raise CanaryFailed(message)
            passed += 1

    def _stop_if_failed(self, wait) -> None:
        try:
            wait()
        except BaseException:
            self.__exit__()
            raise

    def raise_canary_failure(self) -> None:
        """Stop the batch if a worker started since reported a failed canary."""
        if self.pool is not None:
            while not self.reports.empty():
                ok, message = self.reports.get()
                if not ok:
                    raise CanaryFailed(message)

    def submit(self, job: Job) -> cf.Future:
        if self.pool is not None and self.pool._broken:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self._new_pool()
        if self.pool is not None:
            return self.pool.submit(grade_job, job)  # the worker passed its canary as it started
        return self.executor.submit(grade_job, job, self.canary)

    def replace(self, stuck: list[cf.Future]) -> None:
        """End stuck work: cancel it on a cluster; here, kill the worker processes (the others are graded again)."""
        if self.pool is None:
            for future in stuck:
                future.cancel()
            return
        for process in list(self.pool._processes.values()):
            process.kill()

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        if self.client is not None:
            self.client.close()
            self.client = None


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


