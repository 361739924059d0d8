"""Correct implementations of Lab 7's functions in the styles students write: name -> {function: replacement source}.
Every one must keep full marks (the mirror of mutants.py)."""

HONEST = {
    "closed form with a local named gradient_penalty": {"linear_critic_grad_w": '''
def linear_critic_grad_w(w, real, fake, lambda_gp):
    # d/dw of E[D(fake)] - E[D(real)]: the mean difference; the penalty (||w|| - 1)^2 gives 2 (||w|| - 1) w / ||w||
    gradient_penalty = 2 * lambda_gp * (1 - 1 / w.norm()) * w
    return fake.mean(dim=0) - real.mean(dim=0) + gradient_penalty
'''},
    "closed form with torch.linalg.vector_norm and in-place ops": {"linear_critic_grad_w": '''
def linear_critic_grad_w(w, real, fake, lambda_gp):
    from torch.linalg import vector_norm

    n = vector_norm(w)
    out = (w / n).mul_(2 * lambda_gp * (n - 1))
    out += fake.sum(0) / len(fake)
    out -= real.sum(0) / len(real)
    return out
'''},
    "gradient penalty with torch.autograd.grad imported inside and grad_outputs": {"gradient_penalty": '''
def gradient_penalty(critic, real, fake, eps=None):
    from torch.autograd import grad

    if eps is None:
        eps = torch.rand(real.shape[0], 1, dtype=real.dtype, device=real.device)
    xhat = torch.lerp(fake, real, eps)
    if not xhat.requires_grad:
        xhat.requires_grad_()
    out = critic(xhat)
    (g,) = grad(out, xhat, grad_outputs=torch.ones_like(out), create_graph=True)
    return ((torch.linalg.vector_norm(g.reshape(len(g), -1), dim=1) - 1) ** 2).mean()
'''},
    "critic loss with the penalty in a local of the same name": {"critic_loss": '''
def critic_loss(critic, real, fake, lambda_gp, eps=None):
    wasserstein = torch.mean(critic(fake)) - torch.mean(critic(real))
    penalty = gradient_penalty(critic, real, fake, eps)
    return wasserstein + lambda_gp * penalty
'''},
    "pack with view and divmod": {"pack": '''
def pack(x, m):
    groups, rest = divmod(x.shape[0], m) if m > 0 else (0, 1)
    if rest:
        raise ValueError(f"m={m} must divide the batch {x.shape[0]} / m={m} doit diviser le lot {x.shape[0]}")
    return x.contiguous().view(groups, m * x.shape[1])
'''},
    "mode coverage with explicit distances and a set": {"mode_coverage": '''
def mode_coverage(samples, centers, std):
    if len(samples) == 0:
        raise ValueError("no samples / aucun échantillon")
    d = ((samples.double()[:, None, :] - centers.double()[None, :, :]) ** 2).sum(-1).sqrt()
    nearest = d.argmin(dim=1)
    good = d.gather(1, nearest[:, None]).squeeze(1) <= 3 * std
    return len(set(nearest[good].tolist())), good.double().mean().item()
'''},
}
