"""The records that are judged come from a clean check process: a notebook cell that rebinds the module's names
(through the module, sys.modules, or a patched file reloaded) changes the notebook's own run and nothing else.
Graded through the whole pipeline, in the sandbox, over the untouched stub: none scores above the stub."""

import json

import pytest

from autograder.grade import grade
from autograder.labs import get_lab
from autograder.sample_class import add_cell, sample_students

pytestmark = pytest.mark.slow
LAB = get_lab("lab03_optimizers")
LIBRARY = "import torch\nAdam, RMSprop, Adagrad = torch.optim.Adam, torch.optim.RMSprop, torch.optim.Adagrad\n"
REBINDING_CELLS = {
    "through-the-module": "import torch, lab03_optimizers as m\n"
                          "m.Adam, m.RMSprop, m.Adagrad = torch.optim.Adam, torch.optim.RMSprop, torch.optim.Adagrad",
    "through-sys-modules": "import sys, torch\nimport lab03_optimizers\nm = sys.modules['lab03_optimizers']\n"
                           "for name in ('Adam', 'RMSprop', 'Adagrad'):\n"
                           "    setattr(m, name, getattr(torch.optim, name))",
    "a-patched-file-reloaded": "import importlib, pathlib, lab03_optimizers as m\n"
                               "p = pathlib.Path(m.__file__)\n"
                               f"p.write_text(p.read_text() + {LIBRARY!r})\n"
                               "importlib.reload(m)",
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("clean")
    students = sample_students(LAB)
    release_nb = json.loads(students["stub"][LAB.notebook_name])
    submissions = {"perfect": students["perfect"], "stub": students["stub"]}
    for name, cell in REBINDING_CELLS.items():
        nb = add_cell(release_nb, cell, position=1)
        submissions[name] = {LAB.notebook_name: json.dumps(nb), LAB.module_file.name: students["stub"][
            LAB.module_file.name]}
    for student, files in submissions.items():
        (tmp / "subs" / student).mkdir(parents=True)
        for file, text in files.items():
            (tmp / "subs" / student / file).write_text(text)
    return {o.student: o for o in grade(LAB.name, tmp / "subs", tmp / "course", progress=False, workers=1)}


def test_notebook_cells_that_rebind_the_module_score_no_more_than_the_stub(graded):
    full = sum(c.points for c in LAB.checks.values())
    assert graded["perfect"].auto_score == full
    assert graded["stub"].auto_score == 0
    for name in REBINDING_CELLS:
        assert graded[name].status == "graded", graded[name].problems
        assert graded[name].auto_score == graded["stub"].auto_score, (name, graded[name].checks)


def test_the_notebook_still_ran_the_rebinding_cell(graded, tmp_path_factory):
    """The notebook's own run is what the teaching assistant reads: the cell ran there (its module was patched)."""
    from autograder.course import CourseDir

    course = CourseDir(next(tmp_path_factory.getbasetemp().glob("clean*")) / "course")
    nb = json.loads((course.autograded("through-the-module", LAB.name) / LAB.notebook_name).read_text())
    ran = [c for c in nb["cells"] if c["cell_type"] == "code" and "m.Adam" in "".join(c["source"])]
    assert ran and ran[0]["execution_count"] is not None
