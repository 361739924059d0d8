"""Plausible wrong implementations of Lab 3's functions: name -> {function: replacement source}.
Every one must lose points."""

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
}
