"""One student's notebook, run and judged: the unit of work a local worker or a Dask worker does.

A :class:`Job` carries everything as data (the notebook as submitted, the student's module, the source cells its
test cells are restored from, and the student's :class:`~autograder.settings.Context`), so a worker needs only the
installed project and bubblewrap, not the course directory. Its student is graded in two sandboxed processes
forked from the worker's warm factory: the notebook's kernel, whose outputs the teaching assistant reads, and then
a clean check process that imports only the submitted module, as submitted, and records the checks' outputs and
run-time evidence. Only those records are judged: nothing a notebook cell did (rebinding the module's names,
patching libraries, writing files) reaches them. It comes back as a
:class:`StudentResult`; the machine that launched the batch writes it into the one gradebook.

Before its first student, a worker grades the lab's reference and stub (a :class:`Canary`) with the batch's own
settings: a machine whose sandbox, kernels or checks are broken must stop the batch, not score a class zero.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import util
from pathlib import Path

import nbformat
import torch

from autograder import sandbox
from autograder.labs import Lab, find_lab
from autograder.preprocessors import Grading, Judge, SafeExecute, SourceCells, WriteCases, restore_test_cells
from autograder.results import StudentResult
from autograder.sandbox import zygote
from autograder.sandbox.kernels import JOBS_PREFIX, FactoryError, ForkedKernelManager, KernelFactory
from autograder.settings import Context
from labkit.codec import decode, loads_strict
from labkit.compare import compare
from labkit.grading import GRADING_DIR, PUBLIC_EXPECTED_FILE, READY_FILE, run_case


@dataclass(frozen=True)
class Job:
    """One student's submission and how to grade it: plain data, so that a cluster's worker needs only the installed
    project and bubblewrap, not the course directory."""

    context: Context
    notebook: str  # as submitted (nbformat JSON): the worker restores its test cells from `source_cells`
    module: bytes | None  # the submitted module, None when it is missing
    source_cells: SourceCells | None  # None: the notebook is the lab's own source, with its test cells


@dataclass(frozen=True)
class Canary:
    """The lab's reference and stub, as jobs with the batch's settings: the reference must score every autograded
    point and the stub none, or the worker cannot be trusted with students."""

    reference: Job
    stub: Job
    points: float


class GraderError(RuntimeError):
    """A fault of the grading machine, not of the student's code (a kernel or check process that could not start, a
    factory that died): the student is not scored, and is graded again by the next run."""


class CanaryFailed(RuntimeError):
    """The worker failed its canary: the batch must stop before any student is graded."""


_local = threading.local()  # one warm factory per worker thread (a Dask worker may run several)


def _factory() -> KernelFactory:
    if getattr(_local, "factory", None) is None:
        _local.factory = KernelFactory()
    return _local.factory


def close_factory() -> None:
    """Stop this thread's kernel factory (its kernels die with it)."""
    factory = getattr(_local, "factory", None)
    if factory is not None:
        factory.close()
        _local.factory = None


def start_worker(sandbox: bool) -> None:
    """A local worker process's start: its kernel factory (the first job tries again and reports what fails). The
    factory and its job folders go when the process ends."""
    util.Finalize(None, close_factory, exitpriority=10)  # run by multiprocessing however the worker was started
    # The judge's tensors are small: a second thread only spins against the other workers (10% of a student's CPU).
    torch.set_num_threads(1)
    if sandbox:
        with contextlib.suppress(FactoryError):
            _factory().start()


def ready(canary: Canary) -> int:
    """This worker's process id, once it has passed the canary (CanaryFailed otherwise)."""
    check_canary(canary)
    return os.getpid()


@contextmanager
def _unsafe_environment():
    """Without the sandbox the kernel inherits this process's environment: make it the grading one."""
    saved = {k: os.environ.get(k) for k in sandbox.GRADING_ENV}
    os.environ.update(sandbox.GRADING_ENV)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class WorkerUnavailable(RuntimeError):
    """This worker cannot run kernels now (its factory would not start or answer): grade the student elsewhere."""


_canaries_passed: set[str] = set()  # canaries this process has passed (one per lab and settings)


