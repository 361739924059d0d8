"""Lab 1: the reference answers the exam, and the checks tell right from wrong."""

import pytest

from autograder.notebooks import strip_solutions
from autograder.sample_class import reference_source, replace_function
from tests.helpers import grade_modules, total
from tests.mutants.lab01_cnn import MUTANTS


@pytest.fixture(scope="module")
def ref(lab01):
    return lab01.reference()


def test_reference_reproduces_the_exam_answers(ref):
    assert ref.feature_map_sizes(256, 6, 5, 2) == [256] * 6  # (a)
    assert ref.receptive_field(6, 5) == 25  # (b)
    assert ref.padding_for("full", 5) == 4  # (c)
    assert ref.padding_for("valid", 5) == 0  # (d)
    assert ref.padding_for("same", 5) == 2  # (e)
    assert ref.feature_map_sizes(256, 6, 5, 4) == [260, 264, 268, 272, 276, 280]
    assert ref.feature_map_sizes(256, 6, 5, 0) == [252, 248, 244, 240, 236, 232]


def test_padding_for_rejects_bad_modes_and_even_same(ref):
    for mode, kernel in [("half", 5), ("same", 4), ("", 3)]:
        with pytest.raises(ValueError):
            ref.padding_for(mode, kernel)


def test_measured_field_matches_formula_and_survives_dead_relus(ref):
    import torch
    from torch import nn

    net = ref.ExamCNN(width=3)
    assert ref.measured_receptive_field(net, 64) == ref.receptive_field(6, 5) == 25
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Conv2d):
                m.bias.fill_(-100.0)  # every ReLU dead for these weights
    assert ref.measured_receptive_field(net, 64) == 25


@pytest.fixture(scope="module")
def graded(lab01, tmp_path_factory):
    """The reference, the stub and every mutant, graded once."""
    reference = reference_source(lab01)
    modules = {"reference": reference, "stub": strip_solutions(lab01.module_file.read_text(), "stub")}
    for name, replacements in MUTANTS.items():
        source = reference
        for function, replacement in replacements.items():
            source = replace_function(source, function, replacement)
        modules[name] = source
    return grade_modules(lab01, modules, tmp_path_factory.mktemp("lab01"))


def test_reference_scores_full_marks_and_stub_scores_zero(lab01, graded):
    full = sum(c.points for c in lab01.checks.values())
    results = graded["reference"]
    assert total(results) == full, {k: r.messages for k, r in results.items() if r.messages}
    assert total(graded["stub"]) == 0
    assert all(r.messages for r in graded["stub"].values())


def test_regrading_gives_the_same_cases(lab01):
    for cid in lab01.checks:
        assert repr(lab01.cases(cid, "s:alice")) == repr(lab01.cases(cid, "s:alice"))


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_every_mutant_loses_points(lab01, graded, name):
    results = graded[name]
    full = sum(c.points for c in lab01.checks.values())
    lost = [cid for cid, r in results.items() if r.score < r.max_score]
    assert total(results) < full, f"mutant {name!r} kept full marks"
    assert all(results[cid].messages for cid in lost), "every lost point comes with a message"
