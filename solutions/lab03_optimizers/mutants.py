"""Plausible wrong implementations of Lab 3's functions: name -> {function: replacement source}.
Every one must lose points."""

import ast
from pathlib import Path


def _reference(method: str) -> str:
    """The reference source of "Class.method", decorators included, solution markers dropped."""
    source = Path(__file__).with_name("lab03_optimizers.py").read_text()
    owner, name = method.split(".")
    cls = next(n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == owner)
    node = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == name)
    lines = source.splitlines(keepends=True)[node.decorator_list[0].lineno - 1 if node.decorator_list else
                                             node.lineno - 1:node.end_lineno]
    return "".join(line for line in lines if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))


def _edit(method: str, *pairs: tuple[str, str]) -> dict[str, str]:
    """The reference `method` with each (old, new) replaced: one deliberate mistake on the right code."""
    source = _reference(method)
    for old, new in pairs:
        if old not in source:
            raise KeyError(f"{old!r} is not in the reference {method}: update the mutant")
        source = source.replace(old, new)
    return {method: source}


# The reference's own lines, for the mutants that change them.
_SKIP = """if p.grad is None:
                    continue
                g = p.grad if group["weight_decay"] == 0 else p.grad.add(p, alpha=group["weight_decay"])"""
_AS_ZERO = """grad = torch.zeros_like(p) if p.grad is None else p.grad  # a missing gradient taken for zero
                g = grad if group["weight_decay"] == 0 else grad.add(p, alpha=group["weight_decay"])"""
_COUNT_SKIPPED = """if p.grad is None:
                    if self.state[p]:
                        self.state[p]["step"] += 1  # the skipped step still counted
                    continue
                g = p.grad if group["weight_decay"] == 0 else p.grad.add(p, alpha=group["weight_decay"])"""

_ADAGRAD = '''
@torch.no_grad()
def step(self, closure=None):
    for group in self.param_groups:
        for p in group["params"]:
            if p.grad is None:
                continue
            g = p.grad if group["weight_decay"] == 0 else p.grad.add(p, alpha=group["weight_decay"])
            state = self.state[p]
            if not state:
                state["sum"] = torch.zeros_like(p)
            {update}
'''

_RMSPROP = '''
@torch.no_grad()
def step(self, closure=None):
    for group in self.param_groups:
        for p in group["params"]:
            if p.grad is None:
                continue
            g = p.grad if group["weight_decay"] == 0 else p.grad.add(p, alpha=group["weight_decay"])
            state = self.state[p]
            if not state:
                state["square_avg"] = torch.zeros_like(p)
                state["buf"] = torch.zeros_like(p)
                state["grad_avg"] = torch.zeros_like(p)
            {update}
'''

_ADAM = '''
@torch.no_grad()
def step(self, closure=None):
    for group in self.param_groups:
        beta1, beta2 = group["betas"]
        for p in group["params"]:
            if p.grad is None:
                continue
            {decay}
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["exp_avg"] = torch.zeros_like(p)
                state["exp_avg_sq"] = torch.zeros_like(p)
            state["step"] += 1
            t = state["step"]
            state["exp_avg"].mul_(beta1).add_(g, alpha=1 - beta1)
            state["exp_avg_sq"].mul_(beta2).addcmul_(g, g, value=1 - beta2)
            {update}
'''
_L2 = 'g = p.grad if group["weight_decay"] == 0 else p.grad.add(p, alpha=group["weight_decay"])'
_ADAM_RIGHT = ('p.addcdiv_(state["exp_avg"] / (1 - beta1**t), (state["exp_avg_sq"] / (1 - beta2**t)).sqrt() + '
               'group["eps"], value=-group["lr"])')

# The sample class's partial student: the reference with these mutants.
SAMPLE_PARTIAL = ["RMSprop: eps inside the square root", "trajectory without the starting point"]

