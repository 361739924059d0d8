"""Method rules: a function the lab asks students to build may not call the library that already has it."""

import pytest

from labkit.rules import Rule, broken_rules, no_autograd, no_library, no_loops

ADAM = no_library("Adam", "torch.optim.Adam", "torch.optim.adam")
OWN_ADAM = """
import torch

class Adam(torch.optim.Optimizer):
    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                p.add_(p.grad, alpha=-group["lr"])
"""


@pytest.mark.parametrize("source", [
    "import torch\nAdam = torch.optim.Adam\n",
    "import torch\nclass Adam(torch.optim.Adam):\n    pass\n",
    "from torch import optim as o\nclass Adam(o.Optimizer):\n    def step(self):\n        return o.Adam.step(self)\n",
    "from torch.optim import Adam as _A\nimport torch\nclass Adam(torch.optim.Optimizer):\n    step = _A.step\n",
    "import torch\n_F = torch.optim.adam\ndef _h(*a):\n    return _F.adam(*a)\n"
    "class Adam(torch.optim.Optimizer):\n    def step(self):\n        _h()\n",
    "import torch\nclass Adam(torch.optim.Optimizer):\n    def step(self):\n"
    "        getattr(torch.optim, 'Ad' + 'am')\n",
    "import torch\nclass Adam(torch.optim.Optimizer):\n    def step(self):\n        getattr(torch.optim, 'Adam')\n",
    "import torch\nclass Adam(torch.optim.Optimizer):\n    def step(self):\n        eval('torch.optim.Adam')\n",
    "from torch.optim import *\nclass Adam(Optimizer):\n    pass\n",
    "import torch\nclass Adam(torch.optim.Optimizer)\n",  # does not parse
], ids=["alias", "subclass", "module-alias", "imported-as", "through-a-helper", "computed-getattr",
        "literal-getattr", "eval", "star-import", "syntax-error"])
def test_library_rule_sees_through_aliases_helpers_and_dynamic_lookups(source):
    [broken] = broken_rules(source, [ADAM])
    assert broken.startswith(ADAM.text)


def test_own_implementation_breaks_no_rule():
    assert broken_rules(OWN_ADAM, [ADAM]) == []


def test_autograd_rule():
    rule = no_autograd("grad_w")
    by_backward = ("def grad_w(w, x):\n    w = w.detach().requires_grad_()\n    (x @ w).sum().backward()\n"
                   "    return w.grad\n")
    by_function = "import torch\ndef grad_w(w, x):\n    return torch.autograd.grad((x @ w).sum(), w)[0]\n"
    by_keyword = "import torch\ndef grad_w(w, x):\n    v = torch.tensor(w.tolist(), requires_grad=True)\n    return v\n"
    closed_form = "def grad_w(w, x):\n    return x.sum(0)\n"
    assert all(broken_rules(s, [rule]) for s in (by_backward, by_function, by_keyword))
    assert broken_rules(closed_form, [rule]) == []


def test_loop_rule_and_required_names():
    loops = no_loops("f")
    assert "line 2" in broken_rules("def f(xs):\n    return sum(x for x in xs)\n", [loops])[0]
    assert broken_rules("def f(xs):\n    return xs.sum()\n", [loops]) == []
    power = Rule("f", "use matrix powers", requires=("torch.linalg.matrix_power",))
    assert broken_rules("import torch\ndef f(W, t):\n    return torch.linalg.matrix_power(W, t)\n", [power]) == []
    assert broken_rules("import torch\ndef f(W, t):\n    return W @ W\n", [power])


@pytest.mark.parametrize("source", [
    # an alias bound inside the function, or inside a block of it
    "import torch\nclass Adam(torch.optim.Optimizer):\n    def step(self):\n        o = torch.optim\n"
    "        return o.adam.adam\n",
    "import torch\nclass Adam(torch.optim.Optimizer):\n    def step(self):\n        if True:\n"
    "            f = torch.optim.adam\n        return f.adam()\n",
    # an import inside the function
    "import torch\nclass Adam(torch.optim.Optimizer):\n    def step(self):\n        from torch.optim import adam\n"
    "        return adam.adam()\n",
    # a library class found through a namespace
    "import torch\nclass Adam(torch.optim.__dict__['Adam']):\n    pass\n",
    "import torch\nclass Adam(torch.optim.Optimizer):\n    def __init__(self, p):\n"
    "        self.inner = [k for k in torch.optim.Optimizer.__subclasses__() if k.__name__ == 'Adam'][0](p)\n",
], ids=["local-alias", "alias-in-a-block", "local-import", "namespace-dict", "subclasses"])
def test_library_rule_follows_aliases_wherever_they_are_bound(source):
    [broken] = broken_rules(source, [ADAM])
    assert broken.startswith(ADAM.text)


