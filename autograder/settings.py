"""How a batch is graded (GradingSettings, from the command line) and how one student is (Context, built from them
where the student's job is made and passed whole to the worker and the judge)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from autograder.sandbox import DEFAULT_MEMORY_GB, Limits

if TYPE_CHECKING:
    from autograder.labs import Lab


class Feedback(StrEnum):
    """What a failed hidden case's message shows (a public case's always shows its expected output)."""

    SUMMARY = "summary"  # how many hidden cases failed
    INPUTS = "inputs"  # each failed case's inputs and the kind of failure (the default)
    HINTS = "hints"  # that, and for a diagnosed mistake a question leading to it, in the student's language
    FULL = "full"  # that, and the expected and actual values

    @classmethod
    def parse(cls, value: str) -> Feedback:
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"feedback must be one of {', '.join(cls)}, not {value!r}") from None




@dataclass(frozen=True)
class GradingSettings:
    secret: str | None = None  # draws the hidden cases; None: the course directory's own (generated, private)
    sandbox: bool = True  # False only for code the caller trusts
    workers: int = os.cpu_count() or 1  # parallel students on this machine
    cluster: str | None = None  # address of a running Dask scheduler, instead of local workers
    cell_timeout: int | None = None  # seconds per cell; None: the lab's own
    notebook_timeout: int | None = None  # seconds per notebook; None: the lab's own
    regrade: bool = False  # grade everyone again, even students already graded with the same files
    progress: bool = True
    feedback: Feedback = Feedback.INPUTS
    only: tuple[str, ...] = ()  # grade again just these students; everyone else's grades stay as they are
    roster: str | None = None  # CSV of student_id, names, email (autograder.roster)
    due: str | None = None  # the lab's due date, ISO 8601 ("2026-12-01 23:59 UTC"); kept in the gradebook
    late_penalty: str | None = None  # "none", "zero" or a plugin "module.Class"; None: the course's last one
    timestamps: str | None = None  # CSV of submission times from the learning platform (autograder.times)
    timezone: str | None = None  # the zone of times written without one; None: the due date's, or the course's
    memory_gb: float = DEFAULT_MEMORY_GB  # all of one student's processes together; past it: "memory limit"

    def limits(self, lab: Lab) -> Limits:
        return Limits(cell_seconds=self.cell_timeout or lab.manifest.cell_timeout_s,
                      notebook_seconds=self.notebook_timeout or lab.manifest.notebook_timeout_s,
                      memory_total_bytes=int(self.memory_gb * 2**30))

    def context(self, lab: Lab, student: str, seed: str, diagnose: bool = True) -> Context:
        return Context(lab.name, str(lab.root), student, seed, self.feedback, self.limits(lab), self.sandbox, diagnose)

    def __post_init__(self) -> None:
        object.__setattr__(self, "feedback", Feedback.parse(self.feedback))
        if not self.memory_gb > 0:
            raise ValueError(f"the memory limit must be a positive number of GiB, not {self.memory_gb}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")


@dataclass(frozen=True)
class Context:
    """How one student is graded: everything the worker and the judge need besides the submission itself."""

    lab: str
    root: str  # the course repository where it was launched; a worker elsewhere uses its own installed copy
    student: str
    seed: str  # draws the student's hidden cases: the course's secret, the student and the submission's digest
    feedback: Feedback
    limits: Limits
    sandbox: bool = True  # False only for code the caller trusts
    diagnose: bool = True  # name the catalogued mistake of a failed check (not for the canary: only its score counts)


def parse_due(text: str) -> datetime:
    """An ISO 8601 due date as nbgrader stores it (naive UTC); without a time zone it is read as UTC."""
    from dateutil.parser import ParserError
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(text)
    except (ParserError, ValueError, OverflowError):
        raise ValueError(f"--due {text!r} is not a date; write it like 2026-12-01T23:59:00+01:00") from None