MUTANTS = {
    "Adagrad: eps inside the square root": {"Adagrad.step": _ADAGRAD.replace("{update}", '''state["sum"].addcmul_(g, g)
            p.addcdiv_(g, (state["sum"] + group["eps"]).sqrt(), value=-group["lr"])''')},
    "Adagrad: moving average instead of a sum": {"Adagrad.step": _ADAGRAD.replace("{update}", '''state["sum"].mul_(0.99).addcmul_(g, g, value=0.01)
            p.addcdiv_(g, state["sum"].sqrt() + group["eps"], value=-group["lr"])''')},
    "Adagrad: sum updated after the step": {"Adagrad.step": _ADAGRAD.replace("{update}", '''p.addcdiv_(g, state["sum"].sqrt() + group["eps"] + 1e-3, value=-group["lr"])
            state["sum"].addcmul_(g, g)''')},
    "Adagrad: weight decay ignored": {"Adagrad.step": _ADAGRAD.replace("{update}", '''state["sum"].addcmul_(p.grad, p.grad)
            p.addcdiv_(p.grad, state["sum"].sqrt() + group["eps"], value=-group["lr"])''')},
    "Adagrad: one accumulator per optimizer": {"Adagrad.step": '''
@torch.no_grad()
def step(self, closure=None):
    for group in self.param_groups:
        for p in group["params"]:
            if p.grad is None:
                continue
            g = p.grad if group["weight_decay"] == 0 else p.grad.add(p, alpha=group["weight_decay"])
            self._total = getattr(self, "_total", 0.0) + float((g * g).sum())
            p.add_(g / (self._total ** 0.5 + group["eps"]), alpha=-group["lr"])
'''},
    "RMSprop: eps inside the square root": {"RMSprop.step": _RMSPROP.replace("{update}", '''state["square_avg"].mul_(group["alpha"]).addcmul_(g, g, value=1 - group["alpha"])
            p.addcdiv_(g, (state["square_avg"] + group["eps"]).sqrt(), value=-group["lr"])''')},
    "RMSprop: with momentum 0.9": {"RMSprop.step": _RMSPROP.replace("{update}", '''state["square_avg"].mul_(group["alpha"]).addcmul_(g, g, value=1 - group["alpha"])
            state["buf"].mul_(0.9).addcdiv_(g, state["square_avg"].sqrt() + group["eps"])
            p.add_(state["buf"], alpha=-group["lr"])''')},
    "RMSprop: centered": {"RMSprop.step": _RMSPROP.replace("{update}", '''state["square_avg"].mul_(group["alpha"]).addcmul_(g, g, value=1 - group["alpha"])
            state["grad_avg"].mul_(group["alpha"]).add_(g, alpha=1 - group["alpha"])
            var = state["square_avg"] - state["grad_avg"] ** 2
            p.addcdiv_(g, var.sqrt() + group["eps"], value=-group["lr"])''')},
    "RMSprop: alpha and 1 - alpha swapped": {"RMSprop.step": _RMSPROP.replace("{update}", '''state["square_avg"].mul_(1 - group["alpha"]).addcmul_(g, g, value=group["alpha"])
            p.addcdiv_(g, state["square_avg"].sqrt() + group["eps"], value=-group["lr"])''')},
    "Adam: no bias correction": {"Adam.step": _ADAM.replace("{decay}", _L2).replace("{update}", '''p.addcdiv_(state["exp_avg"], state["exp_avg_sq"].sqrt() + group["eps"], value=-group["lr"])''')},
    "Adam: first moment not corrected": {"Adam.step": _ADAM.replace("{decay}", _L2).replace("{update}", '''p.addcdiv_(state["exp_avg"], (state["exp_avg_sq"] / (1 - beta2**t)).sqrt() + group["eps"], value=-group["lr"])''')},
    "Adam: eps inside the square root": {"Adam.step": _ADAM.replace("{decay}", _L2).replace("{update}", '''p.addcdiv_(state["exp_avg"] / (1 - beta1**t), (state["exp_avg_sq"] / (1 - beta2**t) + group["eps"]).sqrt(), value=-group["lr"])''')},
    "Adam: decoupled weight decay (AdamW)": {"Adam.step": _ADAM.replace("{decay}", '''g = p.grad
            p.mul_(1 - group["lr"] * group["weight_decay"])''').replace("{update}", _ADAM_RIGHT)},
    "Adam: bias correction counted from zero": {"Adam.step": _ADAM.replace("{decay}", _L2).replace("{update}", '''t = t + 1
            p.addcdiv_(state["exp_avg"] / (1 - beta1**t), (state["exp_avg_sq"] / (1 - beta2**t)).sqrt() + group["eps"], value=-group["lr"])''')},
    "Adam: zero-grad parameters still decayed": {"Adam.step": '''
@torch.no_grad()
def step(self, closure=None):
    for group in self.param_groups:
        for p in group["params"]:
            if p.grad is None:
                p.mul_(1 - group["lr"] * 0.01)
                continue
            g = p.grad if group["weight_decay"] == 0 else p.grad.add(p, alpha=group["weight_decay"])
            beta1, beta2 = group["betas"]
            state = self.state[p]
            if not state:
                state["step"], state["exp_avg"], state["exp_avg_sq"] = 0, torch.zeros_like(p), torch.zeros_like(p)
            state["step"] += 1
            t = state["step"]
            state["exp_avg"].mul_(beta1).add_(g, alpha=1 - beta1)
            state["exp_avg_sq"].mul_(beta2).addcmul_(g, g, value=1 - beta2)
            ''' + _ADAM_RIGHT + '''
'''},
    # Library code in the student's class: each passes every behavioural case; the method rules take the points.
    "Adagrad: torch.optim.Adagrad itself": {"Adagrad": "Adagrad = torch.optim.Adagrad"},
    "RMSprop: torch.optim.RMSprop itself": {"RMSprop": "RMSprop = torch.optim.RMSprop"},
    "Adam: torch.optim.Adam itself": {"Adam": "Adam = torch.optim.Adam"},
    "Adagrad: a subclass of torch.optim.Adagrad": {"Adagrad": "class Adagrad(torch.optim.Adagrad):\n    pass"},
    "RMSprop: a subclass of torch.optim.RMSprop": {"RMSprop": "class RMSprop(torch.optim.RMSprop):\n    pass"},
    "Adam: a subclass of torch.optim.Adam": {"Adam": "class Adam(torch.optim.Adam):\n    pass"},
    "Adam: step calls torch.optim.Adam.step": {"Adam.step": '''
@torch.no_grad()
def step(self, closure=None):
    if not hasattr(self, "_library"):
        self._library = torch.optim.Adam(self.param_groups)  # shares the groups
        self._library.state = self.state  # and the state, so that state_dict carries it
    return torch.optim.Adam.step(self._library, closure)
'''},
    "Adam: step calls torch.optim.adam.adam": {"Adam.step": '''
@torch.no_grad()
def step(self, closure=None):
    from torch.optim.adam import adam
    for group in self.param_groups:
        params = [p for p in group["params"] if p.grad is not None]
        for p in params:
            if not self.state[p]:
                self.state[p].update(step=torch.tensor(0.0), exp_avg=torch.zeros_like(p),
                                     exp_avg_sq=torch.zeros_like(p))
        state = [self.state[p] for p in params]
        adam(params, [p.grad for p in params], [s["exp_avg"] for s in state], [s["exp_avg_sq"] for s in state], [],
             [s["step"] for s in state], amsgrad=False, beta1=group["betas"][0], beta2=group["betas"][1],
             lr=group["lr"], weight_decay=group["weight_decay"], eps=group["eps"], maximize=False)
'''},
    "Adagrad: step calls torch.optim._functional.adagrad": {"Adagrad.step": '''
@torch.no_grad()
def step(self, closure=None):
    import torch.optim._functional as F_optim
    for group in self.param_groups:
        params = [p for p in group["params"] if p.grad is not None]
        for p in params:
            if not self.state[p]:
                self.state[p].update(step=torch.tensor(0.0), sum=torch.zeros_like(p))
        state = [self.state[p] for p in params]
        F_optim.adagrad(params, [p.grad for p in params], [s["sum"] for s in state], [s["step"] for s in state],
                        lr=group["lr"], weight_decay=group["weight_decay"], lr_decay=0.0, eps=group["eps"],
                        maximize=False)
'''},
    "RMSprop: step calls torch.optim.rmsprop.rmsprop": {"RMSprop.step": '''
@torch.no_grad()
def step(self, closure=None):
    from torch.optim.rmsprop import rmsprop as update
    for group in self.param_groups:
        params = [p for p in group["params"] if p.grad is not None]
        for p in params:
            if not self.state[p]:
                self.state[p].update(step=torch.tensor(0.0), square_avg=torch.zeros_like(p))
        state = [self.state[p] for p in params]
        update(params, [p.grad for p in params], [s["square_avg"] for s in state], [], [],
               [s["step"] for s in state], lr=group["lr"], alpha=group["alpha"], eps=group["eps"],
               weight_decay=group["weight_decay"], momentum=0.0, centered=False)
'''},
    # A missing gradient is not a zero gradient: torch.optim leaves the parameter and its state alone.
    "Adagrad: a missing gradient taken for zero": _edit("Adagrad.step", (_SKIP, _AS_ZERO)),
    "RMSprop: a missing gradient taken for zero": _edit("RMSprop.step", (_SKIP, _AS_ZERO)),
    "Adam: a missing gradient taken for zero": _edit("Adam.step", (_SKIP, _AS_ZERO)),
    "Adam: a skipped step still counted": _edit("Adam.step", (_SKIP, _COUNT_SKIPPED)),
    "Adam: one step count for the whole optimizer": _edit(
        "Adam.step", ("for group in self.param_groups:", "self._t = getattr(self, '_t', 0) + 1\n        for group in self.param_groups:"),
        ('t = float(state["step"])', "t = float(self._t)")),
    # Hyperparameters read from the constructor's defaults instead of the parameter's group.
    "Adagrad: eps from self.defaults": _edit("Adagrad.step", ('group["eps"]', 'self.defaults["eps"]')),
    "Adagrad: weight_decay from self.defaults": _edit("Adagrad.step", ('group["weight_decay"]', 'self.defaults["weight_decay"]')),
    "RMSprop: alpha from self.defaults": _edit("RMSprop.step", ('group["alpha"]', 'self.defaults["alpha"]')),
    "RMSprop: eps from self.defaults": _edit("RMSprop.step", ('group["eps"]', 'self.defaults["eps"]')),
    "RMSprop: weight_decay from self.defaults": _edit("RMSprop.step", ('group["weight_decay"]', 'self.defaults["weight_decay"]')),
    "Adam: betas from self.defaults": _edit("Adam.step", ('group["betas"]', 'self.defaults["betas"]')),
    "Adam: eps from self.defaults": _edit("Adam.step", ('group["eps"]', 'self.defaults["eps"]')),
    "Adam: weight_decay from self.defaults": _edit("Adam.step", ('group["weight_decay"]', 'self.defaults["weight_decay"]')),
    "trajectory without the starting point": {"trajectory": '''
def trajectory(optimizer_factory, fn, x0, steps):
    x = x0.detach().clone().requires_grad_(True)
    optimizer = optimizer_factory([x])
    points = []
    for _ in range(steps + 1):
        optimizer.zero_grad()
        fn(x).backward()
        optimizer.step()
        points.append(x.detach().clone())
    return torch.stack(points)
'''},
    "trajectory moves x0 in place": {"trajectory": '''
def trajectory(optimizer_factory, fn, x0, steps):
    x = x0.requires_grad_(True)
    optimizer = optimizer_factory([x])
    points = [x.detach().clone()]
    for _ in range(steps):
        optimizer.zero_grad()
        fn(x).backward()
        optimizer.step()
        points.append(x.detach().clone())
    return torch.stack(points)
'''},
    # Evasions of the own-code rule, as students write them.
    "Adagrad: the functional form through an alias bound inside step": {"Adagrad.step": '''
@torch.no_grad()
def step(self, closure=None):
    o = torch.optim
    for group in self.param_groups:
        params = [p for p in group["params"] if p.grad is not None]
        for p in params:
            if not self.state[p]:
                self.state[p].update(step=torch.tensor(0.0), sum=torch.zeros_like(p))
        o._functional.adagrad(params, [p.grad for p in params], [self.state[p]["sum"] for p in params],
                              [self.state[p]["step"] for p in params], lr=group["lr"],
                              weight_decay=group["weight_decay"], lr_decay=0.0, eps=group["eps"], maximize=False)
'''},
    "Adam: the library class taken from torch.optim.__dict__": {"Adam": '''
class Adam(torch.optim.__dict__["Adam"]):
    """My Adam."""
'''},
    "RMSprop: the library class found among Optimizer.__subclasses__()": {"RMSprop": '''
class RMSprop(next(c for c in torch.optim.Optimizer.__subclasses__() if c.__name__ == "RMS" + "prop")):
    """My RMSprop."""
'''},
    "Adam: the functional form imported inside step under another name": {"Adam.step": '''
@torch.no_grad()
def step(self, closure=None):
    from torch.optim import _functional as helpers

    for group in self.param_groups:
        params = [p for p in group["params"] if p.grad is not None]
        for p in params:
            if not self.state[p]:
                self.state[p].update(step=torch.tensor(0.0), exp_avg=torch.zeros_like(p),
                                     exp_avg_sq=torch.zeros_like(p))
        beta1, beta2 = group["betas"]
        getattr(helpers, "adam")(params, [p.grad for p in params], [self.state[p]["exp_avg"] for p in params],
                                 [self.state[p]["exp_avg_sq"] for p in params], [], [self.state[p]["step"] for p in params],
                                 amsgrad=False, beta1=beta1, beta2=beta2, lr=group["lr"],
                                 weight_decay=group["weight_decay"], eps=group["eps"], maximize=False)
'''},
    "Adagrad: a library optimizer kept in the state and stepped": {"Adagrad.step": '''
@torch.no_grad()
def step(self, closure=None):
    import sys

    for group in self.param_groups:
        for p in group["params"]:
            if p.grad is None:
                continue
            if "inner" not in self.state[p]:
                library = vars(sys.modules["torch.optim"])["Adag" + "rad"]
                self.state[p]["inner"] = library([p], lr=group["lr"], eps=group["eps"],
                                                 weight_decay=group["weight_decay"])
            self.state[p]["inner"].step()
'''},
}
