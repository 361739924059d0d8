"""For every lab: the reference scores full marks, the stub scores zero, every mutant of the lab's catalogue
(solutions/<lab>/mutants.py) loses points, each lost point with a message, and every honest variant
(solutions/<lab>/honest.py: correct code in another style) keeps full marks. Graded through record -> file -> judge,
the honest variants in the same pass as the mutants."""

import re

import pytest
from helpers import CASES, HONEST, HONEST_CASES, HONEST_PREFIX, LAB_NAMES, LABS, apply_replacements, total

from autograder.sample_class import reference_source


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
            assert apply_replacements(reference, replacements) != reference, f"{name}: {variant!r} changes nothing"


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
    from labkit.codec import dumps_strict
    from labkit.grading import run_case

    lab = LABS["lab02_linear_rnn"]
    wrong = types.SimpleNamespace(jacobian_h_t_h0=lambda W, t: torch.linalg.matrix_power(W, t) + 1e-3)
    cases = lab.cases("jacobian_h_t_h0", "feedback-test")
    n_hidden = len(cases) - len(lab.checks["jacobian_h_t_h0"].public)
    records = tmp_path / "jacobian_h_t_h0.json"
    records.write_text(dumps_strict({"check": "jacobian_h_t_h0",
                                     "results": [run_case(lab.checks["jacobian_h_t_h0"], wrong, c) for c in cases]}))
    by_level = {level: judge_check(lab, "jacobian_h_t_h0", cases, records, feedback=level).messages
                for level in ("summary", "inputs", "full")}
    assert by_level["summary"][-1] == f"{n_hidden} of {n_hidden} hidden cases failed"
    assert not [m for m in by_level["summary"] if m.startswith("hidden case")]
    inputs = [m for m in by_level["inputs"] if m.startswith("hidden case")]
    full = [m for m in by_level["full"] if m.startswith("hidden case")]
    assert len(inputs) == len(full) == n_hidden
    assert all("n=" in m and "wrong values" in m and not re.search(r"\bexpected\s", m) for m in inputs)
    assert all(re.search(r"\bexpected\s", m) for m in full)
    with pytest.raises(ValueError, match="feedback must be one of"):
        judge_check(lab, "jacobian_h_t_h0", cases, records, feedback="everything")
