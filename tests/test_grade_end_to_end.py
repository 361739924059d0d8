"""`autograder grade` through nbgrader on real kernels: the sample class, broken submissions, exports."""

import csv
import json
import shutil
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.course import CourseDir, GraderBusy
from autograder.dispatch import STUDENTS_PER_WORKER, local_workers
from autograder.grade import grade
from autograder.labs import all_labs
from autograder.sample_class import build_sample_class, reference_source, replace_function

pytestmark = pytest.mark.slow
# A lab's sample class is graded once per test run (conftest.graded_classes): the tests that read one lab's class run
# on one pytest-xdist worker, so that the others do not wait for it.
LAB01_CLASS = pytest.mark.xdist_group("sample-lab01_cnn")

# Autograded points of each sample student (written answers are graded by hand). Hidden cases are drawn from the
# submission's content too, so a partial score moves when the reference module's text (its docstrings) changes.
EXPECTED = {
    "lab01_cnn": {"perfect": 10.0, "stub": 0.0, "partial": 8.0333, "broken": 0.0, "cheater": 0.0},
    "lab02_linear_rnn": {"perfect": 12.0, "stub": 0.0, "partial": 8.5857, "broken": 0.0, "cheater": 0.0},
    "lab03_optimizers": {"perfect": 8.0, "stub": 0.0, "partial": 5.1176, "broken": 0.0, "cheater": 0.0},
    "lab04_regularization": {"perfect": 16.0, "stub": 0.0, "partial": 9.9167, "broken": 0.0, "cheater": 0.0},
    "lab05_contractive_ae": {"perfect": 12.0, "stub": 0.0, "partial": 9.8545, "broken": 0.0, "cheater": 0.0},
    "lab06_vae": {"perfect": 15.0, "stub": 0.0, "partial": 12.0, "broken": 0.0, "cheater": 0.0},
    "lab07_gans": {"perfect": 11.0, "stub": 0.0, "partial": 8.4333, "broken": 0.0, "cheater": 0.0},
    "lab08_boltzmann": {"perfect": 22.0, "stub": 0.0, "partial": 17.7692, "broken": 0.0, "cheater": 0.0},
}
LABS = {lab.name: lab for lab in all_labs()}


@pytest.fixture
def sample_class(graded_classes):
    return graded_classes("lab01_cnn")


def test_every_lab_has_expected_sample_scores():
    assert set(EXPECTED) == set(LABS)


@pytest.mark.parametrize("lab_name", [pytest.param(name, marks=pytest.mark.xdist_group(f"sample-{name}"))
                                      for name in sorted(EXPECTED)])
def test_sample_class_scores_as_expected(graded_classes, lab_name):
    _, outcomes = graded_classes(lab_name)
    assert {s: o.auto_score for s, o in outcomes.items()} == EXPECTED[lab_name]
    assert outcomes["perfect"].needs_manual_grade, "filled written answers wait for a teaching assistant"
    assert outcomes["cheater"].auto_score == 0 and outcomes["stub"].auto_score == 0
    assert outcomes["broken"].status == "not graded" and "not valid JSON at line" in outcomes["broken"].problems[0]


@LAB01_CLASS
def test_exports_match_the_gradebook(sample_class, lab01):
    course, _ = sample_class
    with open(course / "grades.csv") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert set(rows) == set(EXPECTED["lab01_cnn"])
    for student, row in rows.items():
        assert float(row["auto_score"]) == EXPECTED["lab01_cnn"][student]
        assert float(row["max_score"]) == sum(c.points for c in lab01.checks.values()) + sum(lab01.written.values())
        assert row["lab"] == row["assignment"] == "lab01_cnn"
        results = json.loads((course / "results" / f"{student}.json").read_text())
        assert [t["name"] for t in results["tests"]] == list(lab01.checks)
        assert sum(t["score"] for t in results["tests"]) == pytest.approx(results["score"])
        assert all(set(t) == {"name", "score", "max_score", "output"} for t in results["tests"])


@LAB01_CLASS
def test_feedback_shows_failed_cases_but_no_test_source(sample_class, lab01):
    course, _ = sample_class
    page = (course / "feedback" / "partial.html").read_text()
    assert "receptive_field" in page and "expected 25, got 24" in page
    hidden_source = (lab01.source_dir / "hidden_checks.py").read_text()
    for marker in ["record(", "BEGIN HIDDEN", "def receptive_field(rng", hidden_source.splitlines()[-1].strip()]:
        assert marker not in page


