"""The student release: up to date, reproducible, and free of solutions and hidden tests."""

import re
from pathlib import Path

import pytest

from autograder.labs import REPO_ROOT, LabError, all_labs
from autograder.notebooks import solution_regions, strip_solutions
from autograder.release import release_diff


def test_labs_folder_is_what_release_writes():
    diff = release_diff()
    assert diff == [], "labs/ is out of date: run `autograder release`\n" + "\n".join(diff)


def _release_text() -> str:
    return "\n".join(p.read_text(errors="replace") for p in (REPO_ROOT / "labs").rglob("*") if p.is_file())


def _meaningful(lines: str) -> list[str]:
    out = []
    for line in lines.splitlines():
        text = line.strip().lstrip("#").strip()
        if len(text) >= 12 and not text.startswith(("*Rubric", "return", "raise")):
            out.append(text)
    return out


@pytest.mark.parametrize("lab", all_labs(), ids=lambda lab: lab.name)
def test_release_holds_no_solution_and_no_hidden_test(lab):
    released = _release_text()
    sources = [lab.module_file.read_text(), lab.notebook_source.read_text()]
    # Text that ships legitimately: public checks, labkit, and the sources outside their solution regions.
    # Every lab's public checks ship: a line of one lab's solution may also be a line of another lab's checks.
    shipped = "\n".join([*[(other.source_dir / "checks.py").read_text() for other in all_labs()],
                         strip_solutions(sources[0], "module"),
                         *[p.read_text() for p in (REPO_ROOT / "labkit").glob("*.py")],
                         re.sub(r"### BEGIN (SOLUTION|HIDDEN TESTS).*?### END \1", "", sources[1], flags=re.S)])
    leaked = [line for text in sources for region in solution_regions(text) for line in _meaningful(region)
              if line in released and line not in shipped]
    assert leaked == [], f"solution or hidden-test text in the release: {leaked[:5]}"
    hidden = [line for line in _meaningful((lab.source_dir / "hidden_checks.py").read_text())
              if line in released and not line.startswith(("from ", "import ", "def ", '"""'))]
    assert hidden == [], f"hidden cases in the release: {hidden[:5]}"
    assert "BEGIN SOLUTION" not in released and "BEGIN HIDDEN TESTS" not in released
    assert not (REPO_ROOT / "labs" / lab.name / "hidden_checks.py").exists()


@pytest.mark.parametrize("lab", all_labs(), ids=lambda lab: lab.name)
def test_every_stub_names_its_function(lab):
    stub = (REPO_ROOT / "labs" / lab.name / lab.module_file.name).read_text()
    assert stub.count("raise NotImplementedError(") == lab.module_file.read_text().count("### BEGIN SOLUTION")
    assert ': not implemented yet / pas encore implémenté")' in stub


def test_strip_solutions_rejects_unbalanced_markers():
    for text in ["def f():\n    ### BEGIN SOLUTION\n    return 1\n",
                 "def f():\n    return 1\n    ### END SOLUTION\n",
                 "def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n"]:
        with pytest.raises(LabError):
            strip_solutions(text, "m.py")


def test_release_check_command_fails_when_labs_is_stale(tmp_path):
    import shutil

    from autograder.cli import main

    root = tmp_path / "repo"
    for part in ("solutions", "labs", "labkit"):
        shutil.copytree(REPO_ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    assert main(["--root", str(root), "release", "--check"]) == 0
    stub = next((root / "labs").glob("lab01_cnn/lab01_cnn.py"))
    stub.write_text(stub.read_text() + "\n# edited by hand\n")
    assert main(["--root", str(root), "release", "--check"]) == 1
    assert main(["--root", str(root), "release"]) == 0
    assert main(["--root", str(root), "release", "--check"]) == 0
    assert Path(stub).read_text().endswith("yet\")\n") or "edited by hand" not in stub.read_text()


def test_the_gradebook_schema_revision_read_in_process_is_alembics():
    import subprocess

    from nbgrader.dbutil import _temp_alembic_ini

    from autograder.course import alembic_head

    with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:
        heads = subprocess.run(["alembic", "-c", ini, "heads"], capture_output=True, text=True, check=True).stdout
    assert alembic_head() == heads.split()[0]
