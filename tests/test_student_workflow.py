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
    english_task = next(line for line in lines if line.startswith("Next task:"))
    assert "Task 2.1" in english_task and "Tâche" not in english_task, english_task
    french = labkit(released, "check", LAB, lang="fr")
    assert french.returncode == 1 and "Tâche suivante" in french.stdout and "cas publics" in french.stdout
    # One language: the next task's heading is the French half of the notebook's bilingual heading, and the
    # stub's error is framed in French.
    task = next(line for line in french.stdout.splitlines() if line.startswith("Tâche suivante"))
    assert "Tâche 2.1" in task and "Task" not in task, task
    assert "lève NotImplementedError (message d'origine :" in french.stdout
    assert french.stdout.split()[:5] == ["test", "cas", "publics", "points", "état"]


def test_labkit_speaks_the_students_language(released, tmp_path):
    for lang, words, foreign in (("en", ["usage:", "show this help"], ["utilisation", "Lance tous"]),
                                 ("fr", ["utilisation :", "afficher cette aide", "Lance tous les tests publics"],
                                  ["usage:", "show this help", "Run every"])):
        for args in (["--help"], ["check", "--help"], ["submit", "--help"]):
            run = labkit(released, *args, lang=lang)
            assert run.returncode == 0, run.stderr
            if args == ["--help"]:
                assert all(w in run.stdout for w in words), run.stdout
            assert not any(w in run.stdout for w in foreign), run.stdout
    missing = labkit(tmp_path, "check", "lab09_missing", lang="fr")
    assert missing.returncode == 2 and "pas de dossier de lab" in missing.stderr and "no lab" not in missing.stderr


def test_check_messages_agree_in_number(released, tmp_path, monkeypatch, capsys):
    """labkit.student.check's French: "le cas public est réussi" for one case, "les 3 cas publics sont réussis"."""
    from labkit import student

    class _Result:
        def __init__(self, n, passed, failures):
            self.checked = type("C", (), {"public": [None] * n})()
            self.passed, self.failures, self.ok = passed, failures, not failures

    monkeypatch.setenv("LABKIT_LANG", "fr")
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    for n, said in ((1, "le cas public est réussi"), (3, "les 3 cas publics sont réussis")):
        monkeypatch.setattr(student, "run_public", lambda cid, d, n=n: _Result(n, n, []))
        student.check("x")
        assert said in capsys.readouterr().out
    for n, passed, said in ((1, 0, "0 cas public sur 1 réussi ;"), (3, 2, "2 cas publics sur 3 réussis ;")):
        monkeypatch.setattr(student, "run_public", lambda cid, d, n=n, p=passed: _Result(n, p, ["cas 1"]))
        with pytest.raises(AssertionError, match=said):
            student.check("x")


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
    # The reference module is finished, but the written answers are still the release's placeholders.
    assert "NotImplementedError" not in submit.stderr
    assert "still say YOUR ANSWER HERE: answer_2a, answer_2b, answer_2c" in submit.stderr, submit.stderr
    with zipfile.ZipFile(tmp_path / "alice.zip") as zf:
        assert sorted(zf.namelist()) == [lab.notebook_name, lab.module_file.name]
    taken = intake_one("alice", tmp_path / "alice.zip", lab, tmp_path / "submitted")
    assert taken.notebook_ok and taken.module_ok and not taken.problems

    stub = labkit(released / LAB, "submit", LAB, "--output", str(tmp_path / "stub.zip"), lang="fr")
    assert stub.returncode == 0 and (tmp_path / "stub.zip").exists()
    assert "lèvent encore NotImplementedError (elles valent 0) : rnn_unroll" in stub.stderr, stub.stderr
    assert "contiennent encore YOUR ANSWER HERE : answer_2a" in stub.stderr

    (folder / lab.notebook_name).write_text('{"cells": [\n  ,]}')
    broken = labkit(folder, "submit", LAB, "--output", str(tmp_path / "broken.zip"), lang="fr")
    assert broken.returncode == 1 and not (tmp_path / "broken.zip").exists()
    assert "ligne 2, colonne 3" in broken.stderr
