"""Checks: the data and probes behind each autograded test cell, and the files of the grading protocol.

A check is data plus a probe. The probe calls the code under test on one case (a dict of inputs) and returns its
outputs as a dict of tensors and plain values. The same probe runs on the same inputs in the clean check process on
the submitted module (labkit.recording writes its outputs to a strict-JSON file, labkit.codec) and in the grader's
own process on the reference solution, where the judge compares both (labkit.compare). Nothing the student's process
returns is ever compared there, only data read back from the file. On a student's machine, labkit.student runs the
public cases against the expected outputs that ship with the lab.
"""

from __future__ import annotations

import importlib.util
import os
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from labkit.codec import encode
from labkit.compare import short
from labkit.i18n import tr
from labkit.rules import Rule

GRADING_DIR = "_grading"  # inside the notebook's working directory, during autograde only
CASES_FILE = "cases.json"
READY_FILE = "ready"  # written by the clean check process once it is set up, before the student's module runs
PUBLIC_EXPECTED_FILE = "public_expected.json"
MAX_RECORD_BYTES = 8 * 1024 * 1024

Probe = Callable[[ModuleType, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Check:
    """One autograded test cell: `points` shared equally between its cases."""

    id: str
    points: float
    probe: Probe
    public: Sequence[dict[str, Any]]
    rtol: float = 1e-5
    atol: float = 1e-8
    describe: Callable[[dict[str, Any]], str] | None = None
    rules: tuple[Rule, ...] = ()  # method rules (labkit.rules), judged from the module's source

    def describe_case(self, case: dict[str, Any]) -> str:
        if self.describe is not None:
            return self.describe(case)
        return ", ".join(f"{k}={short(v)}" for k, v in case.items())


def is_grading() -> bool:
    """True inside nbgrader's autograde run (it sets NBGRADER_EXECUTION for the kernel)."""
    return os.environ.get("NBGRADER_EXECUTION") == "autograde"


MALFORMED = "MalformedResult"


def run_case(check: Check, module: ModuleType, case: dict[str, Any]) -> dict[str, Any]:
    """One case's result as data: {"value": outputs} or {"error": exception type name}.

    An exception is the code's answer only when it passed through the module's own code. One that the probe raised
    alone, unpacking or encoding a malformed return value, is recorded as MALFORMED, which matches no expected error:
    a string returned where a ValueError is expected must not pass because unpacking it raises one."""
    try:
        outputs = check.probe(module, case)
        return {"value": encode(outputs)}
    except Exception as exc:  # the student's exception is the result being recorded
        if not _raised_through(exc, module):
            return {"error": MALFORMED, "message": f"{type(exc).__name__}: {exc}"[:300]}
        return {"error": type(exc).__name__, "message": str(exc)[:300]}


def _raised_through(exc: BaseException, module: ModuleType) -> bool:
    path = getattr(module, "__file__", None)
    if path is None:
        return True
    target = os.path.realpath(path)
    return any(os.path.realpath(frame.filename) == target for frame in traceback.extract_tb(exc.__traceback__))


def load_checks(lab_dir: Path | str = ".") -> dict[str, Check]:
    """The CHECKS list of `checks.py` in a lab folder, by id."""
    path = Path(lab_dir) / "checks.py"
    name = f"_labchecks_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(tr(f"{path}: no checks.py in this lab folder",
                                   f"{path} : pas de checks.py dans ce dossier de lab"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {c.id: c for c in module.CHECKS}
