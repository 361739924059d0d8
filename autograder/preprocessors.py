"""The grading pipeline's own steps, run on each student's notebook by a worker (autograder.worker).

restore_test_cells puts back the test cells and locked cells from the source notebook's gradebook record (nbgrader's
sanitizing steps, with that record shipped to the worker as data instead of read from the course's gradebook);
SafeExecute (nbgrader's Execute) runs the notebook and survives a dead or hung kernel; WriteCases gives the clean
check process the cases to run; Judge (in the worker's own process, after both) scores every test cell from the
recorded outputs and replaces the cell's outputs with the score and one line per failed case, so nothing the
kernel printed decides a grade. Each reads what it needs from resources["grading"], one :class:`Grading`: the lab,
the student's context, the cases drawn once for this student, the folder the checks run in.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    Execute,
    NbGraderPreprocessor,
    OverwriteCells,
)
from traitlets import Integer
from traitlets.config import Config

from autograder.judge import judge_check
from autograder.labs import Lab
from autograder.results import CheckResult
from autograder.settings import Context
from labkit.codec import dumps_strict, encode
from labkit.grading import CASES_FILE, GRADING_DIR


@dataclass(frozen=True)
class SourceCells:
    """What nbgrader's gradebook records of a lab's source notebook, as plain data a worker can receive: each graded,
    locked or task cell (name, type, locked, checksum, source, points, kind) in order, and the kernelspec."""

    cells: tuple[dict[str, Any], ...]
    kernelspec: str | None

    @classmethod
    def from_gradebook(cls, db_url: str, lab: str) -> SourceCells:
        with Gradebook(db_url) as gb:
            nb = gb.find_notebook(lab, lab)
            points = {c.name: c.max_score for c in [*nb.grade_cells, *nb.task_cells]}
            solutions, tasks = {c.name for c in nb.solution_cells}, {c.name for c in nb.task_cells}
            cells = tuple({"name": c.name, "cell_type": c.cell_type, "locked": c.locked, "checksum": c.checksum,
                           "source": c.source, "max_score": points.get(c.name), "solution": c.name in solutions,
                           "task": c.name in tasks} for c in nb.source_cells)
            return cls(cells, nb.kernelspec)

    # The part of nbgrader's Gradebook that OverwriteCells reads.
    def find_source_cell(self, name: str, notebook: str, assignment: str) -> SimpleNamespace:
        for cell in self.cells:
            if cell["name"] == name:
                return SimpleNamespace(**cell)
        raise MissingEntry()

    def find_graded_cell(self, name: str, notebook: str, assignment: str) -> SimpleNamespace:
        cell = self.find_source_cell(name, notebook, assignment)
        if cell.max_score is None:
            raise MissingEntry()
        return cell

    def find_notebook(self, notebook: str, assignment: str) -> SimpleNamespace:
        cells = [SimpleNamespace(**c) for c in self.cells]
        return SimpleNamespace(
            source_cells=cells, kernelspec=self.kernelspec, solution_cells=[c for c in cells if c.solution],
            grade_cells=[c for c in cells if c.max_score is not None and not c.task],
            task_cells=[c for c in cells if c.task])


class _OverwriteFromSource(OverwriteCells):
    """nbgrader's OverwriteCells, reading the source cells from `resources["source_cells"]`."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.gradebook = resources["source_cells"]
        nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
        if self.add_missing_cells:
            nb, resources = self.add_missing_grade_cells(nb, resources)
            nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources


def restore_test_cells(nb: NotebookNode, lab: str, source: SourceCells) -> NotebookNode:
    """nbgrader's autograde sanitizing: outputs cleared, duplicate ids fixed, the kernelspec, test cells, locked
    cells and points put back from the source (a deleted test cell comes back), the cell metadata checked."""
    config = Config()
    config.OverwriteCells.add_missing_cells = True
    resources = {"nbgrader": {"assignment": lab, "notebook": lab}, "source_cells": source}
    for step in (ClearOutput, DeduplicateIds):
        nb, resources = step(config=config).preprocess(nb, resources)
    if source.kernelspec:
        nb.metadata["kernelspec"] = json.loads(source.kernelspec)
    for step in (_OverwriteFromSource, CheckCellMetadata):
        nb, resources = step(config=config).preprocess(nb, resources)
    return nb


