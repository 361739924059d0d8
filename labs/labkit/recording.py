"""The clean check process: a fresh sandboxed process that imports only the submitted module, from its file, runs
every check's cases on it and writes the outputs, with the run-time evidence of the method rules, for the judge
outside the sandbox. It compares nothing."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from labkit.codec import decode, dumps_strict, loads_strict
from labkit.evidence import Observer, graded_objects
from labkit.grading import CASES_FILE, GRADING_DIR, READY_FILE, Check, load_checks, run_case
from labkit.i18n import tr


class CheckTimeout(BaseException):
    """A check ran past its time in the clean check process (a BaseException: run_case must not record it as the
    student's own error)."""


def record_checks(lab_dir: Path | str, module_file: str, check_seconds: float | None = None,
                  only: Sequence[str] | None = None) -> None:
    """The clean check process: import the submitted module from its file, nothing else of the student's, and run
    each check's cases (`_grading/cases.json`; `only` these checks, when given), writing each check's outputs and
    the run-time evidence of its method rules to `_grading/records/<check>.json` for the judge. Compares nothing.
    Importing the module and each check get `check_seconds` each, as a notebook cell would."""
    lab_dir = Path(lab_dir).resolve()
    grading = lab_dir / GRADING_DIR
    cases = decode(loads_strict((grading / CASES_FILE).read_text()))
    checks = {k: c for k, c in load_checks(lab_dir).items() if only is None or k in only}
    observer = Observer(trusted=[lab_dir / "checks.py"])
    watched = any(c.rules for c in checks.values())
    (grading / "records").mkdir(exist_ok=True)
    (grading / READY_FILE).write_text("")  # set up: from here on only the student's code can fail
    module, failure = None, None
    if watched:
        observer.start()
    try:
        with _time_limit(check_seconds):
            module = _import_file(lab_dir / module_file)
    except BaseException as exc:  # whatever the module raises at import (SystemExit too) answers every case
        failure = {"error": type(exc).__name__, "message": str(exc)[:300]}
    finally:
        if watched:
            observer.stop()
    tampered_at_import = list(observer.tampered)
    for check_id, c in checks.items():
        observer.reset()
        observer.tampered = list(tampered_at_import)
        results: list[dict[str, Any]] = []
        if module is None:
            results = [dict(failure) for _ in cases[check_id]]
        else:
            try:
                with _time_limit(check_seconds):
                    for case in cases[check_id]:
                        results.append(observed_case(c, module, case, observer if c.rules else None))
            except CheckTimeout:
                late = {"error": "CheckTimeout", "message": tr(f"the check ran past {check_seconds:g} s",
                                                               f"la vérification a dépassé {check_seconds:g} s")}
                results += [dict(late) for _ in cases[check_id][len(results):]]
        data: dict[str, Any] = {"check": check_id, "results": results}
        if c.rules:
            data["evidence"] = rule_evidence(c, module, observer)
        out = grading / "records" / f"{check_id}.json"
        tmp = out.with_suffix(".tmp")
        tmp.write_text(dumps_strict(data))
        os.replace(tmp, out)


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise CheckTimeout in this (main) thread after `seconds`, and every second after that, until left."""
    if not seconds:
        yield
        return

    def expire(*_: Any) -> None:
        raise CheckTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _import_file(path: Path) -> ModuleType:
    """The module as submitted, from its own file, under its own name (as the notebook imports it)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(tr(f"cannot import {path.name}", f"impossible d'importer {path.name}"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def observed_case(c: Check, module: ModuleType, case: dict[str, Any], observer: Observer | None) -> dict[str, Any]:
    if observer is None:
        return run_case(c, module, case)
    observer.start()
    try:
        return run_case(c, module, case)
    finally:
        observer.stop()


def rule_evidence(c: Check, module: ModuleType | None, observer: Observer) -> dict[str, Any]:
    """What the rules of check `c` are judged on besides the source: see labkit.evidence."""
    targets = {r.target for r in c.rules}

    def of_targets(table: dict[str, set[str]]) -> dict[str, list[str]]:
        return {entry: sorted(names) for entry, names in table.items() if entry.split(".")[0] in targets}

    mro, foreign = graded_objects(module, targets) if module is not None else ({}, {})
    return {"calls": of_targets(observer.calls), "direct": of_targets(observer.direct), "own": of_targets(observer.own),
            "mro": mro, "foreign": foreign, "tampered": observer.tampered[:20]}


def record_folders(module_name: str, folders: Sequence[str]) -> None:
    """Record every check in each of `folders` (copies of one lab, each with its own version of the module), in this
    one process: torch and Lightning are imported once. For the project's own tests and benchmarks, which grade
    many variants of a module; the grader runs one clean process per student."""
    for folder in folders:
        os.chdir(folder)
        sys.modules.pop(module_name, None)
        record_checks(folder, module_name + ".py")


def record_folders_command(module_name: str, folders: Sequence[str]) -> list[str]:
    """The argv of a fresh Python process that runs :func:`record_folders`."""
    code = ("import json, sys; from labkit.recording import record_folders; "
            "record_folders(sys.argv[1], json.loads(sys.argv[2]))")
    return [sys.executable, "-c", code, module_name, json.dumps(list(folders))]
