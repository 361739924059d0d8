"""Lab 1: the reference answers the exam, and the checks tell right from wrong."""

import pytest


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


def test_regrading_gives_the_same_cases(lab01):
    for cid in lab01.checks:
        assert repr(lab01.cases(cid, "s:alice")) == repr(lab01.cases(cid, "s:alice"))
        assert repr(lab01.cases(cid, "s:alice")) != repr(lab01.cases(cid, "s:bob")) or not lab01.hidden
