"""Dispatch: each student's job to a worker that has passed its canary, and each result back, whatever dies.

Local workers are one process each, with an executor of its own, forked from a server process that has imported the
worker's code (torch among it) once: a stuck worker is ended alone, and the others keep their students. On a Dask
cluster the cluster's workers take the jobs, and Dask reschedules a dead worker's tasks itself. A worker that dies
loses nothing: its students are graded again, and a student whose run ends its worker MAX_TRIES times is reported as
a grader error instead of being tried forever.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import math
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TypeVar

from tqdm import tqdm

from autograder.results import Failure, StudentResult
from autograder.settings import GradingSettings
from autograder.worker import (
    Canary,
    CanaryFailed,
    GraderError,
    Job,
    WorkerUnavailable,
    check_canary,
    grade_job,
    ready,
    start_worker,
)

MAX_TRIES = 3
STUCK_MARGIN_S = 300
JOBS_PER_WORKER = 2  # one running, one waiting: a worker never idles while this process saves the last result
# A local worker's start (its process, its kernel factory's imports, the canary) costs as much CPU as grading about
# a dozen students (benchmarks/worker_start_cost.py: 5.2 CPU-s against 0.38), but the workers start side by side:
# seven students took 9.3 s on one worker and 8.0 s on two. A batch gets one worker per this many students, up to
# --workers.
STUDENTS_PER_WORKER = 6

Item = TypeVar("Item")


def local_workers(most: int, students: int) -> int:
    """How many local workers a batch of `students` starts: one per STUDENTS_PER_WORKER, at least one, at most
    `most` (--workers)."""
    return max(1, min(most, math.ceil(students / STUDENTS_PER_WORKER)))


class _LocalWorker:
    """One worker process. `ready` gives its process id once it has passed the canary."""

    def __init__(self, context: multiprocessing.context.BaseContext, sandbox: bool, canary: Canary) -> None:
        self.executor = cf.ProcessPoolExecutor(1, mp_context=context, initializer=start_worker, initargs=(sandbox,))
        self.ready = self.executor.submit(ready, canary)

    def kill(self) -> None:
        """End the process: its jobs fail with BrokenProcessPool."""
        if self.ready.done() and self.ready.exception() is None:
            with contextlib.suppress(ProcessLookupError):  # it died meanwhile
                os.kill(self.ready.result(), signal.SIGKILL)
        else:  # still passing its canary, which the sandbox bounds: its jobs are cancelled
            self.executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


class Workers:
    """Local worker processes or a Dask cluster's workers. On entering, every worker has passed the canary, or
    CanaryFailed is raised and nothing is left running."""

    def __init__(self, settings: GradingSettings, n_local: int, canary: Canary | None) -> None:
        self.settings, self.n_local, self.canary = settings, n_local, canary
        self.local: list[_LocalWorker] = []
        self.load: dict[int, int] = {}  # jobs out per local worker
        self.client = self.executor = None

    def __enter__(self) -> Workers:
        if self.canary is None:  # nothing to grade
            return self
        try:
            if self.settings.cluster:
                self._connect()
            else:
                # Each worker forks from a server process that has imported the worker's code; none inherits this
                # process's threads or locks.
                self.context = multiprocessing.get_context("forkserver")
                self.context.set_forkserver_preload(["autograder.worker"])
                self.local = [self._start() for _ in range(self.n_local)]
                for worker in self.local:
                    self._passed(worker.ready)
        except BaseException:
            self.__exit__()
            raise
        return self

    def _connect(self) -> None:
        from distributed import Client

        self.client = Client(self.settings.cluster, timeout="30s")
        self.executor = self.client.get_executor(pure=False)
        checks = [self.client.submit(check_canary, self.canary, workers=[address], allow_other_workers=False,
                                     pure=False) for address in self.client.scheduler_info()["workers"]]
        self.client.gather(checks)

    def _start(self) -> _LocalWorker:
        return _LocalWorker(self.context, self.settings.sandbox, self.canary)

    @staticmethod
    def _passed(started: cf.Future) -> None:
        try:
            started.result()
        except BrokenProcessPool:
            raise CanaryFailed("a worker died while it started, before grading the canary") from None

    @property
    def capacity(self) -> int:
        """How many jobs may be out at once."""
        return JOBS_PER_WORKER * (self.n_local if self.client is None else len(self.client.scheduler_info()["workers"]))

    def submit(self, job: Job) -> tuple[cf.Future, int]:
        """The job's future, and which local worker runs it (0 on a cluster)."""
        if self.client is not None:
            return self.executor.submit(grade_job, job, self.canary), 0
        slot = min(range(len(self.local)), key=lambda i: self.load.get(i, 0))
        self.load[slot] = self.load.get(slot, 0) + 1
        return self.local[slot].executor.submit(grade_job, job, self.canary), slot

    def worker(self, slot: int) -> _LocalWorker | None:
        return self.local[slot] if self.client is None else None

    def finished(self, slot: int) -> None:
        if self.client is None:
            self.load[slot] -= 1

    def end(self, future: cf.Future, slot: int) -> None:
        """Stop a stuck job: on a cluster, cancel it; here, end the worker that runs it, and only that one."""
        if self.client is not None:
            future.cancel()
        else:
            self.local[slot].kill()

    def restart(self, slot: int, broken: _LocalWorker) -> None:
        """Replace a local worker that died (if not replaced already); the new one passes the canary first."""
        if self.local[slot] is broken:
            broken.executor.shutdown(wait=False, cancel_futures=True)
            self.local[slot] = self._start()

    def __exit__(self, *exc: object) -> None:
        for worker in self.local:
            worker.close()
        self.local = []
        if self.client is not None:
            self.client.close()
            self.client = None


