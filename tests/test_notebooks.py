"""Every lab's student notebook runs top to bottom with the reference module on CPU, wandb offline included."""

import re
import shutil
import time

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.labs import REPO_ROOT, all_labs
from autograder.sample_class import reference_source

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("lab", all_labs(), ids=lambda lab: lab.name)
def test_notebook_runs_with_the_reference(lab, tmp_path, monkeypatch):
    work = tmp_path / lab.name
    shutil.copytree(REPO_ROOT / "labs" / lab.name, work)
    (work / lab.module_file.name).write_text(reference_source(lab))
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(work))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    nb = nbformat.read(work / lab.notebook_name, as_version=4)
    # Each lab's lab.toml says what its CPU profile must show it learned: a metric the notebook prints as
    # {'name': value}, and a floor for its best value.
    meta = lab.metadata["notebook"]
    budget, metric, floor = meta["cpu_budget_s"], meta["learned_metric"], meta["learned_floor"]
    start = time.monotonic()
    NotebookClient(nb, timeout=budget, kernel_name="python3", resources={"metadata": {"path": str(work)}},
                   allow_errors=False).execute()
    elapsed = time.monotonic() - start
    assert elapsed < budget
    outputs = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "profile: cpu" in outputs
    assert "public cases pass" in outputs and "failed" not in outputs
    assert list((work / "wandb").glob("offline-run-*")), "the training run is tracked by wandb (offline)"
    values = re.findall(rf"'{metric}': ([0-9.]+)", outputs)
    assert values and max(map(float, values)) > floor, f"no learning: {metric} {values}"
    print(f"{lab.name}: notebook ran in {elapsed:.0f} s; {metric} {values}")