def check_canary(canary: Canary) -> None:
    """Grade the canary once per process; CanaryFailed says what failed and what to do, whatever went wrong (a
    worker whose canary raised anything must take no student)."""
    key = repr(canary.reference.context)
    if key in _canaries_passed:
        return
    lab = canary.reference.context.lab
    try:
        problems = _canary_problems(canary)
    except CanaryFailed:
        raise
    except Exception as exc:
        raise CanaryFailed(_canary_message(lab, [f"{type(exc).__name__}: {exc}"])) from None
    if problems:
        raise CanaryFailed(_canary_message(lab, problems))
    _canaries_passed.add(key)


def _canary_problems(canary: Canary) -> list[str]:
    problems = []
    # The stub's notebook would only fail cell by cell: its checks are what must score nothing.
    for name, job, wanted in (("reference", canary.reference, canary.points), ("stub", canary.stub, 0.0)):
        try:
            result = _grade(job, run_notebook=name == "reference")
        except (GraderError, WorkerUnavailable) as exc:
            raise CanaryFailed(_canary_message(job.context.lab, [f"the {name} could not be graded: {exc}"])) from None
        score = round(sum(c.score for c in result.checks), 4)
        if score != wanted:
            lost = [f"{c.check}: {m}" for c in result.checks for m in c.messages[:2]] if name == "reference" else []
            problems.append(f"the {name} scored {score:g} of {canary.points:g} autograded points, not {wanted:g}"
                            + "".join(f"\n    {line}" for line in lost[:8]))
        if name == "reference" and result.notes:
            problems.append("the reference notebook did not run cleanly: " + "; ".join(result.notes))
    context = canary.reference.context
    return problems + _reference_against_release(find_lab(context.lab, context.root))


def _reference_against_release(lab: Lab) -> list[str]:
    """A reference that now fails (an error, a missing package) still agrees with itself: compare it with the
    expected outputs of the public cases that the release shipped."""
    path = lab.root / "labs" / lab.name / PUBLIC_EXPECTED_FILE
    if not path.is_file():
        return []
    released = decode(loads_strict(path.read_text()))
    module = lab.reference()
    for check_id, check in lab.checks.items():
        for i, (case, expected) in enumerate(zip(check.public, released.get(check_id, []), strict=False)):
            reason = compare(expected, decode(run_case(check, module, case)), check.rtol, check.atol)
            if reason is not None:
                return [f"the reference fails public case {i + 1} of {check_id} as the release in labs/ "
                        f"expects it: {reason.detail}"]
    return []


def _canary_message(lab: str, problems: list[str]) -> str:
    return (f"the grading machine failed its check on {lab}'s reference solution and stub, so no student was graded "
            "and nothing was written:\n  - " + "\n  - ".join(problems) + "\nWhat to do: make the course's Python "
            "environment, labkit and the lab's solutions work in the sandbox (SECURITY.md; `./course.sh test "
            "tests/test_grading_machine.py` checks this machine), or raise --cell-timeout / --notebook-timeout / "
            "--memory-limit if the reference needs more; then run the same command again.")


def grade_job(job: Job, canary: Canary | None = None) -> StudentResult:
    """Grade one student, after this worker's canary if it has not passed it yet."""
    if canary is not None:
        check_canary(canary)
    return _grade(job)


class NotebookRejected(ValueError):
    """nbgrader refuses the submitted notebook (its cell metadata tampered with, say): the student's doing."""


def _grade(job: Job, run_notebook: bool = True) -> StudentResult:
    """Run the student's notebook in a fresh sandboxed kernel, then the checks in a clean sandboxed process, and
    judge the records outside both."""
    context = job.context
    lab = find_lab(context.lab, context.root)
    nb = nbformat.reads(job.notebook, as_version=4)
    if job.source_cells is not None:
        try:
            nb = restore_test_cells(nb, lab.name, job.source_cells)
        except Exception as exc:
            raise NotebookRejected(f"{type(exc).__name__}: {exc}") from None
    factory = _factory() if context.sandbox else None
    if factory is not None:
        try:
            factory.start()
        except FactoryError as exc:
            raise WorkerUnavailable(str(exc)) from None
    folders, checks = [], (lab.source_dir / "checks.py").read_bytes()  # never the student's copy

    def new_folder() -> Path:
        folder = factory.new_job() if factory else Path(tempfile.mkdtemp(prefix=f"{JOBS_PREFIX}{os.getpid()}-"))
        folders.append(folder)
        (folder / "checks.py").write_bytes(checks)
        if job.module is not None:
            (folder / lab.module_file.name).write_bytes(job.module)
        return folder

    try:
        grading = Grading(lab, context, {cid: lab.cases(cid, context.seed) for cid in lab.checks},
                          source=job.module.decode("utf-8", errors="replace") if job.module is not None else "")
        if run_notebook:
            nb = _run_notebook(nb, new_folder(), factory, grading)
        grading.workdir = new_folder()
        WriteCases().preprocess(nb, {"grading": grading})
        sandbox.hand_over(grading.workdir)
        grading.notes += _record_checks(lab, grading.workdir, factory, context.limits)
        nb, _ = Judge().preprocess(nb, {"grading": grading})
        return StudentResult(context.student, nbformat.writes(nb), grading.checks, grading.notes)
    finally:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


