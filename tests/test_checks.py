"""For every lab: the reference scores full marks, the stub scores zero, and every mutant of the lab's catalogue
(solutions/<lab>/mutants.py) loses points, each lost point with a message. Graded through record -> file -> judge."""

import pytest

from autograder.labs import all_labs
from autograder.notebooks import strip_solutions
from autograder.sample_class import reference_source, replace_function
from tests.helpers import grade_modules, total

LABS = {lab.name: lab for lab in all_labs()}
CASES = [(lab.name, name) for lab in LABS.values() for name in sorted(lab.mutants.MUTANTS)]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """lab name -> variant -> results: the reference, the stub and every mutant of a lab, graded once per lab when
    a test first asks for that lab."""
    cache: dict[str, dict] = {}

    def get(lab_name: str) -> dict:
        if lab_name not in cache:
            lab = LABS[lab_name]
            reference = reference_source(lab)
            modules = {"reference": reference, "stub": strip_solutions(lab.module_file.read_text(), "stub")}
            for name, replacements in lab.mutants.MUTANTS.items():
                source = reference
                for function, replacement in replacements.items():
                    source = replace_function(source, function, replacement)
                modules[name] = source
            cache[lab_name] = grade_modules(lab, modules, tmp_path_factory.mktemp(lab_name))
        return cache[lab_name]

    return get


def test_every_lab_has_a_mutant_catalogue():
    assert set(LABS) and all(len(lab.mutants.MUTANTS) >= 5 for lab in LABS.values())
    for lab in LABS.values():
        assert set(lab.mutants.SAMPLE_PARTIAL) <= set(lab.mutants.MUTANTS), lab.name


@pytest.mark.parametrize("lab_name", sorted(LABS))
def test_reference_scores_full_marks_and_stub_scores_zero(graded, lab_name):
    full = sum(c.points for c in LABS[lab_name].checks.values())
    results = graded(lab_name)["reference"]
    assert total(results) == full, {k: r.messages for k, r in results.items() if r.messages}
    assert total(graded(lab_name)["stub"]) == 0
    assert all(r.messages for r in graded(lab_name)["stub"].values())


@pytest.mark.parametrize(("lab_name", "mutant"), CASES)
def test_every_mutant_loses_points(graded, lab_name, mutant):
    results = graded(lab_name)[mutant]
    full = sum(c.points for c in LABS[lab_name].checks.values())
    assert total(results) < full, f"mutant {mutant!r} kept full marks"
    lost = [r for r in results.values() if r.score < r.max_score]
    assert all(r.messages for r in lost), "every lost point comes with a message"
