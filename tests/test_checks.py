"""For every lab: the reference scores full marks, the stub scores zero, and every mutant of the lab's catalogue
(tests/mutants/<lab>.py) loses points, each lost point with a message. Graded through record -> file -> judge."""

import importlib

import pytest

from autograder.labs import all_labs
from autograder.notebooks import strip_solutions
from autograder.sample_class import reference_source, replace_function
from tests.helpers import grade_modules, total

LABS = {lab.name: lab for lab in all_labs()}


def mutants(lab_name: str) -> dict[str, dict[str, str]]:
    return importlib.import_module(f"tests.mutants.{lab_name}").MUTANTS


CASES = [(lab, name) for lab in LABS for name in sorted(mutants(lab))]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Per lab: the reference, the stub and every mutant, graded once."""
    out = {}
    for lab in LABS.values():
        reference = reference_source(lab)
        modules = {"reference": reference, "stub": strip_solutions(lab.module_file.read_text(), "stub")}
        for name, replacements in mutants(lab.name).items():
            source = reference
            for function, replacement in replacements.items():
                source = replace_function(source, function, replacement)
            modules[name] = source
        out[lab.name] = grade_modules(lab, modules, tmp_path_factory.mktemp(lab.name))
    return out


def test_every_lab_has_a_mutant_catalogue():
    assert set(LABS) and all(len(mutants(lab)) >= 5 for lab in LABS)


@pytest.mark.parametrize("lab_name", sorted(LABS))
def test_reference_scores_full_marks_and_stub_scores_zero(graded, lab_name):
    full = sum(c.points for c in LABS[lab_name].checks.values())
    results = graded[lab_name]["reference"]
    assert total(results) == full, {k: r.messages for k, r in results.items() if r.messages}
    assert total(graded[lab_name]["stub"]) == 0
    assert all(r.messages for r in graded[lab_name]["stub"].values())


@pytest.mark.parametrize(("lab_name", "mutant"), CASES)
def test_every_mutant_loses_points(graded, lab_name, mutant):
    results = graded[lab_name][mutant]
    full = sum(c.points for c in LABS[lab_name].checks.values())
    assert total(results) < full, f"mutant {mutant!r} kept full marks"
    lost = [r for r in results.values() if r.score < r.max_score]
    assert all(r.messages for r in lost), "every lost point comes with a message"
