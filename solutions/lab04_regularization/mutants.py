"""Plausible wrong implementations of Lab 4's functions: name -> {function: replacement source}.
Every one must lose points."""

_GD_WEIGHTS = '''
def gd_weights(X, y, lr, steps):
    n = X.shape[0]
    eigenvalues, V = torch.linalg.eigh({hessian})
    projected = V.T @ ({rhs})
    tiny = eigenvalues.abs() <= 1e-12 * eigenvalues.abs().max().clamp_min(1e-300)
    safe = torch.where(tiny, torch.ones_like(eigenvalues), eigenvalues)
    scale = torch.where(tiny, torch.full_like(eigenvalues, {limit}), {scale})
    return V @ (scale[:, None] * projected if projected.dim() == 2 else scale * projected)
'''
_GD_RIGHT = dict(hessian="X.T @ X / n", rhs="X.T @ y / n", limit="lr * steps", scale="gd_filter(safe, lr, steps) / safe")


def _gd_weights(**changes: str) -> dict[str, str]:
    return {"gd_weights": _GD_WEIGHTS.format(**{**_GD_RIGHT, **changes})}


_FORWARD = '''
def forward(self, x, u=None):
    if not self.training:
        return x
    if u is None:
        u = {draw}
    p = self.p
    return {value}
'''
_FORWARD_RIGHT = dict(draw="torch.rand_like(x).clamp(1e-7, 1 - 1e-7)",
                      value="x * relaxed_keep_mask(p, u, self.temperature) / (1 - p)")


def _forward(**changes: str) -> dict[str, str]:
    return {"ConcreteDropout.forward": _FORWARD.format(**{**_FORWARD_RIGHT, **changes})}


_RELAXED = '''
def relaxed_keep_mask(p_drop, u, temperature):
    logit = lambda a: torch.log(a) - torch.log1p(-a)
    return {value}
'''


def _relaxed(value: str) -> dict[str, str]:
    return {"relaxed_keep_mask": _RELAXED.format(value=value)}


_REGULARIZER = '''
def concrete_regularizer(p_drop, row_sq_norms, weight_reg, dropout_reg):
    weight_term = {weight}
    negative_entropy = {entropy}
    return {total}
'''
_REG_RIGHT = dict(weight="(row_sq_norms / (1 - p_drop)).sum()",
                  entropy="(p_drop * torch.log(p_drop) + (1 - p_drop) * torch.log1p(-p_drop)).sum()",
                  total="weight_reg * weight_term + dropout_reg * negative_entropy")


def _regularizer(**changes: str) -> dict[str, str]:
    return {"concrete_regularizer": _REGULARIZER.format(**{**_REG_RIGHT, **changes})}


_SCORE = '''
def score_function_grad(p_drop, keep_masks, losses, baseline=0.0):
    keep = keep_masks.to(p_drop.dtype)
    score = {score}
    return {value}
'''
_SCORE_RIGHT = dict(score="(1 - keep) / p_drop - keep / (1 - p_drop)",
                    value="((losses - baseline)[:, None] * score).mean(dim=0)")


def _score(**changes: str) -> dict[str, str]:
    return {"score_function_grad": _SCORE.format(**{**_SCORE_RIGHT, **changes})}


_EXACT = '''
def exact_dropout_grad(p_drop, loss_of_mask):
    n = p_drop.shape[0]
    if n > {limit}:
        raise ValueError("too many units")
    masks = torch.tensor(list(itertools.product([0.0, 1.0], repeat=n)), dtype=p_drop.dtype).reshape(-1, n)
    losses = torch.as_tensor(loss_of_mask({mask_arg}), dtype=p_drop.dtype).reshape(-1)
    factors = {factors}
    expected = (losses * factors.prod(dim=1)).sum()
    grad = torch.empty_like(p_drop)
    for i in range(n):
        others = torch.cat([factors[:, :i], factors[:, i + 1:]], dim=1).prod(dim=1)
        grad[i] = (losses * others * ({sign})).sum()
    return {ret}
'''
_EXACT_RIGHT = dict(limit="12", mask_arg="masks", factors="masks * (1 - p_drop) + (1 - masks) * p_drop",
                    sign="1 - 2 * masks[:, i]", ret="expected, grad")


def _exact(**changes: str) -> dict[str, str]:
    return {"exact_dropout_grad": _EXACT.format(**{**_EXACT_RIGHT, **changes})}


# The sample class's partial student: the reference with these mutants.
SAMPLE_PARTIAL = ["gd_filter: one step too many", "ConcreteDropout: no 1 / (1 - p) rescaling"]

