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


def _mistake(en: str, fr: str, hint_en: str, hint_fr: str) -> dict[str, str]:
    return {"en": en, "fr": fr, "hint_en": hint_en, "hint_fr": hint_fr}


# What each mutant gets wrong, in the course's terms (never the fix), and a question that leads the student there.
# Teaching assistants read the descriptions (the class report); students see only the hint, at --feedback hints.
def _de(word: str) -> str:
    """French "de" before a name: elided before a vowel (d'Adam, de RMSprop)."""
    return f"d'{word}" if word[:1].lower() in "aeiouy" else f"de {word}"


def _library(name: str) -> dict[str, str]:
    return _mistake(
        f"{name} is not built by hand: the library's own optimizer (torch.optim.{name}, its functional form or its "
        "class) does the update",
        f"{name} n'est pas construit à la main : l'optimiseur de la bibliothèque (torch.optim.{name}, sa forme "
        "fonctionnelle ou sa classe) fait la mise à jour",
        f"Which line of your step computes {name}'s update from the gradient and the state you keep?",
        f"Quelle ligne de votre step calcule la mise à jour {_de(name)} à partir du gradient et de l'état que vous "
        "conservez ?")


def _eps_inside(name: str) -> dict[str, str]:
    return _mistake(
        f"{name}'s eps is added under the square root instead of to the square root",
        f"l'eps {_de(name)} est ajouté sous la racine carrée au lieu d'être ajouté à la racine",
        "Where does the course's update put eps: in sqrt(v + eps) or in sqrt(v) + eps?",
        "Où la mise à jour du cours place-t-elle eps : dans sqrt(v + eps) ou dans sqrt(v) + eps ?")


def _missing_grad(name: str) -> dict[str, str]:
    return _mistake(
        f"a parameter without a gradient (p.grad is None) is updated by {name} as if its gradient were zero, "
        "which changes its state",
        f"un paramètre sans gradient (p.grad vaut None) est mis à jour par {name} comme si son gradient était "
        "nul, ce qui modifie son état",
        "What should a step do to a parameter that took no part in the loss?",
        "Que doit faire un pas d'optimisation à un paramètre qui n'a pas participé au coût ?")


def _defaults(name: str, setting: str) -> dict[str, str]:
    return _mistake(
        f"{name} reads {setting} from the optimizer's defaults instead of from each parameter group, so a group "
        "with its own value is updated with the default one",
        f"{name} lit {setting} dans les valeurs par défaut de l'optimiseur au lieu de chaque groupe de paramètres : "
        "un groupe qui a sa propre valeur est mis à jour avec celle par défaut",
        f"If two parameter groups are given different values of {setting}, which one does your step use for each?",
        f"Si deux groupes de paramètres reçoivent des valeurs différentes {_de(setting)}, laquelle votre step "
        "utilise-t-il pour chacun ?")


