"""Dispatch's bookkeeping, on workers that only pretend to grade: a stuck worker is ended alone and replaced, the
student stuck on it is tried MAX_TRIES times and then reported as a grader error, and the students queued behind it
are graded without being blamed."""

import concurrent.futures as cf
from concurrent.futures.process import BrokenProcessPool

from autograder.dispatch import MAX_TRIES, dispatch
from autograder.results import Failure, StudentResult


class PretendWorkers:
    """Local workers whose jobs finish at once, except a student in `hangs`; a job handed to a worker that is busy
    with a hanging one waits behind it, as in a worker process's queue."""

    def __init__(self, n: int, hangs: set[str]) -> None:
        self.hangs, self.capacity = hangs, 2 * n
        self.processes = [object() for _ in range(n)]
        self.queued: dict[int, list[cf.Future]] = {i: [] for i in range(n)}
        self.ended: list[int] = []
        self.restarted: list[int] = []
        self.jobs: list[str] = []

    def submit(self, student: str) -> tuple[cf.Future, int]:
        slot = min(self.queued, key=lambda i: len([f for f in self.queued[i] if not f.done()]))
        future = cf.Future()
        future.set_running_or_notify_cancel()
        if student not in self.hangs and not [f for f in self.queued[slot] if not f.done()]:
            future.set_result(StudentResult(student, "{}", []))
        self.queued[slot].append(future)
        self.jobs.append(student)
        return future, slot

    def worker(self, slot: int) -> object:
        return self.processes[slot]

    def finished(self, slot: int) -> None:
        pass

    def end(self, future: cf.Future, slot: int) -> None:
        self.ended.append(slot)
        for queued in self.queued[slot]:
            if not queued.done():
                queued.set_exception(BrokenProcessPool("the worker was killed"))

    def restart(self, slot: int, broken: object) -> None:
        if self.processes[slot] is broken:
            self.processes[slot], self.queued[slot] = object(), []
            self.restarted.append(slot)


def test_a_stuck_worker_is_ended_alone_and_its_queue_is_not_blamed():
    workers = PretendWorkers(1, hangs={"stuck"})
    todo = ["first", "stuck", "behind", "last"]
    results = dict(dispatch(workers, todo, lambda student: student, overdue_s=0.05, progress=False))
    assert set(results) == set(todo)
    failure = results["stuck"]
    assert isinstance(failure, Failure) and failure.grader_error and "died or hung" in failure.message
    assert workers.jobs.count("stuck") == MAX_TRIES
    assert all(isinstance(results[s], StudentResult) for s in ("first", "behind", "last"))
    # Each time the stuck job's worker was ended and replaced; the students queued behind it were graded later.
    assert len(workers.ended) == len(workers.restarted) == MAX_TRIES
    assert workers.jobs.count("behind") > 1


def test_other_workers_keep_their_students_while_one_is_ended():
    workers = PretendWorkers(2, hangs={"stuck"})
    todo = ["stuck", *(f"s{i}" for i in range(6))]
    results = dict(dispatch(workers, todo, lambda student: student, overdue_s=0.05, progress=False))
    assert isinstance(results["stuck"], Failure)
    assert all(isinstance(results[f"s{i}"], StudentResult) for i in range(6))
    assert set(workers.ended) == {0}, "only the worker running the stuck student is ended"
