"""A lab's manifest (lab.toml) is read once and validated with its other parts: a lab whose parts disagree is refused
with the file and what to write, before any student is graded."""

import shutil

import pytest

from autograder.labs import REPO_ROOT, Lab, LabError, all_labs
from autograder.notebooks import source_notebook
from autograder.settings import GradingSettings

NAME = "lab02_linear_rnn"


def _copy(tmp_path) -> Lab:
    folder = tmp_path / "solutions" / NAME
    shutil.copytree(REPO_ROOT / "solutions" / NAME, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return Lab(NAME, folder)


@pytest.mark.parametrize("lab", all_labs(), ids=lambda lab: lab.name)
def test_every_manifest_agrees_with_its_notebook(lab):
    lab.validate()
    answers = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
               for c in source_notebook(lab).cells if c.metadata.get("nbgrader", {}).get("solution")
               and c.metadata["nbgrader"].get("grade")}
    assert answers == lab.written
    assert lab.manifest.shows, "a lab's notebook shows at least one measurement"


def test_timeouts_come_from_the_manifest_unless_the_command_line_says(tmp_path):
    lab = _copy(tmp_path)
    toml = lab.source_dir / "lab.toml"
    toml.write_text(toml.read_text().replace("cell_timeout_s = 60", "cell_timeout_s = 7"))
    assert GradingSettings().limits(lab).cell_seconds == 7
    assert GradingSettings(cell_timeout=3).limits(lab).cell_seconds == 3


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.replace("[grading]", "[grader]"), r"unknown tables \['grader'\]"),
    (lambda t: t.replace("notebook_timeout_s = 600", ""), r"\[grading\] must set cell_timeout_s, notebook_timeout_s"),
    (lambda t: t.replace("cell_timeout_s = 60", "cell_timeout_s = -1"), "must be positive numbers"),
    (lambda t: t.replace("above = ", "around = "), r"names a metric, why, and a bound"),
    (lambda t: t.replace("[notebook]", "[notebook"), "not valid TOML"),
])
def test_a_broken_manifest_is_refused_with_its_file(tmp_path, edit, message):
    lab = _copy(tmp_path)
    toml = lab.source_dir / "lab.toml"
    toml.write_text(edit(toml.read_text()))
    with pytest.raises(LabError, match=message) as info:
        lab.validate()
    assert str(toml) in str(info.value)


def test_a_misnamed_hidden_case_generator_is_refused(tmp_path):
    lab = _copy(tmp_path)
    hidden = lab.source_dir / "hidden_checks.py"
    hidden.write_text(hidden.read_text().replace("def asymptotic_regime(", "def asymptotic_regimes("))
    with pytest.raises(LabError, match="no hidden-case generator for the check 'asymptotic_regime'"):
        lab.validate()
