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
