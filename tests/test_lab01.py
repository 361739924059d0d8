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


EXAM_CNN_INIT = '''
def __init__(self, in_channels=1, width=16, n_classes=10, lr=1e-3, channels_last=False):
    super().__init__()
    self.save_hyperparameters()
    channels = [in_channels] + [width] * 6
    self.convs = nn.ModuleList(nn.Conv2d(a, b, kernel_size=5, padding=PADDING, stride=1)
                               for a, b in itertools.pairwise(channels))
    self.head = nn.Sequential(nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(width * 16, n_classes))
    self.train_acc = torchmetrics.Accuracy(task="multiclass", num_classes=n_classes)
    self.val_acc = torchmetrics.Accuracy(task="multiclass", num_classes=n_classes)
'''


def test_exam_cnn_written_with_same_or_tuple_padding_gets_full_marks(lab01, tmp_path):
    """The exam_cnn check judges geometry: padding="same" and padding=(2, 2) on 5x5 kernels are the exam's padding 2,
    and a "valid" network is not."""
    from helpers import grade_modules

    from autograder.sample_class import reference_source, replace_function

    reference = reference_source(lab01)
    modules = {name: replace_function(reference, "ExamCNN.__init__", EXAM_CNN_INIT.replace("PADDING", padding))
               for name, padding in [("same", '"same"'), ("tuple", "(2, 2)"), ("valid", '"valid"')]}
    results = grade_modules(lab01, modules, tmp_path)
    for name in ("same", "tuple"):
        result = results[name]["exam_cnn"]
        assert result.score == result.max_score == lab01.checks["exam_cnn"].points, (name, result.messages)
    assert results["valid"]["exam_cnn"].score == 0


def _mutant_module(lab, name):
    import types

    from autograder.sample_class import reference_source, replace_function

    source = reference_source(lab)
    for function, replacement in lab.mutants.MUTANTS[name].items():
        source = replace_function(source, function, replacement)
    module = types.ModuleType(f"mutant_{abs(hash(name))}")
    exec(compile(source, module.__name__, "exec"), module.__dict__)
    return module


@pytest.mark.parametrize("mutant", ["measured field with random weights (seed that passes the public case)",
                                    "measured field with the model's own weights, biases zeroed"])
def test_random_weights_lose_points_for_every_student(lab01, ref, mutant):
    """A measurement that depends on random weights fails some hidden case for each of several students' draws,
    even with a seed picked to pass the public case: the deep, narrow hidden stacks are drawn per student."""
    from labkit.codec import decode
    from labkit.compare import compare
    from labkit.grading import run_case

    check = lab01.checks["measured_receptive_field"]
    wrong = _mutant_module(lab01, mutant)
    public = [dict(c) for c in check.public]
    if "passes the public case" in mutant:
        assert all(compare(decode(run_case(check, ref, c)), decode(run_case(check, wrong, c)), 0, 0) is None
                   for c in public)
    for student in [f"s{i}" for i in range(8)]:
        hidden = lab01.cases(check.id, f"secret:{student}")[len(public):]
        failed = [c for c in hidden
                  if compare(decode(run_case(check, ref, c)), decode(run_case(check, wrong, c)), 0, 0) is not None]
        assert failed, f"{mutant!r} passed every hidden case of {student}"


def test_hidden_stacks_measure_the_architectures_field(lab01, ref):
    """The deep, narrow hidden stacks keep the centre unit's field inside the input: the reference measures the
    formula's field, 1 + sum of d * (k - 1), not a field cut by the border."""
    import random

    checks = lab01.checks_module
    for i in range(40):
        case = lab01.hidden._narrow_stack(random.Random(i))
        model = checks.build_cnn(case["layers"], case["seed"])
        field = 1 + sum(d * (k - 1) for _, _, k, _, d, _ in case["layers"])
        assert ref.measured_receptive_field(model, case["input_size"]) == field, case


def test_geometry_functions_are_formulas(lab01):
    """The reference breaks no method rule, and reading a size off an nn.Conv2d breaks conv_output_size's."""
    from autograder.sample_class import reference_source, replace_function
    from labkit.rules import broken_rules

    reference = reference_source(lab01)
    rules = [rule for check in lab01.checks.values() for rule in check.rules]
    assert {r.target for r in rules} >= {"conv_output_size", "feature_map_sizes", "receptive_field", "padding_for"}
    assert broken_rules(reference, rules) == []
    library = replace_function(reference, "conv_output_size",
                               lab01.mutants.MUTANTS["output size read from an nn.Conv2d"]["conv_output_size"])
    broken = broken_rules(library, lab01.checks["conv_output_size"].rules)
    assert len(broken) == 1 and "torch.nn.Conv2d" in broken[0]
    # feature_map_sizes calls conv_output_size: the rule follows it there.
    assert broken_rules(library, lab01.checks["feature_map_sizes"].rules)


def test_every_text_a_student_reads_is_in_english_and_french(lab01, ref):
    from helpers import assert_notebook_bilingual

    assert_notebook_bilingual(lab01)
    assert "\nFR: " in ref.__doc__
    for obj in (ref.conv_output_size, ref.feature_map_sizes, ref.receptive_field, ref.padding_for,
                ref.measured_receptive_field, ref.ExamCNN):
        assert "FR: " in obj.__doc__, obj.__name__
    with pytest.raises(ValueError, match=r" / .*valeur reçue"):
        ref.padding_for("half", 5)


def test_notebook_keeps_the_exams_terms_and_the_floor(lab01):
    """"Effective receptive field" is question (b)'s 25 x 25 region: the notebook never calls another quantity by that
    name as its own, and every output-size formula with a stride division takes the floor."""
    import re

    from helpers import markdown_cells

    for cell in markdown_cells(lab01):
        for sentence in re.split(r"(?<=[.:;])\s", cell):
            if re.search(r"effective receptive field", sentence, re.I) and re.search(r"smaller|plus petit", sentence):
                pytest.fail(f"the exam's effective receptive field is the whole 25 x 25 region: {sentence!r}")
    source = lab01.notebook_source.read_text(encoding="utf-8")
    for formula in re.findall(r"\$([^$]*\+ ?2p[^$]*)\$", source):
        if "/" in formula:
            assert r"\lfloor" in formula, formula
