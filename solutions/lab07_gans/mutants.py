"""Plausible wrong implementations of Lab 7's functions: name -> {function: replacement source}.
Every one must lose points."""

_PENALTY = '''
def gradient_penalty(critic, real, fake, eps=None):
    if eps is None:
        eps = {eps}
    xhat = {xhat}
    if not xhat.requires_grad:
        xhat.requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(xhat).sum(), xhat, create_graph={create_graph})
    return {value}
'''
_RIGHT = dict(eps="torch.rand(real.shape[0], 1, dtype=real.dtype)", xhat="eps * real + (1 - eps) * fake",
              create_graph="True", value="((grad.flatten(1).norm(2, dim=1) - 1) ** 2).mean()")


def _penalty(**changes: str) -> dict[str, str]:
    return {"gradient_penalty": _PENALTY.format(**{**_RIGHT, **changes})}


def _closed_form(body: str) -> dict[str, str]:
    return {"linear_critic_grad_w": f'''
def linear_critic_grad_w(w, real, fake, lambda_gp):
    norm = w.norm()
    return {body}
'''}


def _coverage(good: str, count: str = "nearest[good].unique().numel()") -> dict[str, str]:
    return {"mode_coverage": f'''
def mode_coverage(samples, centers, std):
    if samples.shape[0] == 0:
        raise ValueError("no samples")
    distance, nearest = torch.cdist(samples.double(), centers.double()).min(dim=1)
    good = {good}
    return int({count}), float(good.double().mean())
'''}


