"""pyproject.toml and environment.yml declare the same dependencies; the console script exists."""

import re
import tomllib
from pathlib import Path

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


def test_students_and_grader_pin_the_same_torch(tmp_path):
    """install-torch.sh installs the pinned torch: the default build with an NVIDIA GPU, else the CPU build (or, when
    PyTorch's CPU index cannot be reached, the default with a notice)."""
    import os
    import subprocess

    script = REPO_ROOT / "autograder" / "student_files" / "install-torch.sh"
    version = re.search(r"^TORCH_VERSION=(\S+)", script.read_text(), flags=re.M).group(1)
    for pyproject in (REPO_ROOT / "pyproject.toml", REPO_ROOT / "autograder" / "student_files" / "pyproject.toml"):
        deps = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
        assert f"torch=={version}" in deps, pyproject

    fake_gpu = tmp_path / "bin"
    fake_gpu.mkdir()
    (fake_gpu / "nvidia-smi").write_text("#!/bin/sh\necho 'GPU 0: NVIDIA H100'\n")
    (fake_gpu / "nvidia-smi").chmod(0o755)
    path = os.environ["PATH"]
    with_gpu = subprocess.run([str(script), "echo pip"], capture_output=True, text=True,
                              env={**os.environ, "PATH": f"{fake_gpu}:{path}"}, timeout=60)
    assert with_gpu.stdout.split() == ["pip", "install", "--quiet", f"torch=={version}"]
    no_gpu_path = ":".join(p for p in path.split(":") if not (Path(p) / "nvidia-smi").exists())
    without = subprocess.run([str(script), "echo pip"], capture_output=True, text=True,
                             env={**os.environ, "PATH": no_gpu_path}, timeout=60)
    words = without.stdout.split()
    assert words[-1] == f"torch=={version}"
    assert "https://download.pytorch.org/whl/cpu" in words or "cannot be reached" in without.stderr