@dataclass
class Grading:
    """One student's grading as it goes: what the steps read, and what they add (notes, then the judged checks)."""

    lab: Lab
    context: Context
    cases: dict[str, list[dict[str, Any]]]  # drawn once, for the check process and the judge alike
    source: str  # the module as submitted, read before any kernel could rewrite it: method rules judge it
    notes: list[str] = field(default_factory=list)  # what went wrong while running (a dead kernel, a timeout)
    workdir: Path | None = None  # the clean check process's folder
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def records(self) -> Path:
        assert self.workdir is not None
        return self.workdir / GRADING_DIR / "records"


class WriteCases(NbGraderPreprocessor):
    """The cases of every check, for the clean check process to run."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        grading: Grading = resources["grading"]
        workdir = grading.workdir / GRADING_DIR
        if workdir.is_symlink() or workdir.is_file():
            workdir.unlink()
        elif workdir.exists():
            shutil.rmtree(workdir)
        workdir.mkdir()
        cases = {cid: encode(grading.cases[cid]) for cid in grading.lab.checks}
        (workdir / CASES_FILE).write_text(dumps_strict(cases))
        return nb, resources


class SafeExecute(Execute):
    """nbgrader's Execute, but a kernel that dies or cannot be interrupted ends execution instead of the submission:
    the cells that ran keep their records, the rest score zero."""

    max_output_bytes = Integer(2 * 2**20, help="output kept per notebook; the rest is dropped").tag(config=True)

    def output(self, outs, msg, display_id, cell_index):
        # Count as the messages arrive: a student printing hundreds of MB must not fill the grader's memory.
        self._output_bytes = getattr(self, "_output_bytes", 0) + len(json.dumps(msg["content"], default=str))
        if self._output_bytes <= self.max_output_bytes:
            return super().output(outs, msg, display_id, cell_index)
        if not getattr(self, "_output_truncated", False):
            self._output_truncated = True
            note = new_output("stream", name="stdout", text=f"[output beyond {self.max_output_bytes} bytes dropped]\n")
            outs.append(note)
            return note
        return None

    ran_a_cell = False  # the kernel started and took a cell: a failure before that is the grading machine's

    def preprocess_cell(self, cell, resources, index):
        self.ran_a_cell = True
        return super().preprocess_cell(cell, resources, index)

    def preprocess(self, nb: NotebookNode, resources: dict, km=None) -> tuple[NotebookNode, dict]:
        self._output_bytes, self._output_truncated = 0, False
        self.shutdown_kernel = "immediate"  # nothing of the kernel is needed once its notebook has run
        try:
            return super().preprocess(nb, resources, km)
        except Exception as exc:  # DeadKernelError, CellTimeoutError after a failed interrupt, kernel start failures
            resources["grading"].notes.append(
                f"the notebook stopped running: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                .strip())
            return nb, resources
        finally:
            if km is not None and self.km is not None:
                # nbclient leaves a kernel manager it was given running: end the kernel and the client's threads.
                self._cleanup_kernel()


class Judge(NbGraderPreprocessor):
    """Scores every check from the clean check process's records; puts the results in resources["grading"]."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        grading: Grading = resources["grading"]
        diagnose = None if grading.context.diagnose else False  # None: unless AUTOGRADER_DIAGNOSIS=off
        results = {cid: judge_check(grading.lab, cid, grading.cases[cid], grading.records / f"{cid}.json",
                                    grading.source, grading.context.feedback, diagnose)
                   for cid in grading.lab.checks}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
                continue
            result = results.get(meta.get("grade_id"))
            if result is None:  # an autograded cell that is not one of the lab's checks
                result = CheckResult(str(meta.get("grade_id")), 0.0, float(meta.get("points", 0)), 0, 0,
                                     ["this test cell is not part of the lab"])
            cell.outputs = _score_outputs(result)
        grading.checks = list(results.values())
        return nb, resources


def _score_outputs(result: CheckResult) -> list[NotebookNode]:
    lines = [f"{result.check}: {result.passed}/{result.total} cases passed, {result.score:g}/{result.max_score:g} "
             "points"] + [f"  - {m}" for m in result.messages]
    return [new_output("stream", name="stdout", text="\n".join(lines) + "\n"),
            new_output("execute_result", data={"text/plain": repr(float(result.score))}, execution_count=1)]
