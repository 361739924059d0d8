"""Where labs live and what each one is made of.

A lab is a folder `solutions/labNN_topic/` holding the reference module `labNN_topic.py` (solution regions between
"### BEGIN SOLUTION" / "### END SOLUTION"), the notebook source `notebook.py` (jupytext py:percent), `checks.py`
(the checks, shipped to students), `hidden_checks.py` (hidden case generators, one per check, named after it),
`mutants.py` (the catalogue of plausible wrong implementations, each of which must lose points), `honest.py` (correct
variants that must keep full marks) and `lab.toml`, its manifest: how the grader runs it, its written answers, and
what its notebook must show (:class:`Manifest`). Only the notebook, the stubbed module and `checks.py` are ever
shipped. :meth:`Lab.validate` checks that these agree with each other.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import random
import sys
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

from labkit.grading import Check

REPO_ROOT = Path(__file__).resolve().parents[1]


class LabError(Exception):
    """A problem with a lab's source, reported to the user without a traceback."""


@dataclass(frozen=True)
class Manifest:
    """A lab's `lab.toml`."""

    cell_timeout_s: int  # [grading]: one notebook cell; in the clean check process, the import and each check
    notebook_timeout_s: int  # [grading]: the whole notebook, and all the checks together
    written: dict[str, float]  # [written]: the manually graded answer cells, id = points
    cpu_budget_s: float  # [notebook]: the CPU profile's run, top to bottom, with the reference
    shows: tuple[dict[str, Any], ...]  # [[notebook.shows]]: a metric the notebook prints and the bound it must meet

    SHOWS_KEYS = frozenset({"metric", "above", "below", "why"})

    @classmethod
    def read(cls, path: Path) -> Manifest:
        if not path.is_file():
            raise LabError(f"{path} is missing")
        try:
            data = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise LabError(f"{path}: not valid TOML: {exc}") from None

        def table(name: str, keys: set[str]) -> dict[str, Any]:
            found = data.get(name)
            if not isinstance(found, dict) or not keys <= set(found):
                raise LabError(f"{path}: [{name}] must set {', '.join(sorted(keys))}")
            return found

        if set(data) - {"grading", "written", "notebook"}:
            raise LabError(f"{path}: unknown tables {sorted(set(data) - {'grading', 'written', 'notebook'})}; a lab "
                           "manifest has [grading], [written] and [notebook]")
        grading = table("grading", {"cell_timeout_s", "notebook_timeout_s"})
        notebook = table("notebook", {"cpu_budget_s"})
        written = data.get("written", {})
        shows = tuple(notebook.get("shows", ()))
        for show in shows:
            if not {"metric", "why"} <= set(show) <= cls.SHOWS_KEYS or not {"above", "below"} & set(show):
                raise LabError(f"{path}: each [[notebook.shows]] names a metric, why, and a bound (above or below), "
                               f"not {sorted(show)}")
        if not all(isinstance(v, int | float) and v > 0 for v in [*grading.values(), *written.values()]):
            raise LabError(f"{path}: timeouts and points must be positive numbers")
        return cls(int(grading["cell_timeout_s"]), int(grading["notebook_timeout_s"]),
                   dict(written), float(notebook["cpu_budget_s"]), shows)


