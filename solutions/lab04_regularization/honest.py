"""Correct implementations of Lab 4's functions in the styles students write: name -> {function: replacement source}.
Every one must keep full marks (the mirror of mutants.py)."""

HONEST = {
    "filter with in-place ops": {"gd_filter": '''
def gd_filter(eigenvalues, lr, steps):
    shrink = (1 - lr * eigenvalues).pow(steps)
    return shrink.neg_().add_(1)
'''},
    "ridge filter with torch.div and a local named like a module function": {"ridge_filter": '''
def ridge_filter(eigenvalues, alpha):
    gd_filter = torch.div(eigenvalues, eigenvalues + alpha)  # the ridge counterpart of the GD filter
    return gd_filter
'''},
    "GD weights through a helper, with unsqueeze for several targets": {"gd_weights": '''
def _spectral_scale(eigenvalues, lr, steps):
    """filter(lambda) / lambda, and its limit lr * steps where lambda is 0."""
    zero = eigenvalues.abs() <= 1e-12 * eigenvalues.abs().max().clamp_min(1e-300)
    safe = eigenvalues.masked_fill(zero, 1.0)
    return torch.where(zero, lr * steps * torch.ones_like(eigenvalues), (1 - (1 - lr * safe) ** steps) / safe)


def gd_weights(X, y, lr, steps):
    n = len(X)
    lam, V = torch.linalg.eigh(X.T @ X / n)
    coef = _spectral_scale(lam, lr, steps)
    rhs = V.T @ (X.T @ y) / n
    if y.ndim == 2:
        coef = coef.unsqueeze(-1)
    return V @ (coef * rhs)
'''},
    "GD weights with torch.linalg imported inside and einsum": {"gd_weights": '''
def gd_weights(X, y, lr, steps):
    from torch import linalg

    n = X.shape[0]
    evals, evecs = linalg.eigh(torch.einsum("ni,nj->ij", X, X) / n)
    b = torch.einsum("ni,n...->i...", X, y) / n
    tiny = evals.abs() <= 1e-12 * evals.abs().max().clamp_min(1e-300)
    ratio = gd_filter(torch.where(tiny, 1.0, evals), lr, steps) / torch.where(tiny, 1.0, evals)
    ratio = torch.where(tiny, float(lr * steps), ratio)
    coords = torch.einsum("ij,i...->j...", evecs, b)
    return torch.einsum("ij,j...->i...", evecs, ratio.reshape(-1, *([1] * (y.dim() - 1))) * coords)
'''},
    "degrees of freedom with a local named gd_filter": {"effective_dof": '''
def effective_dof(eigenvalues, lr, steps):
    gd_filter = 1 - (1 - lr * eigenvalues) ** steps
    return torch.sum(gd_filter)
'''},
    "keep mask with torch.logit": {"relaxed_keep_mask": '''
def relaxed_keep_mask(p_drop, u, temperature):
    return torch.sigmoid(-(torch.logit(p_drop) + torch.logit(u)) / temperature)
'''},
    "regularizer with torch.special.entr": {"concrete_regularizer": '''
def concrete_regularizer(p_drop, row_sq_norms, weight_reg, dropout_reg):
    from torch.special import entr

    negative_entropy = -(entr(p_drop) + entr(1 - p_drop)).sum()
    return weight_reg * torch.sum(row_sq_norms / (1 - p_drop)) + dropout_reg * negative_entropy
'''},
    "score function with torch.where and a matrix product": {"score_function_grad": '''
def score_function_grad(p_drop, keep_masks, losses, baseline=0.0):
    dropped = keep_masks == 0
    score = torch.where(dropped, 1 / p_drop, -1 / (1 - p_drop))
    return (losses - baseline).to(p_drop.dtype) @ score / keep_masks.shape[0]
'''},
    "exact gradient from multilinearity, masks by bit arithmetic": {"exact_dropout_grad": '''
def _expected(p, masks, losses):
    return (losses * torch.where(masks.bool(), 1 - p, p).prod(dim=1)).sum()


def exact_dropout_grad(p_drop, loss_of_mask):
    n = len(p_drop)
    if n > MAX_EXACT_UNITS:
        raise ValueError(f"too many units for exact enumeration: {n} / trop d'unités pour l'énumération : {n}")
    masks = ((torch.arange(2**n)[:, None] >> torch.arange(n)) & 1).to(p_drop.dtype)
    losses = torch.as_tensor(loss_of_mask(masks), dtype=p_drop.dtype).reshape(-1)
    grad = torch.zeros_like(p_drop)
    for i in range(n):  # E is affine in p_i: its slope is E[loss | i dropped] - E[loss | i kept]
        grad[i] = _expected(torch.cat([p_drop[:i], p_drop.new_ones(1), p_drop[i + 1:]]), masks, losses) - \\
            _expected(torch.cat([p_drop[:i], p_drop.new_zeros(1), p_drop[i + 1:]]), masks, losses)
    return _expected(p_drop, masks, losses), grad
'''},
    "dropout forward with reciprocal and an explicit eval branch": {"ConcreteDropout.forward": '''
def forward(self, x, u=None):
    if self.training:
        noise = u if u is not None else torch.rand_like(x).clamp(1e-7, 1 - 1e-7)
        p = torch.clamp(self.p, 1e-6, 1 - 1e-6)
        return x * relaxed_keep_mask(p, noise, self.temperature) * torch.reciprocal(1 - p)
    return x
'''},
}
