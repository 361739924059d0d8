"""Correct implementations of Lab 3's optimizers in the styles students write: name -> {Class.method: replacement
source}. Every one must keep full marks (the mirror of mutants.py)."""

HONEST = {
    "Adam with _foreach_ ops over each group": {"Adam.step": '''
@torch.no_grad()
def step(self, closure=None):
    loss = None
    if closure is not None:
        with torch.enable_grad():
            loss = closure()
    for group in self.param_groups:
        beta1, beta2 = group["betas"]
        params = [p for p in group["params"] if p.grad is not None]
        if not params:
            continue
        grads = [p.grad for p in params]
        if group["weight_decay"]:
            grads = torch._foreach_add(grads, params, alpha=group["weight_decay"])
        for p in params:
            if not self.state[p]:
                self.state[p].update(step=0, m=torch.zeros_like(p), v=torch.zeros_like(p))
            self.state[p]["step"] += 1
        ms = [self.state[p]["m"] for p in params]
        vs = [self.state[p]["v"] for p in params]
        torch._foreach_mul_(ms, beta1)
        torch._foreach_add_(ms, grads, alpha=1 - beta1)
        torch._foreach_mul_(vs, beta2)
        torch._foreach_addcmul_(vs, grads, grads, value=1 - beta2)
        for p, m, v in zip(params, ms, vs):
            t = self.state[p]["step"]
            denom = (v / (1 - beta2**t)).sqrt_().add_(group["eps"])
            p.addcdiv_(m, denom, value=-group["lr"] / (1 - beta1**t))
    return loss
'''},
    "Adam out of place, m_hat and v_hat named": {"Adam.step": '''
@torch.no_grad()
def step(self, closure=None):
    loss = closure() if closure is not None else None
    for group in self.param_groups:
        b1, b2 = group["betas"]
        for p in group["params"]:
            if p.grad is None:
                continue
            g = p.grad + group["weight_decay"] * p
            st = self.state[p]
            m, v, t = st.get("m", torch.zeros_like(p)), st.get("v", torch.zeros_like(p)), st.get("t", 0) + 1
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
            p.sub_(group["lr"] * m_hat / (torch.sqrt(v_hat) + group["eps"]))
            st.update(m=m, v=v, t=t)
    return loss
'''},
    "Adam subclassing Optimizer imported from its module": {"Adam": '''
from torch.optim.optimizer import Optimizer as BaseOptimizer


class Adam(BaseOptimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.add(p, alpha=group["weight_decay"])
                state = self.state[p]
                if len(state) == 0:
                    state["step"], state["exp_avg"], state["exp_avg_sq"] = 0, torch.zeros_like(p), torch.zeros_like(p)
                state["step"] += 1
                state["exp_avg"].mul_(beta1).add_(g, alpha=1 - beta1)
                state["exp_avg_sq"].mul_(beta2).addcmul_(g, g, value=1 - beta2)
                bias1, bias2 = 1 - beta1 ** state["step"], 1 - beta2 ** state["step"]
                p.addcdiv_(state["exp_avg"] / bias1, (state["exp_avg_sq"] / bias2).sqrt() + group["eps"],
                           value=-group["lr"])
'''},
    "Adagrad with += and -= operators and a local named like the functional form": {"Adagrad.step": '''
@torch.no_grad()
def step(self, closure=None):
    loss = None
    if closure is not None:
        with torch.enable_grad():
            loss = closure()
    for group in self.param_groups:
        for p in group["params"]:
            if p.grad is None:
                continue
            g = p.grad.clone()
            if group["weight_decay"] != 0:
                g += group["weight_decay"] * p
            adagrad = self.state[p].setdefault("sum", torch.zeros_like(p))  # this parameter's accumulator
            adagrad += g**2
            p -= group["lr"] * g / (adagrad.sqrt() + group["eps"])
    return loss
'''},
    "Adagrad with _foreach_ ops": {"Adagrad.step": '''
@torch.no_grad()
def step(self, closure=None):
    for group in self.param_groups:
        params = [p for p in group["params"] if p.grad is not None]
        if not params:
            continue
        grads = torch._foreach_add([p.grad for p in params], params, alpha=group["weight_decay"])
        sums = [self.state[p].setdefault("sum", torch.zeros_like(p)) for p in params]
        torch._foreach_addcmul_(sums, grads, grads)
        denoms = torch._foreach_add(torch._foreach_sqrt(sums), group["eps"])
        torch._foreach_addcdiv_(params, grads, denoms, value=-group["lr"])
'''},
    "RMSprop through a helper method": {"RMSprop.step": '''
def _update(self, p, group):
    g = p.grad if not group["weight_decay"] else p.grad + group["weight_decay"] * p
    avg = self.state[p].get("square_avg")
    if avg is None:
        avg = self.state[p]["square_avg"] = torch.zeros_like(p)
    avg.mul_(group["alpha"]).add_((1 - group["alpha"]) * g * g)
    p.add_(-group["lr"] * g / (avg.sqrt() + group["eps"]))

@torch.no_grad()
def step(self, closure=None):
    loss = None
    if closure is not None:
        with torch.enable_grad():
            loss = closure()
    for group in self.param_groups:
        for p in group["params"]:
            if p.grad is not None:
                self._update(p, group)
    return loss
'''},
    "RMSprop with torch.optim imported inside only for its base class's helpers": {"RMSprop.step": '''
@torch.no_grad()
def step(self, closure=None):
    from torch.optim import Optimizer

    assert isinstance(self, Optimizer)
    for group in self.param_groups:
        a = group["alpha"]
        for p in filter(lambda q: q.grad is not None, group["params"]):
            g = torch.add(p.grad, p, alpha=group["weight_decay"])
            v = self.state[p].setdefault("square_avg", torch.zeros_like(p))
            v.copy_(a * v + (1 - a) * torch.square(g))
            p.copy_(p - group["lr"] * g / (torch.sqrt(v) + group["eps"]))
'''},
    "trajectory into a preallocated path": {"trajectory": '''
def trajectory(optimizer_factory, fn, x0, steps):
    x = x0.clone().detach()
    x.requires_grad = True
    opt = optimizer_factory([x])
    path = torch.empty(steps + 1, *x0.shape, dtype=x0.dtype)
    path[0] = x0
    for i in range(1, steps + 1):
        opt.zero_grad()
        loss = fn(x)
        loss.backward()
        opt.step()
        with torch.no_grad():
            path[i] = x
    return path
'''},
}