def _memory_note(what: str, limits: sandbox.Limits) -> str:
    return (f"memory limit: {what} used more than {limits.memory_total_bytes / 2**30:.1f} GiB across all of "
            "the student's processes and was stopped")


def _run_notebook(nb: nbformat.NotebookNode, workdir: Path, factory: KernelFactory | None,
                  grading: Grading) -> nbformat.NotebookNode:
    """The student's notebook, run for its outputs (what the teaching assistant reads); its problems are noted."""
    limits = grading.context.limits
    sandbox.hand_over(workdir)
    run = {"grading": grading, "metadata": {"path": str(workdir)}}
    execute = SafeExecute(timeout=limits.cell_seconds, raise_on_iopub_timeout=False)
    if factory is None:
        with _unsafe_environment():
            nb, _ = execute.preprocess(nb, run)
        return nb
    km = ForkedKernelManager(factory, workdir, limits, kernel_name="python3")
    generation = factory.generation
    nb, _ = execute.preprocess(nb, run, km=km)
    if not factory.alive() or factory.generation != generation:
        raise GraderError("the kernel factory died while the notebook ran")
    if not execute.ran_a_cell:
        raise GraderError("the notebook's kernel could not start: " + "; ".join(grading.notes))
    if km.kernel_pid is not None and factory.status(km.kernel_pid) == zygote.EXIT_MEMORY:
        grading.notes.append(_memory_note("the notebook", limits))
    return nb


def _record_checks(lab: Lab, folder: Path, factory: KernelFactory | None, limits: sandbox.Limits) -> list[str]:
    """Record every check in clean check processes, and say what stopped them. A check whose code ends its process
    (`os._exit`, a crash) loses only itself: the checks after it run in a fresh process."""
    records, notes = folder / GRADING_DIR / "records", []
    remaining = list(lab.checks)
    while remaining:
        status = _run_checks(lab, folder, factory, limits, remaining)
        if not (folder / GRADING_DIR / READY_FILE).is_file():
            raise GraderError(f"the check process could not start (exit status {status})")
        missing = [c for c in remaining if not (records / f"{c}.json").is_file()]
        if status == zygote.EXIT_MEMORY:
            return [*notes, _memory_note("the checks", limits)]
        if status == zygote.EXIT_TIME:
            return [*notes, f"time limit: the checks ran past {limits.notebook_seconds} s"]
        if missing:
            notes.append(f"{missing[0]}: the module ended the check process (exit status {status}) before this "
                         "check finished")
        remaining = missing[1:]
    return notes


def _run_checks(lab: Lab, folder: Path, factory: KernelFactory | None, limits: sandbox.Limits,
                checks: list[str]) -> int:
    """The exit status of a clean check process run on `checks`; its records are in the folder."""
    if factory is not None:
        try:
            return factory.run_checks(folder, lab.module_file.name, limits, checks)
        except FactoryError as exc:
            raise GraderError(f"the check process could not be started: {exc}") from None
    code = ("import json, sys; from labkit.recording import record_checks; "
            "record_checks(sys.argv[1], sys.argv[2], float(sys.argv[3]), json.loads(sys.argv[4]))")
    env = {**os.environ, **sandbox.GRADING_ENV}
    try:
        return subprocess.run([sys.executable, "-c", code, str(folder), lab.module_file.name,
                               str(limits.cell_seconds), json.dumps(checks)], cwd=folder, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=limits.notebook_seconds).returncode
    except subprocess.TimeoutExpired:
        return zygote.EXIT_TIME
