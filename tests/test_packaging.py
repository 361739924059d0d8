"""pyproject.toml and environment.yml declare the same dependencies; the console script exists."""

import re
import tomllib

import yaml

from autograder.labs import REPO_ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(r): r.replace(" ", "") for r in project["dependencies"]}
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    pip_lines = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = {_name(r): r.replace(" ", "") for r in pip_lines if not r.startswith("-e")}
    assert listed == declared
    assert project["scripts"]["autograder"] == "autograder.cli:main"
    for required in ["torch", "lightning", "torchmetrics", "pytest", "nbgrader", "wandb"]:
        assert required in declared


def test_sources_pass_ruff():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "ruff", "check", "autograder", "labkit", "solutions", "tests"],
                            cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