@dataclass(frozen=True)
class _Died:
    """The worker died under the job (killed, out of memory, stuck and ended) or could not start its kernels."""

    why: str


def _result(future: cf.Future) -> StudentResult | Failure | _Died:
    try:
        return future.result()
    except GraderError as exc:
        return Failure(str(exc), grader_error=True)
    except CanaryFailed:
        raise  # a replacement worker failed its canary: the batch stops
    except (BrokenProcessPool, cf.CancelledError, WorkerUnavailable) as exc:
        return _Died(f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # the student's notebook was refused (autograder.worker.NotebookRejected)
        return Failure(f"{type(exc).__name__}: {exc}")


def dispatch(workers: Workers, todo: list[Item], make_job: Callable[[Item], Job], overdue_s: float,
             progress: bool = True, desc: str = "grading") -> Iterator[tuple[Item, StudentResult | Failure]]:
    """Each item's result as it arrives: a StudentResult, or a Failure. `overdue_s`: past this long since its job was
    handed out, a student's worker is stuck, not slow, and is ended."""
    bar = tqdm(total=len(todo), desc=desc, unit="student", disable=not progress, file=sys.stderr)
    pending, tries = list(reversed(todo)), {}
    running: dict[cf.Future, tuple[Item, int, _LocalWorker | None, float]] = {}
    stuck: set[cf.Future] = set()  # jobs found stuck
    ended: list[_LocalWorker] = []  # the workers that ran them
    while pending or running:
        while pending and len(running) < workers.capacity:
            item = pending.pop()
            try:
                job = make_job(item)
            except Exception as exc:  # a submission that cannot be read
                bar.update()
                yield item, Failure(f"{type(exc).__name__}: {exc}")
                continue
            future, slot = workers.submit(job)
            running[future] = (item, slot, workers.worker(slot), time.monotonic())
        done, _ = cf.wait(running, timeout=min(5, overdue_s), return_when=cf.FIRST_COMPLETED)
        now = time.monotonic()
        for future, (_, slot, worker, start) in running.items():  # oldest first: a worker's running job
            if future in done or future in stuck or now - start <= overdue_s:
                continue
            if worker is not None and any(worker is w for w in ended):
                continue  # queued behind the stuck job of a worker being ended: not stuck itself
            stuck.add(future)
            ended.append(worker)
            workers.end(future, slot)
        for future in done:
            item, slot, worker, _ = running.pop(future)
            workers.finished(slot)
            result = _result(future)
            if isinstance(result, _Died):
                if worker is not None:
                    workers.restart(slot, worker)
                # A student queued behind a stuck one is not to blame for its worker's end.
                blamed = future in stuck or worker is None or all(worker is not w for w in ended)
                tries[id(item)] = tries.get(id(item), 0) + blamed  # `todo` keeps every item alive: ids are stable
                if tries[id(item)] < MAX_TRIES:
                    pending.append(item)
                    continue
                result = Failure(f"the worker grading this notebook died or hung each time it tried ({result.why})",
                                 grader_error=True)
            bar.update()
            yield item, result
    bar.close()
