"""How a batch is graded: one typed object from the command line to the workers."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

# What a failed hidden case's message shows: how many failed; their inputs and kind of failure (the default); that
# and, for a diagnosed mistake, a hint (a question) in the student's language; the expected values too.
FEEDBACK_LEVELS = ("summary", "inputs", "hints", "full")
DEFAULT_MEMORY_GB = 3.0  # per student, every process together (PrairieLearn gives 2 GiB; a notebook here holds ~1)


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
    feedback: str = "inputs"  # what a failed hidden case's message shows: summary, inputs, hints or full
    only: tuple[str, ...] = ()  # grade again just these students; everyone else's grades stay as they are
    roster: str | None = None  # CSV of student_id, names, email (autograder.roster)
    due: str | None = None  # the lab's due date, ISO 8601 ("2026-12-01 23:59 UTC"); kept in the gradebook
    late_penalty: str | None = None  # "none", "zero" or a plugin "module.Class"; None: the course's last one
    timestamps: str | None = None  # CSV of submission times from the learning platform (autograder.times)
    timezone: str | None = None  # the zone of times written without one; None: the due date's, or the course's
    memory_gb: float = DEFAULT_MEMORY_GB  # all of one student's processes together; past it: "memory limit"

    @property
    def memory_bytes(self) -> int:
        return int(self.memory_gb * 2**30)

    def __post_init__(self) -> None:
        if self.feedback not in FEEDBACK_LEVELS:
            raise ValueError(f"feedback must be one of {', '.join(FEEDBACK_LEVELS)}, not {self.feedback!r}")
        if not self.memory_gb > 0:
            raise ValueError(f"the memory limit must be a positive number of GiB, not {self.memory_gb}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")


def parse_due(text: str) -> datetime:
    """An ISO 8601 due date as nbgrader stores it (naive UTC); without a time zone it is read as UTC."""
    from dateutil.parser import ParserError
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(text)
    except (ParserError, ValueError, OverflowError):
        raise ValueError(f"--due {text!r} is not a date; write it like 2026-12-01T23:59:00+01:00") from None