MISTAKES = {
    "Adagrad: eps inside the square root": _eps_inside("Adagrad"),
    "Adagrad: moving average instead of a sum": _mistake(
        "Adagrad keeps a moving average of the squared gradients (as RMSprop does) instead of their sum",
        "Adagrad garde une moyenne glissante des gradients au carré (comme RMSprop) au lieu de leur somme",
        "In Adagrad, does the accumulator ever forget an old gradient?",
        "Dans Adagrad, l'accumulateur oublie-t-il jamais un ancien gradient ?"),
    "Adagrad: sum updated after the step": _mistake(
        "the parameter is updated before the current squared gradient is added to the sum, so the first step "
        "divides by eps alone",
        "le paramètre est mis à jour avant que le gradient courant au carré soit ajouté à la somme : le premier "
        "pas divise par eps seul",
        "Does the denominator of the step at time t include g_t²?",
        "Le dénominateur du pas à l'instant t contient-il g_t² ?"),
    "Adagrad: weight decay ignored": _mistake(
        "Adagrad ignores weight_decay: the gradient is not increased by weight_decay × p",
        "Adagrad ignore weight_decay : le gradient n'est pas augmenté de weight_decay × p",
        "When weight_decay is not zero, which gradient goes into the sum and the update?",
        "Quand weight_decay n'est pas nul, quel gradient entre dans la somme et dans la mise à jour ?"),
    "Adagrad: one accumulator per optimizer": _mistake(
        "one number accumulates the squared gradients of every parameter, instead of one accumulator per "
        "coordinate of each parameter",
        "un seul nombre accumule les gradients au carré de tous les paramètres, au lieu d'un accumulateur par "
        "coordonnée de chaque paramètre",
        "Does Adagrad give each coordinate its own learning rate?",
        "Adagrad donne-t-il à chaque coordonnée son propre pas d'apprentissage ?"),
    "RMSprop: eps inside the square root": _eps_inside("RMSprop"),
    "RMSprop: with momentum 0.9": _mistake(
        "a momentum of 0.9 is added to RMSprop, which the course's RMSprop (momentum 0) does not have",
        "un momentum de 0,9 est ajouté à RMSprop, que le RMSprop du cours (momentum 0) n'a pas",
        "Does the course's RMSprop keep anything besides the running average of squared gradients?",
        "Le RMSprop du cours conserve-t-il autre chose que la moyenne glissante des gradients au carré ?"),
    "RMSprop: centered": _mistake(
        "RMSprop is centred: it subtracts the square of the running mean gradient, which the course's RMSprop "
        "does not",
        "RMSprop est centré : il retranche le carré de la moyenne glissante du gradient, ce que ne fait pas le "
        "RMSprop du cours",
        "Does the course's RMSprop divide by the root of an average of g², or by a variance estimate?",
        "Le RMSprop du cours divise-t-il par la racine d'une moyenne de g², ou par une estimation de variance ?"),
    "RMSprop: alpha and 1 - alpha swapped": _mistake(
        "alpha and 1 - alpha are swapped in the running average: the new squared gradient gets weight alpha",
        "alpha et 1 - alpha sont échangés dans la moyenne glissante : le nouveau gradient au carré reçoit le "
        "poids alpha",
        "With alpha = 0.99, how much weight should the newest squared gradient get?",
        "Avec alpha = 0,99, quel poids le gradient au carré le plus récent doit-il recevoir ?"),
    "Adam: no bias correction": _mistake(
        "Adam's moments are not bias-corrected, so the first steps are much too small",
        "les moments d'Adam ne sont pas corrigés du biais : les premiers pas sont bien trop petits",
        "The moments start at zero: what is the expected value of m_1 = (1 - β1) g_1 compared with g_1?",
        "Les moments partent de zéro : que vaut l'espérance de m_1 = (1 - β1) g_1 comparée à g_1 ?"),
    "Adam: first moment not corrected": _mistake(
        "only the second moment is bias-corrected: the first moment m_t is used without dividing by 1 - β1^t",
        "seul le second moment est corrigé du biais : le premier moment m_t est utilisé sans division par "
        "1 - β1^t",
        "Both moments start at zero: which of them need a correction?",
        "Les deux moments partent de zéro : lesquels ont besoin d'une correction ?"),
    "Adam: eps inside the square root": _eps_inside("Adam"),
    "Adam: decoupled weight decay (AdamW)": _mistake(
        "the weight decay is decoupled from the gradient (AdamW) instead of added to the gradient as in Adam",
        "la décroissance des poids est découplée du gradient (AdamW) au lieu d'être ajoutée au gradient comme "
        "dans Adam",
        "In Adam, does weight_decay × p go through the moments, or straight onto the parameter?",
        "Dans Adam, weight_decay × p passe-t-il par les moments, ou directement sur le paramètre ?"),
    "Adam: bias correction counted from zero": _mistake(
        "the bias correction is off by one step: it divides by 1 - β^(t+1) instead of 1 - β^t",
        "la correction du biais est décalée d'un pas : elle divise par 1 - β^(t+1) au lieu de 1 - β^t",
        "At the first step, t = 1: what is 1 - β1^t, and what does your code use?",
        "Au premier pas, t = 1 : que vaut 1 - β1^t, et qu'utilise votre code ?"),
    "Adam: zero-grad parameters still decayed": _mistake(
        "a parameter without a gradient is still shrunk at every step",
        "un paramètre sans gradient est quand même réduit à chaque pas",
        "What should a step do to a parameter whose grad is None?",
        "Que doit faire un pas à un paramètre dont grad vaut None ?"),
    "Adagrad: torch.optim.Adagrad itself": _library("Adagrad"),
    "RMSprop: torch.optim.RMSprop itself": _library("RMSprop"),
    "Adam: torch.optim.Adam itself": _library("Adam"),
    "Adagrad: a subclass of torch.optim.Adagrad": _library("Adagrad"),
    "RMSprop: a subclass of torch.optim.RMSprop": _library("RMSprop"),
    "Adam: a subclass of torch.optim.Adam": _library("Adam"),
    "Adam: step calls torch.optim.Adam.step": _library("Adam"),
    "Adam: step calls torch.optim.adam.adam": _library("Adam"),
    "Adagrad: step calls torch.optim._functional.adagrad": _library("Adagrad"),
    "RMSprop: step calls torch.optim.rmsprop.rmsprop": _library("RMSprop"),
    "Adagrad: a missing gradient taken for zero": _missing_grad("Adagrad"),
    "RMSprop: a missing gradient taken for zero": _missing_grad("RMSprop"),
    "Adam: a missing gradient taken for zero": _missing_grad("Adam"),
    "Adam: a skipped step still counted": _mistake(
        "a step where a parameter has no gradient still advances that parameter's step count, so its bias "
        "correction later uses the wrong t",
        "un pas où un paramètre n'a pas de gradient fait quand même avancer son compteur de pas : sa correction "
        "du biais utilise ensuite un mauvais t",
        "Is t the number of optimizer calls, or the number of updates this parameter actually received?",
        "t est-il le nombre d'appels à l'optimiseur, ou le nombre de mises à jour que ce paramètre a réellement "
        "reçues ?"),
    "Adam: one step count for the whole optimizer": _mistake(
        "one step count is shared by every parameter instead of kept in each parameter's state",
        "un seul compteur de pas est partagé par tous les paramètres au lieu d'être gardé dans l'état de chacun",
        "If a parameter first gets a gradient at the tenth call, what should its t be at that step?",
        "Si un paramètre reçoit son premier gradient au dixième appel, que doit valoir son t à ce pas ?"),
    "Adagrad: eps from self.defaults": _defaults("Adagrad", "eps"),
    "Adagrad: weight_decay from self.defaults": _defaults("Adagrad", "weight_decay"),
    "RMSprop: alpha from self.defaults": _defaults("RMSprop", "alpha"),
    "RMSprop: eps from self.defaults": _defaults("RMSprop", "eps"),
    "RMSprop: weight_decay from self.defaults": _defaults("RMSprop", "weight_decay"),
    "Adam: betas from self.defaults": _defaults("Adam", "betas"),
    "Adam: eps from self.defaults": _defaults("Adam", "eps"),
    "Adam: weight_decay from self.defaults": _defaults("Adam", "weight_decay"),
    "trajectory without the starting point": _mistake(
        "the trajectory leaves out the starting point x0 and takes one step too many",
        "la trajectoire omet le point de départ x0 et fait un pas de trop",
        "For steps = 0, what should the trajectory contain?",
        "Pour steps = 0, que doit contenir la trajectoire ?"),
    "trajectory moves x0 in place": _mistake(
        "the optimizer moves the caller's tensor x0 itself: the starting point is changed by the run",
        "l'optimiseur déplace le tenseur x0 de l'appelant lui-même : le point de départ est modifié par le calcul",
        "After your function returns, does x0 still hold the starting point?",
        "Quand votre fonction a terminé, x0 contient-il encore le point de départ ?"),
    "Adagrad: the functional form through an alias bound inside step": _library("Adagrad"),
    "Adam: the library class taken from torch.optim.__dict__": _library("Adam"),
    "RMSprop: the library class found among Optimizer.__subclasses__()": _library("RMSprop"),
    "Adam: the functional form imported inside step under another name": _library("Adam"),
    "Adagrad: a library optimizer kept in the state and stepped": _library("Adagrad"),
}
