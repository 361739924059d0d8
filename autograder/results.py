"""What grading produces, typed once: a check's result, a student's result from a worker (or why there is none),
a student's outcome."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class CheckResult:
    """One check of one student: points shared equally between its cases; a message for each failed case."""

    check: str
    score: float
    max_score: float
    passed: int
    total: int
    messages: list[str] = field(default_factory=list)
    # For a failed check, which catalogued mistake the outputs show (autograder.diagnosis.diagnose): {"kind":
    # "mistake" | "ambiguous" | "unknown", "mistakes": groups of mistake names, "signature": how each case fails}.
    # For teaching assistants only: never in a student's feedback.
    diagnosis: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        return cls(**data)  # a report written before diagnoses has no "diagnosis": None


@dataclass
class StudentResult:
    """What a worker sends back for one student: the judged notebook and the judge's report."""

    student: str
    notebook: str  # the executed notebook, test cells' outputs replaced by the judge's scores (nbformat JSON)
    checks: list[CheckResult]
    notes: list[str] = field(default_factory=list)  # what went wrong while running (a dead kernel, a timeout)


@dataclass(frozen=True)
class Failure:
    """A student the workers could not return a result for: `grader_error` when the grading machine is at fault."""

    message: str
    grader_error: bool = False


@dataclass
class Outcome:
    """What one student got on one lab, as the exports show it."""

    student: str
    lab: str
    checks: list[CheckResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    score: float = 0.0  # gradebook total: autograded + manual grades given so far
    max_score: float = 0.0
    auto_score: float = 0.0
    auto_max_score: float = 0.0
    needs_manual_grade: bool = False
    status: str = "graded"
    gradebook: dict = field(default_factory=dict)
