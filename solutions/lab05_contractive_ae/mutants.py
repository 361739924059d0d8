"""Plausible wrong implementations of Lab 5's functions: name -> {function: replacement source}.
Every one must lose points."""

_PENALTY = '''
def cae_penalty(W, b, x, activation):
    _check_activation(activation)
    row_norms = {row_norms}
    if activation == "linear":
        return {linear}
    pre = x @ W.T + b
    if activation == "relu":
        slope2 = {relu}
    else:
        h = torch.sigmoid(pre)
        slope2 = {sigmoid}
    return {combine}
'''
_RIGHT = dict(row_norms="(W**2).sum(dim=1)", linear="row_norms.sum().expand(x.shape[0])",
              relu="(pre > 0).to(W.dtype)", sigmoid="(h * (1 - h)) ** 2", combine="slope2 @ row_norms")


def _penalty(**changes: str) -> dict[str, str]:
    return {"cae_penalty": _PENALTY.format(**{**_RIGHT, **changes})}


def _jacobian(body: str) -> dict[str, str]:
    return {"relu_jacobian": f'''
def relu_jacobian(W, b, x):
    pre = x @ W.T + b
{body}
'''}


_LOSS = '''
def {name}(x, W, b, c, lam, activation):
    pre = x @ W.T + b
    h = {{"linear": pre, "relu": torch.relu(pre), "sigmoid": torch.sigmoid(pre)}}[activation]
    rec = {rec}
    error = {error}
    return {total}
'''
_RIGHT_LOSS = dict(rec="h @ W + c", error="((x - rec) ** 2).sum(dim=1).mean()")


def _cae_loss(**changes: str) -> dict[str, str]:
    fields = {**_RIGHT_LOSS, "total": "error + lam * cae_penalty(W, b, x, activation).mean()", **changes}
    return {"cae_loss": _LOSS.format(name="cae_loss", **fields)}


def _wd_loss(**changes: str) -> dict[str, str]:
    fields = {**_RIGHT_LOSS, "total": "error + lam * (W**2).sum()", **changes}
    return {"weight_decay_loss": _LOSS.format(name="weight_decay_loss", **fields)}


def _ratio(value: str, moved: str = "x[:, None, :] + radius * directions[None]") -> dict[str, str]:
    return {"contraction_ratio": f'''
def contraction_ratio(encoder, x, radius, directions):
    moved = ({moved}).reshape(-1, x.shape[1])
    here = encoder(x)
    there = encoder(moved).reshape(x.shape[0], directions.shape[0], -1)
    diff = there - here[:, None, :]
    return {value}
'''}


def _autograd(body: str) -> dict[str, str]:
    return {"jacobian_penalty_autograd": f'''
def jacobian_penalty_autograd(encoder, x):
{body}
'''}


