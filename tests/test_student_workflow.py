"""What a student runs: `labkit check LAB` (every public check, the next task) and `labkit submit LAB` (the zip the
grader's own intake accepts), in English or French."""

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from autograder.intake import intake_one
from autograder.labs import get_lab
from autograder.release import release
from autograder.sample_class import reference_source

LAB = "lab02_linear_rnn"


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """The student release of one lab, as a student downloads it."""
    root = tmp_path_factory.mktemp("release")
    shutil.copytree(release(), root / "labs")
    return root / "labs"


def labkit(cwd, *args, lang="en"):
    env = {**os.environ, "LABKIT_LANG": lang}
    return subprocess.run([sys.executable, "-m", "labkit.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_check_names_the_next_task_in_the_students_language(released):
    run = labkit(released, "check", LAB)
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["check", "public", "cases", "points", "status"]
    assert "Next task:" in run.stdout and "(check rnn_unroll)" in run.stdout
    assert "NotImplementedError" in run.stdout
    french = labkit(released, "check", LAB, lang="fr")
    assert french.returncode == 1 and "Tâche suivante" in french.stdout and "cas publics" in french.stdout


def test_check_passes_and_submit_builds_what_the_grader_takes(released, tmp_path):
    lab = get_lab(LAB)
    folder = tmp_path / LAB
    shutil.copytree(released / LAB, folder)
    (folder / lab.module_file.name).write_text(reference_source(lab))
    run = labkit(tmp_path, "check", LAB)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Every public check passes" in run.stdout

    submit = labkit(folder, "submit", LAB, "--output", str(tmp_path / "alice.zip"))
    assert submit.returncode == 0, submit.stderr
    with zipfile.ZipFile(tmp_path / "alice.zip") as zf:
        assert sorted(zf.namelist()) == [lab.notebook_name, lab.module_file.name]
    taken = intake_one("alice", tmp_path / "alice.zip", lab, tmp_path / "submitted")
    assert taken.notebook_ok and taken.module_ok and not taken.problems

    (folder / lab.notebook_name).write_text('{"cells": [\n  ,]}')
    broken = labkit(folder, "submit", LAB, "--output", str(tmp_path / "broken.zip"), lang="fr")
    assert broken.returncode == 1 and not (tmp_path / "broken.zip").exists()
    assert "ligne 2, colonne 3" in broken.stderr
