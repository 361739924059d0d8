"""The trusted half of grading: read what the student's kernel recorded, rerun the probe on the reference, compare.

Runs in the grader's process. Records are data only: a regular file, size-capped, strict JSON, exact keys, one
result per case. Anything else scores zero for that check with a message saying why.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from autograder import diagnosis
from autograder.labs import Lab
from autograder.results import CheckResult
from autograder.settings import Feedback
from labkit.codec import decode, dumps_strict, encode, loads_strict
from labkit.compare import Mismatch, compare
from labkit.grading import MAX_RECORD_BYTES, Check, run_case
from labkit.i18n import tr
from labkit.rules import broken_rules

DIAGNOSIS_SWITCH = "AUTOGRADER_DIAGNOSIS"  # "off": judge without diagnosing (grades are the same either way)


class RecordError(ValueError):
    pass


def read_records(path: Path, check_id: str, n_cases: int,
                 with_evidence: bool = False) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Validated, decoded results from a records file written by the clean check process, and the run-time evidence
    of the check's method rules (required when `with_evidence`)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise RecordError("no outputs were recorded (the test cell did not run to its end)") from None
    if not stat.S_ISREG(info.st_mode):
        raise RecordError("the records file is not a regular file")
    if info.st_size > MAX_RECORD_BYTES:
        raise RecordError(f"the records file is larger than {MAX_RECORD_BYTES} bytes")
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        raw = f.read(MAX_RECORD_BYTES + 1)
    try:
        data = loads_strict(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise RecordError(f"the records file is not strict JSON ({exc.__class__.__name__})") from None
    keys = {"check", "results", "evidence"} if with_evidence else {"check", "results"}
    if not isinstance(data, dict) or set(data) != keys or data["check"] != check_id:
        raise RecordError("the records file does not have the expected keys")
    results = data["results"]
    if not isinstance(results, list) or len(results) != n_cases:
        raise RecordError(f"expected {n_cases} recorded results")
    decoded = []
    for r in results:
        if not isinstance(r, dict):
            raise RecordError("a recorded result is not an object")
        if set(r) == {"value"}:
            decoded.append({"value": decode(r["value"])})
        elif set(r) == {"error", "message"} and isinstance(r["error"], str) and isinstance(r["message"], str):
            decoded.append({"error": r["error"][:100], "message": r["message"][:300]})
        else:
            raise RecordError("a recorded result has unexpected keys")
    return decoded, (_evidence(data["evidence"]) if with_evidence else None)


def _evidence(data: Any) -> dict[str, Any]:
    """The run-time evidence as labkit.recording.record_checks writes it, checked shape by shape."""
    def strings(x: Any) -> bool:
        return isinstance(x, list) and all(isinstance(v, str) for v in x)

    def table(x: Any, ok) -> bool:
        return isinstance(x, dict) and all(isinstance(k, str) and ok(v) for k, v in x.items())

    if (not isinstance(data, dict) or set(data) != {"calls", "direct", "own", "mro", "foreign", "tampered"}
            or not all(table(data[k], strings) for k in ("calls", "direct", "own", "mro"))
            or not table(data["foreign"], lambda v: isinstance(v, str)) or not strings(data["tampered"])):
        raise RecordError("the run-time evidence of the method rules is malformed")
    return data


_REFERENCE_RESULTS: dict[tuple[str, str, str], dict[str, Any]] = {}
_MAX_REMEMBERED = 4096


def _reference_result(lab: Lab, check_id: str, case: dict[str, Any]) -> dict[str, Any]:
    """The reference's result on one case, computed once per worker: every student meets the same public cases."""
    key = (str(lab.source_dir), check_id, dumps_strict(encode(case)))
    if key not in _REFERENCE_RESULTS:
        if len(_REFERENCE_RESULTS) >= _MAX_REMEMBERED:
            _REFERENCE_RESULTS.clear()
        _REFERENCE_RESULTS[key] = run_case(lab.checks[check_id], lab.reference(), case)
    return _REFERENCE_RESULTS[key]


