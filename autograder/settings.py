"""How a batch is graded: one typed object from the command line to the workers."""

from __future__ import annotations

import os
from dataclasses import dataclass

FEEDBACK_LEVELS = ("summary", "inputs", "full")


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
    feedback: str = "inputs"  # what a failed hidden case's message shows: summary, inputs or full (autograder.judge)

    def __post_init__(self) -> None:
        if self.feedback not in FEEDBACK_LEVELS:
            raise ValueError(f"feedback must be one of {', '.join(FEEDBACK_LEVELS)}, not {self.feedback!r}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")