@dataclass(frozen=True)
class Lab:
    name: str
    source_dir: Path

    @property
    def root(self) -> Path:
        """The course repository the lab belongs to."""
        return self.source_dir.parent.parent

    @property
    def module_file(self) -> Path:
        return self.source_dir / f"{self.name}.py"

    @property
    def notebook_source(self) -> Path:
        return self.source_dir / "notebook.py"

    @property
    def notebook_name(self) -> str:
        return f"{self.name}.ipynb"

    @cached_property
    def checks_module(self) -> ModuleType:
        return _load_file(self.source_dir / "checks.py", f"_checks_{self.name}")

    @cached_property
    def checks(self) -> dict[str, Check]:
        return {c.id: c for c in self.checks_module.CHECKS}

    @cached_property
    def manifest(self) -> Manifest:
        return Manifest.read(self.source_dir / "lab.toml")

    @property
    def written(self) -> dict[str, float]:
        """Manually graded answer cells: id -> points."""
        return self.manifest.written

    @cached_property
    def mutants(self) -> ModuleType:
        """MUTANTS (name -> {function: replacement source}) and SAMPLE_PARTIAL (the sample class's partial student)."""
        return _load_file(self.source_dir / "mutants.py", f"_mutants_{self.name}")

    @cached_property
    def hidden(self) -> ModuleType:
        return _load_file(self.source_dir / "hidden_checks.py", f"_hidden_{self.name}")

    def reference(self) -> ModuleType:
        """The reference solution, imported as `solutions.<lab>.<lab>`."""
        root = str(self.root)
        if root not in sys.path:
            sys.path.insert(0, root)
        return importlib.import_module(f"solutions.{self.name}.{self.name}")

    def validate(self) -> None:
        """The lab's contract: its manifest reads; every check has a hidden-case generator of its own name in
        hidden_checks.py, and every public function there is one (a misnamed generator would otherwise give its
        check no hidden case)."""
        self.manifest  # noqa: B018 (reading it validates it)
        generators = {name for name, f in vars(self.hidden).items()
                      if inspect.isfunction(f) and f.__module__ == self.hidden.__name__ and not name.startswith("_")}
        where = self.source_dir / "hidden_checks.py"
        for check_id in sorted(set(self.checks) - generators):
            raise LabError(f"{where}: no hidden-case generator for the check {check_id!r} (a function named "
                           f"{check_id}(rng) returning a list of cases)")
        for name in sorted(generators - set(self.checks)):
            raise LabError(f"{where}: {name}() generates cases for no check of checks.py (checks: "
                           f"{', '.join(sorted(self.checks))}); name it after its check, or make it private")

    def cases(self, check_id: str, seed_text: str) -> list[dict[str, Any]]:
        """Public cases followed by hidden ones drawn with a seed derived from `seed_text`."""
        check = self.checks[check_id]
        seed = int.from_bytes(hashlib.sha256(f"{seed_text}:{self.name}:{check_id}".encode()).digest()[:8], "big")
        generator = getattr(self.hidden, check_id, None)
        if generator is None:
            raise LabError(f"{self.source_dir / 'hidden_checks.py'}: no hidden-case generator for {check_id!r}")
        hidden = generator(random.Random(seed))
        if not isinstance(hidden, list) or not all(isinstance(c, dict) for c in hidden):
            raise LabError(f"{self.source_dir / 'hidden_checks.py'}: {check_id}() must return a list of cases (dicts)")
        return [dict(c) for c in check.public] + hidden


def _load_file(path: Path, name: str) -> ModuleType:
    if not path.is_file():
        raise LabError(f"{path} is missing")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def all_labs(root: Path = REPO_ROOT) -> list[Lab]:
    """Every finished lab: a folder of solutions/ with a checks.py."""
    return [Lab(p.name, p) for p in sorted((root / "solutions").glob("lab[0-9][0-9]_*")) if (p / "checks.py").is_file()]


def get_lab(name: str, root: Path = REPO_ROOT) -> Lab:
    labs = {lab.name: lab for lab in all_labs(root)}
    if name not in labs:
        raise LabError(f"unknown lab {name!r}; the finished labs are: {', '.join(labs) or 'none'}")
    return labs[name]


@cache
def find_lab(name: str, root: Path | str) -> Lab:
    """The lab in the course repository `root` where a batch was launched, else in this installed copy (a cluster's
    worker has its own). One Lab per worker process: its checks, manifest and catalogues are read once, not once
    per student."""
    for where in dict.fromkeys([Path(root), REPO_ROOT]):
        if (where / "solutions" / name / "checks.py").is_file():
            return Lab(name, where / "solutions" / name)
    raise LabError(f"this machine has no solutions/{name}: install the course repository on it")
