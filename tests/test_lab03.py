"""Lab 3: the reference optimizers equal torch.optim on every check problem, hidden ones included."""

import random

import pytest
import torch
from helpers import assert_notebook_bilingual, markdown_cells

from autograder.labs import get_lab

LAB = get_lab("lab03_optimizers")
CHECKS = LAB.checks_module
PROBLEMS = [(name, case) for name in ("adagrad", "rmsprop", "adam")
            for case in list(LAB.checks[name].public) + getattr(LAB.hidden, name)(random.Random(7))]


@pytest.mark.parametrize(("name", "case"), PROBLEMS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(PROBLEMS)])
def test_reference_equals_torch_optim(name, case):
    ours = CHECKS.run_optimizer(getattr(LAB.reference(), {"adagrad": "Adagrad", "rmsprop": "RMSprop",
                                                          "adam": "Adam"}[name]), case)
    theirs = CHECKS.run_optimizer({"adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop,
                                   "adam": torch.optim.Adam}[name], case)
    for key in ours:
        for a, b in zip(ours[key], theirs[key], strict=True):
            torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-14)


def test_tiny_gradients_separate_eps_placement():
    """On a gradient of 1e-6 with eps = 1e-10, eps outside the square root takes a full lr step and eps inside it
    (the catalogued mistake) about a tenth of one: the checks' tiny-gradient cases tell the two apart."""
    from autograder.diagnosis import _mutant

    def first_step(adagrad) -> float:
        p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        opt = adagrad([p], lr=0.01, eps=1e-10)
        (1e-6 * p).sum().backward()
        opt.step()
        return float(-p.detach())

    outside = first_step(LAB.reference().Adagrad)
    inside = first_step(_mutant(LAB, "Adagrad: eps inside the square root").Adagrad)
    assert outside == pytest.approx(0.01, rel=1e-3)
    assert inside < 0.2 * outside


def test_adagrad_step_shrinks_and_rmsprop_recovers():
    ref = LAB.reference()

    def last_step(opt_class, grads, **kwargs):
        p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        opt = opt_class([p], lr=0.1, **kwargs)
        for g in grads:
            before = p.detach().clone()
            opt.zero_grad()
            (g * p).sum().backward()
            opt.step()
        return float((p.detach() - before).abs() / grads[-1])

    grads = [10.0] * 100 + [0.1] * 100
    # Adagrad: smaller gradients never bring a bigger step back; RMSprop's step grows back by the scale ratio.
    assert last_step(ref.Adagrad, grads) <= last_step(ref.Adagrad, grads[:100])
    assert last_step(ref.RMSprop, grads, alpha=0.9) > 50 * last_step(ref.RMSprop, grads[:100], alpha=0.9)


def test_the_cases_reach_what_the_mutants_get_wrong():
    """Some cases give a parameter gradients in some steps and none in others (its first step included), and some
    give groups hyperparameters of their own, each different from the constructor's."""
    for name in ("adagrad", "rmsprop", "adam"):
        cases = list(LAB.checks[name].public) + getattr(LAB.hidden, name)(random.Random(7))
        intermittent = [c for c in cases if c.get("no_grad_every")]
        assert intermittent
        for case in intermittent:
            n = len(case["shapes"])
            used = [[CHECKS.uses_parameter(case, i, n, step) for step in range(case["steps"])] for i in range(n)]
            assert not used[0][0] and all(any(u) and not all(u) for u in used)
        overridden = {key for c in cases for g in c.get("groups", []) for key, value in g.items()
                      if key != "lr" and value != c["kwargs"].get(key, _default(name, key))}
        assert overridden == {"adagrad": {"eps", "weight_decay"}, "rmsprop": {"alpha", "eps", "weight_decay"},
                              "adam": {"betas", "eps", "weight_decay"}}[name]


def _default(name: str, key: str):
    import inspect
    cls = {"adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam"}[name]
    return inspect.signature(getattr(LAB.reference(), cls)).parameters[key].default


def test_library_optimizers_break_the_method_rules_and_only_them():
    """torch.optim's own classes pass every behavioural case, so the source is what tells: each library mutant breaks
    its check's rule, and the reference breaks none."""
    from autograder.sample_class import reference_source, replace_function
    from labkit.rules import broken_rules

    reference = reference_source(LAB)
    for name in ("adagrad", "rmsprop", "adam"):
        assert broken_rules(reference, LAB.checks[name].rules) == []
    library = {m: r for m, r in LAB.mutants.MUTANTS.items() if "torch.optim" in m}
    assert len(library) == 11
    for mutant, replacements in library.items():
        source = reference
        for target, text in replacements.items():
            source = replace_function(source, target, text)
        check = {"Adagrad": "adagrad", "RMSprop": "rmsprop", "Adam": "adam"}[mutant.split(":")[0]]
        broken = broken_rules(source, LAB.checks[check].rules)
        assert len(broken) == 1 and "/ " in broken[0], (mutant, broken)


def test_every_text_a_student_reads_is_in_english_and_french():
    ref = LAB.reference()
    assert_notebook_bilingual(LAB)
    assert "\nFR: " in ref.__doc__
    for obj in (ref.Adagrad, ref.RMSprop, ref.Adam, ref.trajectory):
        assert "\n\n    FR: Tâche 3." in obj.__doc__, obj.__name__
    for make in (lambda: ref.Adagrad([torch.zeros(1)], lr=-1), lambda: ref.RMSprop([torch.zeros(1)], alpha=1.0),
                 lambda: ref.Adam([torch.zeros(1)], betas=(0.9, 1.0)), lambda: ref.DigitsClassifier("lbfgs")):
        with pytest.raises(ValueError, match=r" / .*doi(t|vent) être"):
            make()


def test_the_release_states_no_written_answer():
    """3(a) and 3(b) ask for the comparison: the notebook's prose outside the model answers measures and asks, it
    does not say which optimizer's step recovers or what Adam adds to RMSprop."""
    prose = " ".join(markdown_cells(LAB)).lower()
    for claim in ("only shrinks", "recovers", "moving average", "momentum", "bias correction", "forget",
                  "memory of", "3.2", "correction de biais", "moyenne mobile"):
        assert claim not in prose, claim
