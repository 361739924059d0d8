"""An nbgrader course directory for one lab: its source, its gradebook and the grading pipeline's configuration."""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    IgnorePattern,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)
from traitlets.config import Config

from autograder.labs import Lab
from autograder.notebooks import source_notebook

GRADEBOOK = "gradebook.db"

# nbgrader shells out to `alembic` to open the gradebook: make this interpreter's scripts findable.
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")


def install_source(course_dir: Path, lab: Lab) -> None:
    """Write the lab's source notebook and its public checks.py into `course_dir/source/<lab>/`.

    Only these files: nbgrader copies every non-notebook file of the source folder over the student's files at
    autograde, so the reference module must never be here.
    """
    dest = course_dir / "source" / lab.name
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    nbformat.write(source_notebook(lab), dest / lab.notebook_name)
    shutil.copy(lab.source_dir / "checks.py", dest / "checks.py")


def make_config(course_dir: Path, lab: Lab | None = None, grading: dict | None = None) -> Config:
    c = Config()
    c.CourseDirectory.root = str(course_dir.resolve())
    c.CourseDirectory.db_url = f"sqlite:///{(course_dir / GRADEBOOK).resolve()}"
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "_grading"]
    c.GenerateAssignment.db_url = c.CourseDirectory.db_url
    if lab is not None and grading is not None:
        from autograder import preprocessors as pp

        c.Execute.timeout = int(grading.get("cell_timeout") or lab.cell_timeout)
        c.Execute.kernel_manager_class = pp.WrappedKernelManager
        c.WrappedKernelManager.sandbox = bool(grading.get("sandbox", True))
        c.WrappedKernelManager.notebook_seconds = int(grading.get("notebook_timeout") or lab.notebook_timeout)
        c.Execute.raise_on_iopub_timeout = False  # late output after an interrupted cell must not end the notebook
        c.OverwriteCells.add_missing_cells = True  # a deleted test cell comes back and is graded
        c.Judge.report_dir = str(course_dir / "reports" / lab.name)
        c.Judge.seed = str(grading["seed"])
        c.Judge.root = str(lab.source_dir.parent.parent)
        c.WriteCases.seed = str(grading["seed"])
        c.WriteCases.root = c.Judge.root
        c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells,
                                              CheckCellMetadata]
        c.Autograde.autograde_preprocessors = [pp.WriteCases, pp.SafeExecute, pp.Judge, IgnorePattern,
                                               ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
                                               AssignLatePenalties, CheckCellMetadata]
    return c


def make_api(config: Config) -> NbGraderAPI:
    coursedir = CourseDirectory(config=config)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    api.log.setLevel(logging.ERROR)
    return api


def generate(course_dir: Path, lab: Lab) -> Path:
    """Run nbgrader generate_assignment for `lab` (records its cells in the gradebook); returns the release folder."""
    install_source(course_dir, lab)
    api = make_api(make_config(course_dir))
    result = api.generate_assignment(lab.name, force=True, create=True)
    if not result["success"]:
        detail = result.get("error") or result.get("log")
        raise RuntimeError(f"nbgrader generate_assignment failed for {lab.name}:\n{detail}")
    return course_dir / "release" / lab.name