def judge_check(lab: Lab, check_id: str, cases: list[dict[str, Any]], records_path: Path,
                module_source: str | None = None, feedback: Feedback = Feedback.INPUTS,
                diagnose: bool | None = None) -> CheckResult:
    """Score one check on its `cases` (public, then hidden): points shared equally between them; a message for each
    failed case.

    A broken method rule (judged from `module_source`, the submitted file, and the run-time evidence recorded beside
    the outputs) scores the whole check zero. Public cases ship with their expected outputs, so their messages
    always show them; for hidden cases `feedback` (autograder.settings.Feedback) says what a message shows. A failed
    check gets its diagnosis (autograder.diagnosis), which catalogued mistake the student's outputs show, for the
    teaching assistant, unless `diagnose` is False (None: on unless the environment sets AUTOGRADER_DIAGNOSIS=off,
    as benchmarks/diagnosis_cost.py does)."""
    feedback = Feedback.parse(feedback)
    check = lab.checks[check_id]
    try:
        actual, evidence = read_records(records_path, check_id, len(cases), with_evidence=bool(check.rules))
    except (RecordError, ValueError) as exc:
        return CheckResult(check_id, 0.0, float(check.points), 0, len(cases), [f"{check_id}: {exc}"])
    broken = broken_rules(module_source, check.rules, evidence, lab.name) if check.rules and module_source is not None \
        else []
    expected = [decode(_reference_result(lab, check_id, case)) for case in cases]
    reasons = [compare(e, got, check.rtol, check.atol) for e, got in zip(expected, actual, strict=True)]
    passed = sum(r is None for r in reasons)
    found = None
    if diagnose is None:
        diagnose = os.environ.get(DIAGNOSIS_SWITCH, "on").strip().lower() not in ("off", "0", "no", "false")
    if diagnose and (broken or passed < len(cases)):
        found = _diagnosis(lab, check_id, cases, expected, actual, broken)
    hints = _hints(lab, found) if feedback in (Feedback.HINTS, Feedback.FULL) else []
    if broken:
        return CheckResult(check_id, 0.0, float(check.points), 0, len(cases),
                           [f"method rule broken: {b}" for b in broken] + hints, found)
    messages = _case_messages(check, cases, reasons, feedback)
    score = round(check.points * passed / len(cases), 4) if cases else 0.0
    return CheckResult(check_id, score, float(check.points), passed, len(cases), messages + hints, found)


def _case_messages(check: Check, cases: list[dict[str, Any]], reasons: list[Mismatch | None],
                   feedback: Feedback) -> list[str]:
    """One line per failed case. A public case shows its inputs and expected value (they ship with the lab); a
    hidden one shows what `feedback` allows."""
    n_public, messages, hidden_failed = len(check.public), [], 0
    for i, (case, reason) in enumerate(zip(cases, reasons, strict=True)):
        if reason is None:
            continue
        if i < n_public:
            messages.append(f"public case {i + 1} ({check.describe_case(case)}): {reason.detail}")
        else:
            hidden_failed += 1
            if feedback == Feedback.FULL:
                messages.append(f"hidden case {i + 1} ({check.describe_case(case)}): {reason.detail}")
            elif feedback in (Feedback.INPUTS, Feedback.HINTS) and reason.reveals:
                # A wrong yes/no (or other few-valued) answer on shown inputs would give the expected one away.
                messages.append(f"hidden case {i + 1}: {reason.kind}")
            elif feedback in (Feedback.INPUTS, Feedback.HINTS):
                messages.append(f"hidden case {i + 1} ({check.describe_case(case)}): {reason.kind}")
    if hidden_failed and feedback == Feedback.SUMMARY:
        messages.append(f"{hidden_failed} of {len(cases) - n_public} hidden cases failed")
    return messages


def _diagnosis(lab: Lab, check_id: str, cases: list[dict[str, Any]], expected: list[dict[str, Any]],
               actual: list[dict[str, Any]], broken: list[str]) -> dict[str, Any] | None:
    """The diagnosis, or None if it could not be made: a fault of the diagnosis never changes a grade."""
    try:
        return diagnosis.diagnose(lab, check_id, cases, expected, actual, broken)
    except Exception as exc:  # the grade stands; the teaching assistant sees why there is no diagnosis
        return {"kind": diagnosis.UNKNOWN, "mistakes": [], "signature": [],
                "note": f"diagnosis failed: {type(exc).__name__}: {exc}"[:300]}


def _hints(lab: Lab, found: dict[str, Any] | None) -> list[str]:
    """The feedback level "hints": for a diagnosed mistake, its hint, a question, in the student's language (for an
    ambiguous diagnosis, one per possible mistake). The mistake's name and description are never shown."""
    if not found or found["kind"] == diagnosis.UNKNOWN:
        return []
    described = diagnosis.descriptions(lab)
    hints = []
    for group in found["mistakes"]:
        entry = next((described[name] for name in group if name in described), None)
        if entry:
            hint = tr(entry["hint_en"], entry["hint_fr"])
            if hint not in hints:
                hints.append(hint)
    prefix = (tr("hint: ", "indice : ") if len(hints) == 1
              else tr("hint (one of these): ", "indice (l'une de ces pistes) : "))
    return [prefix + h for h in hints]
