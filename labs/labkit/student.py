"""What a student calls: ``check("ID")`` in a test cell runs that check's public cases against the expected outputs
that ship with the lab, and its method rules, on the student's own machine (labkit's `check` command runs them all).
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from labkit.codec import decode, loads_strict
from labkit.compare import compare
from labkit.evidence import Observer
from labkit.grading import PUBLIC_EXPECTED_FILE, Check, is_grading, load_checks
from labkit.i18n import tr
from labkit.recording import observed_case, rule_evidence
from labkit.rules import broken_rules


class LabNotFound(Exception):
    pass


def find_lab(lab: str, where: Path | None = None) -> Path:
    """The lab folder: LAB as a path, LAB under the current folder or its labs/, the current folder when it is that
    lab, or LAB beside the labkit package (the student release keeps the labs there)."""
    where = where or Path.cwd()
    beside_labkit = Path(__file__).resolve().parents[1] / lab
    for candidate in (Path(lab), where / lab, where / "labs" / lab, where, beside_labkit):
        if (candidate / "checks.py").is_file() and lab_name(candidate) == Path(lab).name:
            return candidate.resolve()
    raise LabNotFound(tr(f"no lab folder {lab!r} here ({where}): run this from the folder that holds the labs, or "
                         "from inside the lab's folder",
                         f"pas de dossier de lab {lab!r} ici ({where}) : lancez la commande depuis le dossier qui "
                         "contient les labs, ou depuis le dossier du lab"))


def lab_name(lab_dir: Path | str = ".") -> str:
    """The lab module's name: the one `labNN_topic.py` in the folder (the folder itself may have been renamed)."""
    modules = sorted(Path(lab_dir).glob("lab[0-9][0-9]_*.py"))
    return modules[0].stem if len(modules) == 1 else Path(lab_dir).resolve().name


def student_module(lab_dir: Path | str = ".") -> ModuleType:
    """The lab module (`labNN_topic.py`) from the lab folder, as the notebook imported it."""
    name = lab_name(lab_dir)
    if str(Path(lab_dir).resolve()) not in [str(Path(p).resolve()) for p in sys.path if p]:
        sys.path.insert(0, str(Path(lab_dir).resolve()))
    return sys.modules.get(name) or importlib.import_module(name)


@dataclass
class PublicResult:
    """One check's public cases run on the student's own machine."""

    checked: Check
    passed: int
    failures: list[str]  # one line per failed case or broken method rule

    @property
    def ok(self) -> bool:
        return not self.failures


def run_public(check_id: str, lab_dir: Path | str = ".") -> PublicResult:
    """Run one check's public cases against the expected outputs shipped with the lab, and its method rules."""
    lab_dir = Path(lab_dir)
    c = load_checks(lab_dir)[check_id]
    expected = decode(loads_strict((lab_dir / PUBLIC_EXPECTED_FILE).read_text()))[check_id]
    module = student_module(lab_dir)
    observer = Observer(trusted=[lab_dir / "checks.py"])
    failures, passed = [], 0
    for i, (case, exp) in enumerate(zip(c.public, expected, strict=True)):
        result = observed_case(c, module, case, observer if c.rules else None)
        reason = compare(exp, decode(result), c.rtol, c.atol)
        if reason:
            failures.append(tr("case", "cas") + f" {i + 1} ({c.describe_case(case)}): {reason.detail}")
        else:
            passed += 1
    source = Path(module.__file__).read_text() if getattr(module, "__file__", None) else ""
    evidence = rule_evidence(c, module, observer) if c.rules else None
    failures += [tr("method rule broken: ", "règle de méthode enfreinte : ") + b
                 for b in broken_rules(source, c.rules, evidence, module.__name__)]
    return PublicResult(c, passed, failures)


def check(check_id: str, lab_dir: Path | str = ".") -> None:
    """Visible test: run the public cases of one check against the expected outputs shipped with the lab.

    Raises AssertionError listing each failed case and broken method rule. During autograde this does nothing: the
    grader runs the checks in a clean process of its own (record_checks) and judges them.
    """
    if is_grading():
        return
    result = run_public(check_id, lab_dir)
    n = len(result.checked.public)
    if not result.ok:
        header = tr(f"{check_id}: {result.passed} of {n} public cases pass; to fix:",
                    f"{check_id} : {result.passed} cas public{'s' if result.passed > 1 else ''} sur {n} "
                    f"réussi{'s' if result.passed > 1 else ''} ; à corriger :")
        raise AssertionError("\n".join([header, *(f"  {line}" for line in result.failures)]))
    print(tr(f"{check_id}: all {n} public cases pass (hidden cases are graded later)",
             f"{check_id} : " + ("le cas public est réussi" if n == 1 else f"les {n} cas publics sont réussis")
             + " (les cas cachés sont notés après la remise)"))