MUTANTS = {
    "ring: first mode at angle pi / modes": {"ring_of_gaussians": '''
def ring_of_gaussians(n, modes=8, radius=1.0, std=0.01, generator=None):
    angles = 2 * math.pi * (torch.arange(modes, dtype=torch.float64) + 0.5) / modes
    centers = (radius * torch.stack([angles.cos(), angles.sin()], dim=1)).float()
    which = torch.randint(0, modes, (n,), generator=generator)
    return centers[which] + std * torch.randn(n, 2, generator=generator), centers
'''},
    "ring: std used as a variance": {"ring_of_gaussians": '''
def ring_of_gaussians(n, modes=8, radius=1.0, std=0.01, generator=None):
    angles = 2 * math.pi * torch.arange(modes, dtype=torch.float64) / modes
    centers = (radius * torch.stack([angles.cos(), angles.sin()], dim=1)).float()
    which = torch.randint(0, modes, (n,), generator=generator)
    return centers[which] + std**0.5 * torch.randn(n, 2, generator=generator), centers
'''},
    "ring: linspace puts the last mode on the first": {"ring_of_gaussians": '''
def ring_of_gaussians(n, modes=8, radius=1.0, std=0.01, generator=None):
    angles = torch.linspace(0, 2 * math.pi, modes, dtype=torch.float64)
    centers = (radius * torch.stack([angles.cos(), angles.sin()], dim=1)).float()
    which = torch.randint(0, modes, (n,), generator=generator)
    return centers[which] + std * torch.randn(n, 2, generator=generator), centers
'''},
    "grid: last mode never drawn": {"grid_of_gaussians": '''
def grid_of_gaussians(n, side=5, spacing=2.0, std=0.05, generator=None):
    axis = spacing * (torch.arange(side, dtype=torch.float32) - (side - 1) / 2)
    centers = torch.cartesian_prod(axis, axis)
    which = torch.randint(0, side * side - 1, (n,), generator=generator)
    return centers[which] + std * torch.randn(n, 2, generator=generator), centers
'''},
    "grid: the same noise on both coordinates": {"grid_of_gaussians": '''
def grid_of_gaussians(n, side=5, spacing=2.0, std=0.05, generator=None):
    axis = spacing * (torch.arange(side, dtype=torch.float32) - (side - 1) / 2)
    centers = torch.cartesian_prod(axis, axis)
    which = torch.randint(0, side * side, (n,), generator=generator)
    return centers[which] + std * torch.randn(n, 1, generator=generator), centers
'''},
    "grid: not centred on the origin": {"grid_of_gaussians": '''
def grid_of_gaussians(n, side=5, spacing=2.0, std=0.05, generator=None):
    axis = spacing * torch.arange(side, dtype=torch.float32)
    centers = torch.cartesian_prod(axis, axis)
    which = torch.randint(0, side * side, (n,), generator=generator)
    return centers[which] + std * torch.randn(n, 2, generator=generator), centers
'''},
    "ring: modes assigned in turn, not drawn": {"ring_of_gaussians": '''
def ring_of_gaussians(n, modes=8, radius=1.0, std=0.01, generator=None):
    angles = 2 * math.pi * torch.arange(modes, dtype=torch.float64) / modes
    centers = (radius * torch.stack([angles.cos(), angles.sin()], dim=1)).float()
    which = torch.arange(n) % modes
    return centers[which] + std * torch.randn(n, 2, generator=generator), centers
'''},
    "ring: float64 samples and centers": {"ring_of_gaussians": '''
def ring_of_gaussians(n, modes=8, radius=1.0, std=0.01, generator=None):
    angles = 2 * math.pi * torch.arange(modes, dtype=torch.float64) / modes
    centers = radius * torch.stack([angles.cos(), angles.sin()], dim=1)
    which = torch.randint(0, modes, (n,), generator=generator)
    return centers[which] + std * torch.randn(n, 2, generator=generator, dtype=torch.float64), centers
'''},
    "grid: modes assigned in turn, not drawn": {"grid_of_gaussians": '''
def grid_of_gaussians(n, side=5, spacing=2.0, std=0.05, generator=None):
    axis = spacing * (torch.arange(side, dtype=torch.float32) - (side - 1) / 2)
    centers = torch.cartesian_prod(axis, axis)
    which = torch.arange(n) % (side * side)
    return centers[which] + std * torch.randn(n, 2, generator=generator), centers
'''},
    "grid: equal counts per mode, shuffled": {"grid_of_gaussians": '''
def grid_of_gaussians(n, side=5, spacing=2.0, std=0.05, generator=None):
    axis = spacing * (torch.arange(side, dtype=torch.float32) - (side - 1) / 2)
    centers = torch.cartesian_prod(axis, axis)
    which = torch.randperm(n, generator=generator) % (side * side)
    return centers[which] + std * torch.randn(n, 2, generator=generator), centers
'''},
    "grid: float64 samples": {"grid_of_gaussians": '''
def grid_of_gaussians(n, side=5, spacing=2.0, std=0.05, generator=None):
    axis = spacing * (torch.arange(side, dtype=torch.float64) - (side - 1) / 2)
    centers = torch.cartesian_prod(axis, axis).float()
    which = torch.randint(0, side * side, (n,), generator=generator)
    return centers[which].double() + std * torch.randn(n, 2, generator=generator, dtype=torch.float64), centers
'''},
    "linear critic: bias of shape (1,) broadcasts the output": {"LinearCritic.__init__": '''
def __init__(self, dim):
    super().__init__()
    self.w = nn.Parameter(torch.randn(dim, 1) / math.sqrt(dim))
    self.b = nn.Parameter(torch.zeros(1))
'''},
    "gradient penalty: one eps shared by the whole batch": _penalty(eps="torch.rand(1, 1, dtype=real.dtype)"),
    "gradient penalty: taken at the real points": _penalty(xhat="real.clone()"),
    "gradient penalty: taken at the generated points": _penalty(xhat="fake.clone()"),
    "gradient penalty: eps and 1 - eps swapped": _penalty(xhat="eps * fake + (1 - eps) * real"),
    "gradient penalty: ||g||^2 instead of (||g|| - 1)^2": _penalty(value="(grad.flatten(1).norm(2, dim=1) ** 2).mean()"),
    "gradient penalty: one norm over the whole batch": _penalty(value="(grad.norm(2) - 1) ** 2"),
    "gradient penalty: summed over the batch": _penalty(value="((grad.flatten(1).norm(2, dim=1) - 1) ** 2).sum()"),
    "gradient penalty: not differentiable w.r.t. the critic": _penalty(create_graph="False"),
    "gradient penalty: eps drawn per coordinate": _penalty(eps="torch.rand_like(real)"),
    "gradient penalty: |g| - 1 not squared": _penalty(value="(grad.flatten(1).norm(2, dim=1) - 1).abs().mean()"),
    "gradient penalty: one-sided, max(0, ||g|| - 1)^2": _penalty(
        value="((grad.flatten(1).norm(2, dim=1) - 1).clamp(min=0) ** 2).mean()"),
    "gradient penalty: gradient of the batch mean of D": {"gradient_penalty": _PENALTY.format(**_RIGHT).replace(
        "critic(xhat).sum()", "critic(xhat).mean()")},
    "critic loss: penalty subtracted": {"critic_loss": '''
def critic_loss(critic, real, fake, lambda_gp, eps=None):
    return critic(fake).mean() - critic(real).mean() - lambda_gp * gradient_penalty(critic, real, fake, eps)
'''},
    "critic loss: sums instead of means": {"critic_loss": '''
def critic_loss(critic, real, fake, lambda_gp, eps=None):
    return critic(fake).sum() - critic(real).sum() + lambda_gp * gradient_penalty(critic, real, fake, eps)
'''},
    "critic loss: sign of the Wasserstein term flipped": {"critic_loss": '''
def critic_loss(critic, real, fake, lambda_gp, eps=None):
    return critic(real).mean() - critic(fake).mean() + lambda_gp * gradient_penalty(critic, real, fake, eps)
'''},
    "critic loss: lambda ignored": {"critic_loss": '''
def critic_loss(critic, real, fake, lambda_gp, eps=None):
    return critic(fake).mean() - critic(real).mean() + gradient_penalty(critic, real, fake, eps)
'''},
    "closed form: sign of the mean difference flipped": _closed_form(
        "real.mean(0) - fake.mean(0) + 2 * lambda_gp * (norm - 1) * w / norm"),
    "closed form: without the w / ||w|| factor": _closed_form("fake.mean(0) - real.mean(0) + 2 * lambda_gp * (norm - 1)"),
    "closed form: w instead of w / ||w||": _closed_form("fake.mean(0) - real.mean(0) + 2 * lambda_gp * (norm - 1) * w"),
    "closed form: the (||w|| - 1) factor dropped": _closed_form("fake.mean(0) - real.mean(0) + 2 * lambda_gp * w / norm"),
    "closed form: the penalty's factor 2 dropped": _closed_form(
        "fake.mean(0) - real.mean(0) + lambda_gp * (norm - 1) * w / norm"),
    "closed form: penalty term with the wrong sign": _closed_form(
        "fake.mean(0) - real.mean(0) - 2 * lambda_gp * (norm - 1) * w / norm"),
    "closed form: batch sums instead of means": _closed_form(
        "fake.sum(0) - real.sum(0) + 2 * lambda_gp * (norm - 1) * w / norm"),
    "closed form: lambda ignored": _closed_form("fake.mean(0) - real.mean(0) + 2 * (norm - 1) * w / norm"),
    "closed form: autograd through critic_loss": {"linear_critic_grad_w": '''
def linear_critic_grad_w(w, real, fake, lambda_gp):
    critic = LinearCritic(w.shape[0]).to(w.dtype)
    with torch.no_grad():
        critic.w.copy_(w)
    (grad,) = torch.autograd.grad(critic_loss(critic, real, fake, lambda_gp), critic.w)
    return grad.detach()
'''},
    "pack: groups samples i, i + B/m, ... (wrong axis)": {"pack": '''
def pack(x, m):
    if m < 1 or x.shape[0] % m:
        raise ValueError("m must divide the batch size")
    return x.reshape(m, x.shape[0] // m, x.shape[1]).transpose(0, 1).reshape(x.shape[0] // m, m * x.shape[1])
'''},
    "pack: features interleaved across the group": {"pack": '''
def pack(x, m):
    if m < 1 or x.shape[0] % m:
        raise ValueError("m must divide the batch")
    return x.reshape(x.shape[0] // m, m, x.shape[1]).transpose(1, 2).reshape(x.shape[0] // m, -1)
'''},
    "pack: no error when m does not divide the batch": {"pack": '''
def pack(x, m):
    n = x.shape[0] // m
    return x[: n * m].reshape(n, m * x.shape[1])
'''},
    "mode coverage: every sample counts towards a mode": _coverage("distance <= 3 * std", "nearest.unique().numel()"),
    "mode coverage: number of high-quality samples instead of their fraction": {"mode_coverage": '''
def mode_coverage(samples, centers, std):
    if samples.shape[0] == 0:
        raise ValueError("no samples")
    distance, nearest = torch.cdist(samples.double(), centers.double()).min(dim=1)
    good = distance <= 3 * std
    return int(nearest[good].unique().numel()), float(good.sum())
'''},
    "mode coverage: three variances instead of three std": _coverage("distance <= 3 * std**2"),
    "mode coverage: largest coordinate instead of the Euclidean distance": _coverage(
        "(samples.double() - centers.double()[nearest]).abs().max(dim=1).values <= 3 * std"),
    # Evasions of the closed-form rule, as students write them.
    "closed form: torch.func.grad through a local alias of torch": {"linear_critic_grad_w": '''
def linear_critic_grad_w(w, real, fake, lambda_gp):
    t = torch
    loss = lambda v: (fake @ v).mean() - (real @ v).mean() + lambda_gp * (v.norm() - 1) ** 2  # noqa: E731
    return t.func.grad(loss)(w)
'''},
    "closed form: grad imported from torch._functorch inside the function": {"linear_critic_grad_w": '''
def linear_critic_grad_w(w, real, fake, lambda_gp):
    from torch._functorch.apis import grad

    return grad(lambda v: (fake @ v).mean() - (real @ v).mean() + lambda_gp * (v.norm() - 1) ** 2)(w)
'''},
    "closed form: torch.autograd.grad reached through sys.modules and __dict__": {"linear_critic_grad_w": '''
def linear_critic_grad_w(w, real, fake, lambda_gp):
    import sys

    ag = sys.modules["torch"].__dict__["autograd"]
    v = w.detach().clone()
    v.__setattr__("requires" + "_grad", True)
    loss = (fake @ v).mean() - (real @ v).mean() + lambda_gp * (v.norm() - 1) ** 2
    return ag.__dict__["grad"](loss, v)[0]
'''},
}

# The sample class's partial student: the reference with these mutants.
SAMPLE_PARTIAL = ["gradient penalty: one eps shared by the whole batch", "closed form: without the w / ||w|| factor"]
