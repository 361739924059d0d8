"""Correct implementations of Lab 5's functions in the styles students write: name -> {function: replacement source}.
Every one must keep full marks (the mirror of mutants.py)."""

HONEST = {
    "linear penalty with torch.linalg.matrix_norm squared": {"linear_cae_penalty": '''
def linear_cae_penalty(W):
    return torch.linalg.matrix_norm(W) ** 2
'''},
    "ReLU Jacobian with einsum and torch.heaviside": {"relu_jacobian": '''
def relu_jacobian(W, b, x):
    pre = torch.addmm(b, x, W.T)
    slope = torch.heaviside(pre.detach(), torch.zeros((), dtype=pre.dtype))  # relu'(0) = 0, a constant mask
    return torch.einsum("bh,hd->bhd", slope, W)
'''},
    "ReLU Jacobian looped over the batch with diag": {"relu_jacobian": '''
def relu_jacobian(W, b, x):
    rows = []
    for xi in x:
        mask = (W @ xi + b > 0).to(W.dtype)
        rows.append(torch.diag(mask) @ W)
    return torch.stack(rows)
'''},
    "penalty with a helper per activation and a local named like a module function": {"cae_penalty": '''
def _slope_squared(pre, activation):
    if activation == "relu":
        return (pre > 0).to(pre.dtype)
    s = pre.sigmoid()
    return (s - s * s).square()


def cae_penalty(W, b, x, activation):
    _check_activation(activation)
    jacobian_penalty_autograd = W.pow(2).sum(1)  # the row norms, named after the task they check
    if activation == "linear":
        return jacobian_penalty_autograd.sum() * torch.ones(x.shape[0], dtype=W.dtype)
    return _slope_squared(x @ W.T + b, activation) @ jacobian_penalty_autograd
'''},
    "penalty with torch.where and einsum, float64 throughout": {"cae_penalty": '''
def cae_penalty(W, b, x, activation):
    if activation not in ("linear", "relu", "sigmoid"):
        raise ValueError(f"unknown activation {activation!r} / activation inconnue {activation!r}")
    norms = torch.einsum("hd,hd->h", W, W)
    if activation == "linear":
        return norms.sum().repeat(x.shape[0])
    pre = x @ W.T + b
    if activation == "relu":
        d2 = torch.where(pre > 0, 1.0, 0.0).to(W.dtype)
    else:
        d2 = (torch.sigmoid(pre) * torch.sigmoid(-pre)) ** 2
    return torch.einsum("bh,h->b", d2, norms)
'''},
    "autograd penalty with torch.func imported inside": {"jacobian_penalty_autograd": '''
def jacobian_penalty_autograd(encoder, x):
    from torch import func

    jac = func.vmap(func.jacrev(lambda v: encoder(v.unsqueeze(0)).squeeze(0)))(x)
    return (jac**2).sum(dim=(1, 2))
'''},
    "CAE loss with F.mse_loss sum and an explicit decoder": {"cae_loss": '''
def cae_loss(x, W, b, c, lam, activation):
    import torch.nn.functional as F

    rec = Encoder(W, b, activation)(x) @ W + c
    error = F.mse_loss(rec, x, reduction="sum") / x.shape[0]
    return error + lam * torch.mean(cae_penalty(W, b, x, activation))
'''},
    "contraction ratio looped over the directions": {"contraction_ratio": '''
def contraction_ratio(encoder, x, radius, directions):
    here = encoder(x)
    ratios = [torch.linalg.vector_norm(encoder(x + radius * d) - here, dim=1) / radius for d in directions]
    return torch.stack(ratios).mean()
'''},
}
