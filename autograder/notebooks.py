"""Turn a lab's text sources into what nbgrader and students read.

Notebook cells carry one marker in their jupytext header: `check="ID"` for an autograded test cell (points from
checks.py) or `answer="ID"` for a manually graded written answer (points from checks.WRITTEN). Module files keep
their solutions between "### BEGIN SOLUTION" and "### END SOLUTION"; the release replaces each region by a
`raise NotImplementedError` that names the function to write.
"""

from __future__ import annotations

import re

import jupytext
import nbformat

from autograder.labs import Lab, LabError

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def source_notebook(lab: Lab) -> nbformat.NotebookNode:
    """The instructor notebook with nbgrader metadata, deterministic cell ids and no outputs."""
    nb = jupytext.read(lab.notebook_source)
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    seen_checks, seen_answers = set(), set()
    for index, cell in enumerate(nb.cells):
        check_id, answer_id = cell.metadata.pop("check", None), cell.metadata.pop("answer", None)
        cell.metadata = {}
        cell.id = f"cell-{index:03d}"
        if check_id is not None:
            if check_id not in lab.checks:
                raise LabError(f"{lab.notebook_source}: test cell for unknown check {check_id!r}")
            seen_checks.add(check_id)
            cell.metadata["nbgrader"] = _nbgrader_meta(check_id, lab.checks[check_id].points, grade=True,
                                                       solution=False)
        elif answer_id is not None:
            if answer_id not in lab.written:
                raise LabError(f"{lab.notebook_source}: answer cell {answer_id!r} has no points in checks.WRITTEN")
            seen_answers.add(answer_id)
            cell.metadata["nbgrader"] = _nbgrader_meta(answer_id, lab.written[answer_id], grade=True, solution=True)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    missing = (set(lab.checks) - seen_checks) | (set(lab.written) - seen_answers)
    if missing:
        raise LabError(f"{lab.notebook_source}: no cell for {sorted(missing)}")
    nbformat.validate(nb)
    return nb


def _nbgrader_meta(grade_id: str, points: float, grade: bool, solution: bool) -> dict:
    return {"grade": grade, "grade_id": grade_id, "locked": not solution, "points": points, "schema_version": 3,
            "solution": solution, "task": False}


def strip_solutions(text: str, where: str) -> str:
    """Replace every solution region of a Python module by a stub naming the enclosing function."""
    out: list[str] = []
    inside = False
    current_def, current_class = "this function", ""
    for lineno, line in enumerate(text.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if stripped.startswith(HIDDEN_BEGIN) or stripped.startswith(HIDDEN_END):
            raise LabError(f"{where}:{lineno}: hidden tests belong in hidden_checks.py, not in a module")
        if not inside:
            match = re.match(r"(\s*)(?:async\s+)?(def|class)\s+(\w+)", line)
            if match:
                indent, kind, name = match.groups()
                if not indent:
                    current_class = name if kind == "class" else ""
                current_def = f"{current_class}.{name}" if indent and current_class else name
        if stripped == BEGIN:
            if inside:
                raise LabError(f"{where}:{lineno}: nested {BEGIN}")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}# YOUR CODE HERE\n")
            out.append(f'{indent}raise NotImplementedError("{current_def}: not implemented yet")\n')
        elif stripped == END:
            if not inside:
                raise LabError(f"{where}:{lineno}: {END} without {BEGIN}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise LabError(f"{where}: {BEGIN} is never closed")
    return "".join(out)


def solution_regions(text: str) -> list[str]:
    """The text inside each solution or hidden-test region (used to prove a release leaks none of it)."""
    regions = re.findall(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END \1", text, flags=re.S)
    return [body for _, body in regions]
