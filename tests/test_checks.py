"""For every lab: the reference scores full marks, the stub scores zero, every mutant of the lab's catalogue
(solutions/<lab>/mutants.py) loses points, each lost point with a message, and every honest variant
(solutions/<lab>/honest.py: correct code in another style) keeps full marks. Graded through record -> file -> judge,
the honest variants in the same pass as the mutants."""

import importlib.util
import json
import re
from pathlib import Path

import pytest
from filelock import FileLock

from autograder.labs import all_labs
from autograder.notebooks import strip_solutions
from autograder.results import CheckResult
from autograder.sample_class import reference_source, replace_function
from tests.helpers import grade_modules, total

LABS = {lab.name: lab for lab in all_labs()}


def _on_one_worker(lab_name: str, *values: str):
    """A test case of `lab_name`, run by the pytest-xdist worker that grades that lab's catalogue (once)."""
    return pytest.param(lab_name, *values, marks=pytest.mark.xdist_group(f"mutants-{lab_name}"))


def _honest(lab) -> dict[str, dict[str, str]]:
    """The lab's honest-variant catalogue: name -> {function or Class.method: replacement source}."""
    path = Path(lab.source_dir) / "honest.py"
    if not path.exists():
        return {}  # test_every_lab_has_an_honest_catalogue says which lab lacks one
    spec = importlib.util.spec_from_file_location(f"_honest_{lab.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.HONEST


HONEST = {name: _honest(lab) for name, lab in LABS.items()}
HONEST_PREFIX = "honest: "  # graded beside the mutants under this prefix, so that no name collides

LAB_NAMES = [_on_one_worker(name) for name in sorted(LABS)]
CASES = [_on_one_worker(lab.name, name) for lab in LABS.values() for name in sorted(lab.mutants.MUTANTS)]
HONEST_CASES = [_on_one_worker(name, variant) for name in sorted(LABS) for variant in sorted(HONEST[name])]


def _apply(reference: str, replacements: dict[str, str]) -> str:
    source = reference
    for function, replacement in replacements.items():
        source = replace_function(source, function, replacement)
    return source


@pytest.fixture(scope="session")
def graded(tmp_path_factory, run_folder):
    """lab name -> variant -> results: the reference, the stub, every mutant and every honest variant (named with
    HONEST_PREFIX) of a lab, graded once per test run
    when a test first asks for that lab. pytest-xdist workers share the results through a file under a lock (the
    scheduler keeps a lab's tests together, but not always)."""
    cache: dict[str, dict] = {}

    def grade_catalogue(lab_name: str) -> dict:
        lab = LABS[lab_name]
        reference = reference_source(lab)
        modules = {"reference": reference, "stub": strip_solutions(lab.module_file.read_text(), "stub")}
        for name, replacements in lab.mutants.MUTANTS.items():
            modules[name] = _apply(reference, replacements)
        for name, replacements in HONEST[lab_name].items():
            modules[HONEST_PREFIX + name] = _apply(reference, replacements)
        return grade_modules(lab, modules, tmp_path_factory.mktemp(lab_name))

    def get(lab_name: str) -> dict:
        if lab_name not in cache:
            path = run_folder / f"mutants-{lab_name}.json"
            with FileLock(f"{path}.lock"):
                if not path.exists():
                    results = grade_catalogue(lab_name)
                    path.write_text(json.dumps({v: {c: r.to_dict() for c, r in checks.items()}
                                                for v, checks in results.items()}))
                cache[lab_name] = {v: {c: CheckResult.from_dict(r) for c, r in checks.items()}
                                   for v, checks in json.loads(path.read_text()).items()}
        return cache[lab_name]

    return get


def test_every_lab_has_a_mutant_catalogue():
    assert set(LABS) and all(len(lab.mutants.MUTANTS) >= 5 for lab in LABS.values())
    for lab in LABS.values():
        assert set(lab.mutants.SAMPLE_PARTIAL) <= set(lab.mutants.MUTANTS), lab.name


def test_every_lab_has_an_honest_catalogue():
    """Five or more correct variants per lab, each a real change of the reference's source."""
    for name, lab in LABS.items():
        assert len(HONEST[name]) >= 5, name
        reference = reference_source(lab)
        for variant, replacements in HONEST[name].items():
            assert _apply(reference, replacements) != reference, f"{name}: {variant!r} changes nothing"


@pytest.mark.parametrize("lab_name", LAB_NAMES)
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


@pytest.mark.parametrize(("lab_name", "variant"), HONEST_CASES)
def test_every_honest_variant_keeps_full_marks(graded, lab_name, variant):
    """Correct work in another style (in-place ops, Tensor methods, helpers, local names that shadow module names)
    is not penalised: a rule that zeroes correct work is as wrong as one that passes a cheat."""
    results = graded(lab_name)[HONEST_PREFIX + variant]
    full = sum(c.points for c in LABS[lab_name].checks.values())
    lost = {k: r.messages for k, r in results.items() if r.score < r.max_score}
    assert total(results) == full, f"honest variant {variant!r} lost points: {lost}"


@pytest.mark.parametrize("lab_name", LAB_NAMES)
def test_hidden_case_feedback_shows_no_expected_value_by_default(graded, lab_name):
    hidden = [m for results in graded(lab_name).values() for r in results.values() for m in r.messages
              if m.startswith("hidden case")]
    assert hidden, "some mutant fails a hidden case"
    assert not [m for m in hidden if re.search(r"\bexpected\s", m)]


def test_feedback_levels(tmp_path):
    """summary: how many hidden cases failed; inputs: each one's inputs and kind of failure; full: expected too."""
    import types

    import torch

    from autograder.judge import judge_check
    from labkit.grading import dumps_strict, run_case

    lab = LABS["lab02_linear_rnn"]
    wrong = types.SimpleNamespace(jacobian_h_t_h0=lambda W, t: torch.linalg.matrix_power(W, t) + 1e-3)
    cases = lab.cases("jacobian_h_t_h0", "feedback-test")
    n_hidden = len(cases) - len(lab.checks["jacobian_h_t_h0"].public)
    records = tmp_path / "jacobian_h_t_h0.json"
    records.write_text(dumps_strict({"check": "jacobian_h_t_h0",
                                     "results": [run_case(lab.checks["jacobian_h_t_h0"], wrong, c) for c in cases]}))
    by_level = {level: judge_check(lab, "jacobian_h_t_h0", records, "feedback-test", feedback=level).messages
                for level in ("summary", "inputs", "full")}
    assert by_level["summary"][-1] == f"{n_hidden} of {n_hidden} hidden cases failed"
    assert not [m for m in by_level["summary"] if m.startswith("hidden case")]
    inputs = [m for m in by_level["inputs"] if m.startswith("hidden case")]
    full = [m for m in by_level["full"] if m.startswith("hidden case")]
    assert len(inputs) == len(full) == n_hidden
    assert all("n=" in m and "wrong values" in m and not re.search(r"\bexpected\s", m) for m in inputs)
    assert all(re.search(r"\bexpected\s", m) for m in full)
    with pytest.raises(ValueError, match="feedback must be one of"):
        judge_check(lab, "jacobian_h_t_h0", records, "feedback-test", feedback="everything")