MUTANTS = {
    # Task 5.1
    "linear penalty: (sum W)^2 instead of sum W^2": {"linear_cae_penalty": '''
def linear_cae_penalty(W):
    return W.sum() ** 2
'''},
    "linear penalty: Frobenius norm not squared": {"linear_cae_penalty": '''
def linear_cae_penalty(W):
    return W.norm()
'''},
    "linear penalty: mean of W^2 instead of the sum": {"linear_cae_penalty": '''
def linear_cae_penalty(W):
    return (W**2).mean()
'''},
    "linear penalty: computed on a detached W (no gradient)": {"linear_cae_penalty": '''
def linear_cae_penalty(W):
    return (W.detach() ** 2).sum()
'''},
    # Task 5.2
    "relu Jacobian: mask taken from x instead of the pre-activation": _jacobian(
        "    return (x > 0).to(W.dtype)[:, None, :] * W[None]"),
    "relu Jacobian: relu'(0) = 1": _jacobian("    return (pre >= 0).to(W.dtype)[:, :, None] * W[None]"),
    "relu Jacobian: mask averaged over the batch": _jacobian(
        "    return (pre > 0).to(W.dtype).mean(0, keepdim=True)[:, :, None] * W[None].expand(x.shape[0], -1, -1)"),
    "relu Jacobian: mask ignores the bias": _jacobian("    return (x @ W.T > 0).to(W.dtype)[:, :, None] * W[None]"),
    "relu Jacobian: relu(pre) instead of relu'(pre)": _jacobian("    return torch.relu(pre)[:, :, None] * W[None]"),
    "relu Jacobian: transposed, (B, D, H)": _jacobian(
        "    return ((pre > 0).to(W.dtype)[:, :, None] * W[None]).transpose(1, 2)"),
    "relu Jacobian: torch.func instead of the closed form": _jacobian(
        "    return vmap(jacrev(lambda xi: torch.relu(W @ xi + b)))(x)"),
    # Task 5.3
    "penalty: (sum_i W_ji)^2 instead of sum_i W_ji^2": _penalty(row_norms="W.sum(dim=1) ** 2"),
    "penalty: on the decoder (W^T, no activation) instead of the encoder": _penalty(
        relu="torch.ones_like(pre)", sigmoid="torch.ones_like(pre)"),
    "penalty: norms over the wrong axis": _penalty(row_norms="(W**2).sum(dim=0)"),
    "penalty: ReLU mask taken from x": _penalty(relu="(x > 0).to(W.dtype)", combine=(
        "slope2 @ row_norms if activation == 'sigmoid' else slope2 @ (W**2).sum(dim=0)")),
    "penalty: ReLU mask averaged over the batch": _penalty(relu="(pre > 0).to(W.dtype).mean(0, keepdim=True)",
                                                          combine="(slope2 @ row_norms).expand(x.shape[0])"),
    "penalty: sigmoid derivative not squared": _penalty(sigmoid="h * (1 - h)"),
    "penalty: sigmoid derivative from the pre-activation": _penalty(sigmoid="(pre * (1 - pre)) ** 2"),
    "penalty: the bias inside the norm": _penalty(row_norms="(W**2).sum(dim=1) + b**2"),
    "penalty: a detached W (no gradient)": _penalty(row_norms="(W.detach() ** 2).sum(dim=1)"),
    "penalty: relu'(0) = 1": _penalty(relu="(pre >= 0).to(W.dtype)"),
    "penalty: mean over units instead of a sum": _penalty(linear="row_norms.mean().expand(x.shape[0])",
                                                         combine="(slope2 * row_norms).mean(dim=1)"),
    "penalty: linear case returns a scalar, not one value per example": _penalty(linear="row_norms.sum()"),
    "penalty: averaged over the batch": _penalty(linear="row_norms.sum()", combine="(slope2 @ row_norms).mean()"),
    "penalty: weight decay whatever the activation": _penalty(combine="row_norms.sum().expand(x.shape[0])"),
    "penalty: torch.func instead of the closed form": {"cae_penalty": '''
def cae_penalty(W, b, x, activation):
    _check_activation(activation)
    act = {"linear": lambda z: z, "relu": torch.relu, "sigmoid": torch.sigmoid}[activation]
    return vmap(jacrev(lambda xi: act(W @ xi + b)))(x).pow(2).sum(dim=(1, 2))
'''},
    "penalty: no error for an unknown activation (treated as sigmoid)": {"cae_penalty": _PENALTY.format(
        **_RIGHT).replace("    _check_activation(activation)\n", "")},
    # Task 5.4
    "autograd penalty: gradient of the summed output instead of the Jacobian": _autograd('''
    x = x.clone().requires_grad_()
    (g,) = torch.autograd.grad(encoder(x).sum(), x, create_graph=True)
    return (g**2).sum(dim=1)'''),
    "autograd penalty: no create_graph, so the encoder gets no gradient": _autograd('''
    x = x.clone().requires_grad_()
    h = encoder(x)
    total = torch.zeros(x.shape[0], dtype=x.dtype)
    for j in range(h.shape[1]):
        (g,) = torch.autograd.grad(h[:, j].sum(), x, retain_graph=True)
        total = total + (g**2).sum(dim=1)
    return total'''),
    "autograd penalty: Frobenius norm not squared": _autograd(
        "    return vmap(jacrev(lambda xi: encoder(xi[None])[0]))(x).flatten(1).norm(dim=1)"),
    "autograd penalty: jacrev of the whole batch, one number": _autograd(
        "    return jacrev(encoder)(x).pow(2).sum()"),
    "autograd penalty: mean over Jacobian entries instead of the sum": _autograd(
        "    return vmap(jacrev(lambda xi: encoder(xi[None])[0]))(x).pow(2).flatten(1).mean(dim=1)"),
    # Task 5.5
    "CAE loss: reconstruction error averaged over dimensions too": _cae_loss(error="((x - rec) ** 2).mean()"),
    "CAE loss: penalty summed over the batch": _cae_loss(total="error + lam * cae_penalty(W, b, x, activation).sum()"),
    "CAE loss: decoder bias forgotten": _cae_loss(rec="h @ W"),
    "CAE loss: reconstruction without the activation": _cae_loss(rec="pre @ W + c"),
    "CAE loss: decoder multiplies by W^T on the wrong side": _cae_loss(rec="h @ W.T + c"),
    "CAE loss: penalty taken at the reconstruction": _cae_loss(
        total="error + lam * cae_penalty(W, b, rec, activation).mean()"),
    "CAE loss: lambda ignored": _cae_loss(total="error + cae_penalty(W, b, x, activation).mean()"),
    "CAE loss: weight decay whatever the activation": _cae_loss(total="error + lam * (W**2).sum()"),
    "CAE loss: penalty with a detached W": _cae_loss(
        total="error + lam * cae_penalty(W.detach(), b, x, activation).mean()"),
    "weight decay: ||W||_F not squared": _wd_loss(total="error + lam * W.norm()"),
    "weight decay: biases decayed too": _wd_loss(total="error + lam * ((W**2).sum() + (b**2).sum() + (c**2).sum())"),
    "weight decay: lam / 2 ||W||^2 (torch.optim's convention)": _wd_loss(total="error + lam / 2 * (W**2).sum()"),
    "weight decay: the CAE penalty instead": _wd_loss(total="error + lam * cae_penalty(W, b, x, activation).mean()"),
    "weight decay: mean of W^2 instead of the sum": _wd_loss(total="error + lam * (W**2).mean()"),
    "weight decay: reconstruction error summed over the batch": _wd_loss(error="((x - rec) ** 2).sum()"),
    # Task 5.6
    "contraction ratio: squared distance": _ratio("(diff.norm(dim=-1) ** 2 / radius).mean()"),
    "contraction ratio: not divided by the radius": _ratio("diff.norm(dim=-1).mean()"),
    "contraction ratio: divided by the radius squared": _ratio("(diff.norm(dim=-1) / radius**2).mean()"),
    "contraction ratio: one norm over the whole batch": _ratio("diff.norm() / radius"),
    "contraction ratio: mean |difference| over units instead of the norm": _ratio(
        "(diff.abs().mean(dim=-1) / radius).mean()"),
    "contraction ratio: directions not scaled by the radius": _ratio("(diff.norm(dim=-1) / radius).mean()",
                                                                     moved="x[:, None, :] + directions[None]"),
    "contraction ratio: central difference f(x + r d) - f(x - r d)": _ratio(
        "((there - encoder((x[:, None, :] - radius * directions[None]).reshape(-1, x.shape[1]))"
        ".reshape(x.shape[0], directions.shape[0], -1)).norm(dim=-1) / radius).mean()"),
    # Evasions of the closed-form rule, as students write them.
    "relu Jacobian: vmap(jacrev) with ReLU written as z * (z > 0)": {"relu_jacobian": '''
def relu_jacobian(W, b, x):
    t = torch
    f = lambda v: (lambda z: z * (z > 0))(W @ v + b)  # noqa: E731
    return t.func.vmap(t.func.jacrev(f))(x)
'''},
    "penalty: jacrev imported from torch._functorch inside the function": {"cae_penalty": '''
def cae_penalty(W, b, x, activation):
    from torch._functorch.apis import vmap as batched
    from torch._functorch.eager_transforms import jacrev as jac

    _check_activation(activation)
    act = {"linear": lambda z: z, "relu": lambda z: z * (z > 0), "sigmoid": lambda z: 1 / (1 + (-z).exp())}[activation]
    return batched(jac(lambda v: act(W @ v + b)))(x).pow(2).sum(dim=(1, 2))
'''},
    "penalty: the autograd task's function called through a module alias": {"cae_penalty": '''
def cae_penalty(W, b, x, activation):
    import sys

    _check_activation(activation)
    me = sys.modules[__name__]
    if activation == "linear":
        return (W**2).sum().expand(x.shape[0])
    encoder = me.Encoder(W, b, activation)
    if activation == "relu":
        encoder.forward = lambda v: (lambda z: z * (z > 0))(v @ W.T + b)
    return me.jacobian_penalty_autograd(encoder, x)
'''},
}

# The sample class's partial student: the reference with these mutants.
SAMPLE_PARTIAL = ["penalty: sigmoid derivative not squared", "contraction ratio: not divided by the radius"]