MUTANTS = {
    # 4.1 filters
    "gd_filter: one step too many": {"gd_filter": '''
def gd_filter(eigenvalues, lr, steps):
    return 1 - (1 - lr * eigenvalues) ** (steps + 1)
'''},
    "gd_filter: one step too few": {"gd_filter": '''
def gd_filter(eigenvalues, lr, steps):
    return 1 - (1 - lr * eigenvalues) ** max(steps - 1, 0)
'''},
    "gd_filter: the shrinkage (1 - lr lambda)^t instead of the filter": {"gd_filter": '''
def gd_filter(eigenvalues, lr, steps):
    return (1 - lr * eigenvalues) ** steps
'''},
    "gd_filter: linearised, lr * lambda * t capped at 1": {"gd_filter": '''
def gd_filter(eigenvalues, lr, steps):
    return (lr * eigenvalues * steps).clamp(max=1.0)
'''},
    "gd_filter: exponential approximation 1 - exp(-lr lambda t)": {"gd_filter": '''
def gd_filter(eigenvalues, lr, steps):
    return 1 - torch.exp(-lr * eigenvalues * steps)
'''},
    "ridge_filter: alpha / (lambda + alpha)": {"ridge_filter": '''
def ridge_filter(eigenvalues, alpha):
    return alpha / (eigenvalues + alpha)
'''},
    "ridge_filter: 1 / (lambda + alpha)": {"ridge_filter": '''
def ridge_filter(eigenvalues, alpha):
    return 1 / (eigenvalues + alpha)
'''},
    "ridge_filter: lambda / (lambda + alpha^2)": {"ridge_filter": '''
def ridge_filter(eigenvalues, alpha):
    return eigenvalues / (eigenvalues + alpha**2)
'''},
    # 4.2 weights
    "gd_weights: X^T X without the 1 / n": _gd_weights(hessian="X.T @ X", rhs="X.T @ y"),
    "gd_weights: 1 / n on the Hessian only": _gd_weights(rhs="X.T @ y"),
    "gd_weights: the least-squares solution (steps ignored)": _gd_weights(limit="1e12", scale="1 / safe"),
    "gd_weights: ridge at alpha = 1 / (lr t) instead of GD": _gd_weights(
        limit="lr * steps", scale="1 / (safe + 1 / (lr * max(steps, 1)))"),
    "gd_weights: lambda = 0 directions divided anyway (NaN)": _gd_weights(
        limit="float('nan')", scale="gd_filter(eigenvalues, lr, steps) / eigenvalues"),
    "gd_weights: filter without dividing by lambda": _gd_weights(limit="0.0", scale="gd_filter(safe, lr, steps)"),
    "gd_weights: starts from the least-squares solution's filter of the wrong side": _gd_weights(
        scale="(1 - gd_filter(safe, lr, steps)) / safe"),
    # 4.3 effective degrees of freedom
    "effective_dof: mean instead of sum": {"effective_dof": '''
def effective_dof(eigenvalues, lr, steps):
    return gd_filter(eigenvalues, lr, steps).mean()
'''},
    "effective_dof: hard count of fitted directions (lr lambda t > 1)": {"effective_dof": '''
def effective_dof(eigenvalues, lr, steps):
    return (lr * eigenvalues * steps > 1).sum().to(eigenvalues.dtype)
'''},
    "effective_dof: ridge's at alpha = 1 / (lr t)": {"effective_dof": '''
def effective_dof(eigenvalues, lr, steps):
    return (eigenvalues / (eigenvalues + 1 / (lr * max(steps, 1e-12)))).sum()
'''},
    # 4.4 relaxation
    "relaxed_keep_mask: keep and drop swapped": _relaxed("torch.sigmoid((logit(p_drop) + logit(u)) / temperature)"),
    "relaxed_keep_mask: temperature ignored": _relaxed("1 - torch.sigmoid(logit(p_drop) + logit(u))"),
    "relaxed_keep_mask: temperature multiplied": _relaxed(
        "1 - torch.sigmoid((logit(p_drop) + logit(u)) * temperature)"),
    "relaxed_keep_mask: log(u) instead of logit(u)": _relaxed(
        "1 - torch.sigmoid((logit(p_drop) + torch.log(u)) / temperature)"),
    "relaxed_keep_mask: p_drop used as the keep probability": _relaxed(
        "1 - torch.sigmoid((logit(1 - p_drop) + logit(u)) / temperature)"),
    "relaxed_keep_mask: one uniform shared by all units": _relaxed(
        "1 - torch.sigmoid((logit(p_drop) + logit(u[..., :1])) / temperature)"),
    # 4.5 the module
    "ConcreteDropout: one uniform shared by all units": _forward(
        draw="torch.rand(x.shape[0], 1, dtype=x.dtype).clamp(1e-7, 1 - 1e-7)"),
    "ConcreteDropout: one uniform per unit shared by all examples": _forward(
        draw="torch.rand(x.shape[1], dtype=x.dtype).clamp(1e-7, 1 - 1e-7)"),
    "ConcreteDropout: no 1 / (1 - p) rescaling": _forward(value="x * relaxed_keep_mask(p, u, self.temperature)"),
    "ConcreteDropout: rescaled by 1 / p": _forward(value="x * relaxed_keep_mask(p, u, self.temperature) / p"),
    "ConcreteDropout: rescaling with p detached": _forward(
        value="x * relaxed_keep_mask(p, u, self.temperature) / (1 - p.detach())"),
    "ConcreteDropout: hard Bernoulli mask (no gradient to p)": _forward(
        value="x * (u >= p).to(x.dtype) / (1 - p)"),
    "ConcreteDropout: dropout left on in eval": {"ConcreteDropout.forward": '''
def forward(self, x, u=None):
    if u is None:
        u = torch.rand_like(x).clamp(1e-7, 1 - 1e-7)
    p = self.p
    return x * relaxed_keep_mask(p, u, self.temperature) / (1 - p)
'''},
    "ConcreteDropout: eval scales by 1 - p": {"ConcreteDropout.forward": '''
def forward(self, x, u=None):
    p = self.p
    if not self.training:
        return x * (1 - p)
    if u is None:
        u = torch.rand_like(x).clamp(1e-7, 1 - 1e-7)
    return x * relaxed_keep_mask(p, u, self.temperature) / (1 - p)
'''},
    "ConcreteDropout: p stored directly, not as a logit": {"ConcreteDropout.__init__": '''
def __init__(self, n_units, init_p=0.1, temperature=0.1):
    super().__init__()
    if not 0.0 < init_p < 1.0:
        raise ValueError("init_p must be in (0, 1)")
    self.temperature = temperature
    self.logit_p = nn.Parameter(torch.full((n_units,), float(init_p)))
'''},
    "ConcreteDropout: one logit shared by all units": {"ConcreteDropout.__init__": '''
def __init__(self, n_units, init_p=0.1, temperature=0.1):
    super().__init__()
    if not 0.0 < init_p < 1.0:
        raise ValueError("init_p must be in (0, 1)")
    self.temperature = temperature
    logit = torch.log(torch.tensor(init_p)) - torch.log1p(torch.tensor(-init_p))
    self.logit_p = nn.Parameter(torch.full((1,), float(logit)))
'''},
    # 4.6 regularizer
    "concrete_regularizer: entropy term with the wrong sign": _regularizer(
        total="weight_reg * weight_term - dropout_reg * negative_entropy"),
    "concrete_regularizer: weight term without 1 / (1 - p)": _regularizer(weight="row_sq_norms.sum()"),
    "concrete_regularizer: weight term times (1 - p)": _regularizer(weight="(row_sq_norms * (1 - p_drop)).sum()"),
    "concrete_regularizer: only p log p": _regularizer(entropy="(p_drop * torch.log(p_drop)).sum()"),
    "concrete_regularizer: mean over units": _regularizer(
        weight="(row_sq_norms / (1 - p_drop)).mean()",
        entropy="(p_drop * torch.log(p_drop) + (1 - p_drop) * torch.log1p(-p_drop)).mean()"),
    # 4.7 REINFORCE
    "score_function_grad: score of the keep probability": _score(score="keep / (1 - p_drop) - (1 - keep) / p_drop"),
    "score_function_grad: baseline ignored": _score(value="(losses[:, None] * score).mean(dim=0)"),
    "score_function_grad: baseline added": _score(value="((losses + baseline)[:, None] * score).mean(dim=0)"),
    "score_function_grad: sum over samples": _score(value="((losses - baseline)[:, None] * score).sum(dim=0)"),
    "score_function_grad: only the dropped units' term": _score(score="(1 - keep) / p_drop"),
    "score_function_grad: d P / d p instead of d log P / d p": _score(
        score="((1 - keep) / p_drop - keep / (1 - p_drop)) * (keep * (1 - p_drop) + (1 - keep) * p_drop).prod("
              "dim=1, keepdim=True)"),
    # 4.8 enumeration
    "exact_dropout_grad: gradient for the keep probability": _exact(sign="2 * masks[:, i] - 1"),
    "exact_dropout_grad: masks passed as drop masks": _exact(mask_arg="1 - masks"),
    "exact_dropout_grad: unweighted mean over masks": _exact(
        factors="torch.full_like(masks, 0.5)", sign="(1 - 2 * masks[:, i]) * 2 * 0.5"),
    "exact_dropout_grad: no limit on the number of units": _exact(limit="10**9"),
    "exact_dropout_grad: P(mask) with p as the keep probability": _exact(
        factors="masks * p_drop + (1 - masks) * (1 - p_drop)"),
    # Evasions of the closed-form rule, as students write them.
    "gd_weights: returns the released gd_weights_by_steps": {"gd_weights": '''
def gd_weights(X, y, lr, steps):
    return gd_weights_by_steps(X, y, lr, steps)
'''},
    "gd_weights: gd_weights_by_steps through sys.modules": {"gd_weights": '''
def gd_weights(X, y, lr, steps):
    import sys

    eigenvalues, V = torch.linalg.eigh(X.T @ X / X.shape[0])  # noqa: F841 (for show)
    return getattr(sys.modules[__name__], "gd_weights_" + "by_steps")(X, y, lr, steps)
'''},
    "gd_weights: the steps run by map over a range, no loop statement": {"gd_weights": '''
def gd_weights(X, y, lr, steps):
    w = [torch.zeros((X.shape[1],) + tuple(y.shape[1:]), dtype=X.dtype)]
    step = lambda _: w.append(w[-1] - lr * X.T @ (X @ w[-1] - y) / X.shape[0])  # noqa: E731
    list(map(step, range(steps)))
    return w[-1]
'''},
}