@LAB01_CLASS
def test_the_judged_notebook_keeps_scores_not_kernel_output(sample_class):
    course, _ = sample_class
    nb = json.loads((course / "autograded" / "cheater" / "lab01_cnn" / "lab01_cnn.ipynb").read_text())
    test_cells = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade") and c["cell_type"] == "code"]
    for cell in test_cells:
        assert "".join(cell["outputs"][-1]["data"]["text/plain"]) == "0.0"
        assert all(o.get("name") != "stderr" for o in cell["outputs"])


def _module_with(lab, **replacements) -> str:
    source = reference_source(lab)
    for name, code in replacements.items():
        source = replace_function(source, name, code)
    return source


@given(most=st.integers(1, 64), students=st.integers(0, 2000))
def test_a_batch_starts_a_worker_only_for_enough_students(most, students):
    n = local_workers(most, students)
    assert 1 <= n <= most
    # Every worker has at most STUDENTS_PER_WORKER students, unless --workers caps them; none has too few to pay
    # for its start.
    assert n == most or students <= n * STUDENTS_PER_WORKER
    assert n == 1 or students > (n - 1) * STUDENTS_PER_WORKER


def test_broken_submissions_lose_only_what_they_break(lab01, tmp_path, capsys):
    perfect = build_sample_class(lab01, tmp_path / "sample") / "perfect"
    subs = tmp_path / "subs"
    nb, mod = lab01.notebook_name, lab01.module_file.name

    def student(name, module_text=None, notebook_name=nb, module_name=mod):
        d = subs / name
        d.mkdir(parents=True)
        shutil.copy(perfect / nb, d / notebook_name)
        if module_text is not False:
            (d / module_name).write_text(module_text or (perfect / mod).read_text())

    student("noisy", _module_with(lab01, receptive_field='''
def receptive_field(n_layers, kernel, stride=1, dilation=1):
    import sys, warnings, logging
    print("debug output on stderr", file=sys.stderr)
    warnings.warn("a warning from the student")
    logging.getLogger("lightning").warning("lightning-style log line")
    _require_positive(n_layers=n_layers, kernel=kernel, stride=stride, dilation=dilation)
    field, jump = 1, 1
    for _ in range(n_layers):
        field += dilation * (kernel - 1) * jump
        jump *= stride
    return field
'''))
    student("killer", _module_with(lab01, receptive_field='''
def receptive_field(n_layers, kernel, stride=1, dilation=1):
    import os
    os._exit(0)
'''))
    student("sleeper", _module_with(lab01, padding_for='''
def padding_for(mode, kernel):
    import time
    time.sleep(10_000)
'''))
    student("syntax", "def conv_output_size(:\n")
    student("no_module", module_text=False)
    student("renamed", notebook_name="Lab01_CNN.ipynb")
    subs.joinpath("not a student.txt").write_text("ignored")
    with zipfile.ZipFile(subs / "zipped.zip", "w") as zf:
        zf.write(perfect / nb, f"lab01_cnn/{nb}")
        zf.write(perfect / mod, f"lab01_cnn/{mod}")

    outcomes = {o.student: o for o in grade(lab01.name, subs, tmp_path / "course", progress=False, cell_timeout=8)}
    assert "grading 6 student(s) on 1 local worker(s)" in capsys.readouterr().err
    scores = {s: o.auto_score for s, o in outcomes.items()}
    checks = lab01.checks
    assert scores == {
        "noisy": 10.0,
        "zipped": 10.0,
        # the checks run in a clean process: the one whose code ends it loses its points, the others run on
        "killer": 10.0 - checks["receptive_field"].points,
        "sleeper": 10.0 - checks["padding_for"].points,  # interrupted, then the notebook goes on
        "syntax": 0.0,
        "no_module": 0.0,
        "renamed": 0.0,
    }
    assert "stopped running" in " ".join(outcomes["killer"].problems)
    assert "receptive_field: the module ended the check process" in " ".join(outcomes["killer"].problems)
    assert "lab01_cnn.py is missing" in outcomes["no_module"].problems[0]
    assert "found Lab01_CNN.ipynb" in outcomes["renamed"].problems[0]
    assert "SyntaxError" in json.dumps(json.loads((tmp_path / "course" / "results" / "syntax.json").read_text()))

    # Regrading the same input gives the same scores (the students whose runs end abnormally and one that is zipped;
    # the sleeper's timeout is the batch's longest wait), and a second grader on the same course is refused.
    again = {o.student: o.auto_score for o in grade(lab01.name, subs, tmp_path / "course", progress=False,
                                                    cell_timeout=8, only=("killer", "noisy", "zipped"))}
    assert again == scores
    with CourseDir(tmp_path / "course").locked(), pytest.raises(GraderBusy):
        grade(lab01.name, subs, tmp_path / "course", progress=False)