def test_a_local_variable_named_like_a_module_function_is_not_that_function():
    """`gradient_penalty = ...` inside a closed form is a number, not the module's autograd function."""
    source = ("import torch\n"
              "def gradient_penalty(critic, x):\n    x.requires_grad_(True)\n    return x.grad\n"
              "def grad_w(w, x, lam):\n    gradient_penalty = lam * (w.norm() - 1) ** 2\n"
              "    return x.sum(0) + gradient_penalty\n")
    assert broken_rules(source, [no_autograd("grad_w")]) == []
    calls_it = source.replace("+ gradient_penalty\n", "+ gradient_penalty(None, x)\n").replace(
        "    gradient_penalty = lam * (w.norm() - 1) ** 2\n", "")
    assert broken_rules(calls_it, [no_autograd("grad_w")])


def test_a_required_method_on_a_value_counts():
    power = Rule("f", "use matrix powers", requires=("torch.linalg.matrix_power",))
    assert broken_rules("def f(W, t):\n    return W.matrix_power(t)\n", [power]) == []


def _evidence(**calls):
    return {"calls": calls, "direct": {}, "own": calls, "mro": {}, "foreign": {}, "tampered": []}


def test_run_time_evidence_breaks_a_rule_the_source_hides():
    hidden = "import torch\nclass Adam(torch.optim.Optimizer):\n    def step(self):\n        pass\n"
    assert broken_rules(hidden, [ADAM]) == []
    reached = _evidence(**{"Adam.step": ["torch.optim.adam.adam"]})
    [broken] = broken_rules(hidden, [ADAM], reached, "lab03_optimizers")
    assert "called torch.optim.adam.adam" in broken
    inherited = {**_evidence(), "mro": {"Adam": ["lab03_optimizers.Adam", "torch.optim.adam.Adam",
                                                 "torch.optim.optimizer.Optimizer", "builtins.object"]}}
    assert "inherits from torch.optim.adam.Adam" in broken_rules(hidden, [ADAM], inherited, "lab03_optimizers")[0]
    base_only = {**_evidence(), "mro": {"Adam": ["lab03_optimizers.Adam", "torch.optim.optimizer.Optimizer"]}}
    assert broken_rules(hidden, [ADAM], base_only, "lab03_optimizers") == []
    tampered = {**_evidence(), "tampered": ["called sys.setprofile"]}
    assert "switched off" in broken_rules(hidden, [ADAM], tampered, "lab03_optimizers")[0]


def test_run_time_autograd_and_grad_mode():
    rule = no_autograd("grad_w")
    closed_form = "def grad_w(w, x):\n    return x.sum(0)\n"
    no_grad = _evidence(grad_w=["torch.autograd.grad_mode.no_grad.__enter__", "torch._C._set_grad_enabled"])
    assert broken_rules(closed_form, [rule], no_grad, "lab") == []
    for name in ("torch._functorch.eager_transforms.jacrev", "torch.autograd.grad", "torch._tensor.Tensor.backward",
                 "torch._C._EngineBase.run_backward"):
        assert broken_rules(closed_form, [rule], _evidence(grad_w=[name]), "lab"), name


def test_what_another_library_reaches_is_not_the_students_call():
    """torch's internals use functools.reduce, and a logger's handler may be lightning's: only what the student's
    code called, and what that reached inside its own library, counts (autograd excepted)."""
    rule = Rule("f", "no fold", names=("functools.reduce", "lightning"))
    source = "import torch\ndef f(xs):\n    return torch.stack(xs).sum(0)\n"
    elsewhere = {**_evidence(f=["_functools.reduce", "lightning.fabric.utilities.rank_zero.filter"]), "own": {}}
    assert broken_rules(source, [rule], elsewhere, "lab") == []
    assert broken_rules(source, [rule], {**elsewhere, "direct": {"f": ["_functools.reduce"]}}, "lab")
    autograd = {**_evidence(grad_w=["torch.autograd.grad"]), "own": {}}
    assert broken_rules("def grad_w(w, x):\n    return x\n", [no_autograd("grad_w")], autograd, "lab")


def test_the_observer_sees_calls_through_any_spelling(tmp_path):
    """Evidence as the clean check process records it: a library reached through a namespace, a wrapper and a
    helper is named where it is defined, under the student function that reached it."""
    import importlib.util

    from labkit.evidence import Observer

    module_file = tmp_path / "student.py"
    module_file.write_text("import torch\n"
                           "def _helper(p):\n    return vars(torch.optim)['Ad' + 'am']([p])\n"
                           "def build(p):\n    opt = _helper(p)\n    opt.step()\n    return opt\n")
    spec = importlib.util.spec_from_file_location("student", module_file)
    student = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(student)
    import torch

    observer = Observer()
    observer.start()
    try:
        student.build(torch.zeros(2, requires_grad=True))
    finally:
        observer.stop()
    assert "torch.optim.adam.Adam.__init__" in observer.direct["build"]
    assert "student._helper" in observer.direct["build"]
    # Adam.step, behind torch's wrapper, is reached inside the package the student called.
    assert "torch.optim.adam.Adam.step" in observer.own["build"]
    assert not observer.tampered
