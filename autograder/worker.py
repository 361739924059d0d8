"""One student's notebook, run and judged: the unit of work a local worker or a Dask worker does.

A :class:`Job` carries everything as data (the notebook with its test cells restored, the student's module, the
lab's public checks), so a worker needs only the installed project and bubblewrap, not the course directory. It
comes back as a :class:`StudentResult`; the machine that launched the batch writes it into the one gradebook.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import util
from pathlib import Path

import nbformat

from autograder import sandbox
from autograder.kernels import JOBS_PREFIX, FactoryError, ForkedKernelManager, KernelFactory
from autograder.labs import REPO_ROOT, Lab
from autograder.preprocessors import Judge, SafeExecute, WriteCases
from autograder.results import StudentResult


@dataclass(frozen=True)
class Job:
    lab: str
    root: str  # the course repository where it was launched; a worker elsewhere uses its own installed copy
    student: str
    notebook: str  # nbformat JSON, test cells already restored from the source
    files: dict[str, bytes]  # the student's module and the lab's public checks.py
    seed_text: str  # draws this student's hidden cases
    cell_timeout: int
    notebook_timeout: int
    sandbox: bool = True
    feedback: str = "inputs"


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
    """A local worker process's start: its kernel factory at once, while the first jobs are being prepared. The
    factory and its job folders go when the process ends."""
    util.Finalize(None, close_factory, exitpriority=10)  # run by multiprocessing however the worker was started
    if sandbox:
        with contextlib.suppress(FactoryError):  # the first job tries again, and reports what fails
            _factory().start()


@contextmanager
def _unsafe_environment():
    """Without the sandbox the kernel inherits this process's environment: make it the grading one."""
    keys = ("NBGRADER_EXECUTION", "WANDB_MODE", "MPLBACKEND")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update({k: sandbox.KERNEL_ENV[k] for k in keys})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _lab(job: Job) -> Lab:
    for root in (Path(job.root), REPO_ROOT):
        if (root / "solutions" / job.lab / "checks.py").is_file():
            return Lab(job.lab, root / "solutions" / job.lab)
    raise FileNotFoundError(f"this worker has no solutions/{job.lab}: install the course repository on it")


def _source(data: bytes | None) -> str:
    """The module as submitted, read before the kernel could rewrite it: the method rules are judged on it."""
    return data.decode("utf-8", errors="replace") if data is not None else ""


class WorkerUnavailable(RuntimeError):
    """This worker cannot run kernels now (its factory would not start or answer): grade the student elsewhere."""


def grade_job(job: Job) -> StudentResult:
    """Run the student's notebook in a fresh sandboxed kernel, then judge the records outside it."""
    lab = _lab(job)
    factory = _factory() if job.sandbox else None
    if factory is not None:
        try:
            factory.start()
        except FactoryError as exc:
            raise WorkerUnavailable(str(exc)) from None
    workdir = factory.new_job() if factory else Path(tempfile.mkdtemp(prefix=f"{JOBS_PREFIX}{os.getpid()}-"))
    try:
        for name, data in job.files.items():
            (workdir / name).write_bytes(data)
        nb = nbformat.reads(job.notebook, as_version=4)
        resources = {"metadata": {"path": str(workdir)}, "nbgrader": {"student": job.student, "assignment": lab.name},
                     "grading": {"lab": lab, "seed_text": job.seed_text, "workdir": str(workdir), "notes": [],
                                 "module_source": _source(job.files.get(lab.module_file.name)),
                                 "feedback": job.feedback}}
        nb, resources = WriteCases().preprocess(nb, resources)
        sandbox.hand_over(workdir)
        execute = SafeExecute(timeout=job.cell_timeout, raise_on_iopub_timeout=False)
        if factory is not None:
            limits = sandbox.Limits(notebook_seconds=job.notebook_timeout)
            km = ForkedKernelManager(factory, workdir, limits, kernel_name="python3")
            nb, resources = execute.preprocess(nb, resources, km=km)
        else:
            with _unsafe_environment():
                nb, resources = execute.preprocess(nb, resources)
        nb, resources = Judge().preprocess(nb, resources)
        grading = resources["grading"]
        return StudentResult(job.student, nbformat.writes(nb), grading["checks"], grading["notes"])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
