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


def _mistake(en: str, fr: str, hint_en: str, hint_fr: str) -> dict[str, str]:
    return {"en": en, "fr": fr, "hint_en": hint_en, "hint_fr": hint_fr}


# Descriptions shared by mutants that make the same mistake.
_MODES_NOT_DRAWN = _mistake(
    "each mode gets a fixed share of the samples instead of each sample drawing its mode independently at random",
    "chaque mode reçoit une part fixe des échantillons au lieu que chaque échantillon tire son mode au hasard, "
    "indépendamment des autres",
    "In independent draws of 8 samples from 8 equally likely modes, how often does every mode appear exactly once?",
    "En 8 tirages indépendants parmi 8 modes équiprobables, à quelle fréquence chaque mode apparaît-il exactement "
    "une fois ?")
_FLOAT64 = _mistake(
    "returns float64 tensors where the task asks for float32",
    "renvoie des tenseurs float64 là où l'énoncé demande du float32",
    "Which dtype does Task 7.1 ask for the samples and the centers, and which does yours return?",
    "Quel dtype la tâche 7.1 demande-t-elle pour les échantillons et les centres, et lequel renvoyez-vous ?")
_GRAD_AUTOGRAD = _mistake(
    "computes the gradient with autograd where question 7(b) asks for the closed form",
    "calcule le gradient par différentiation automatique (autograd) alors que la question 7(b) demande la forme "
    "close",
    "What does Task 7.5 say about autograd, and what is ∇_w of each term of L when D(x) = w^T x + b?",
    "Que dit la tâche 7.5 de l'autograd, et que vaut ∇_w de chaque terme de L quand D(x) = w^T x + b ?")

MISTAKES = {
    # Task 7.1
    "ring: first mode at angle pi / modes": _mistake(
        "the means are rotated by half a step: mode k sits at angle 2π(k + ½)/modes",
        "les moyennes sont tournées d'un demi-pas : le mode k est à l'angle 2π(k + ½)/modes",
        "At which angle does the task put mean 0 on the circle?",
        "À quel angle l'énoncé place-t-il la moyenne 0 sur le cercle ?"),
    "ring: std used as a variance": _mistake(
        "std is used as a variance: the noise's standard deviation becomes √std",
        "std est utilisé comme une variance : l'écart-type du bruit devient √std",
        "Multiplying N(0, 1) noise by a factor c gives which standard deviation?",
        "Multiplier un bruit N(0, 1) par un facteur c donne quel écart-type ?"),
    "ring: linspace puts the last mode on the first": _mistake(
        "the angles run from 0 to 2π inclusive, so the last mode lands on the first",
        "les angles vont de 0 à 2π inclus : le dernier mode tombe sur le premier",
        "Are the angles 0 and 2π the same point of the circle?",
        "Les angles 0 et 2π désignent-ils le même point du cercle ?"),
    "grid: last mode never drawn": _mistake(
        "the last mode of the grid is never drawn",
        "le dernier mode de la grille n'est jamais tiré",
        "torch.randint(low, high) excludes high: which modes can your draw return?",
        "torch.randint(low, high) exclut high : quels modes votre tirage peut-il renvoyer ?"),
    "grid: the same noise on both coordinates": _mistake(
        "one noise value shifts both coordinates, so the noise is not isotropic",
        "une même valeur de bruit décale les deux coordonnées : le bruit n'est pas isotrope",
        "Does each coordinate of a sample get its own independent noise?",
        "Chaque coordonnée d'un échantillon reçoit-elle son propre bruit indépendant ?"),
    "grid: not centred on the origin": _mistake(
        "the grid is not centred on the origin",
        "la grille n'est pas centrée sur l'origine",
        "With the default arguments, are your means {-4, -2, 0, 2, 4}²?",
        "Avec les arguments par défaut, vos moyennes sont-elles {-4, -2, 0, 2, 4}² ?"),
    "ring: modes assigned in turn, not drawn": _MODES_NOT_DRAWN,
    "ring: float64 samples and centers": _FLOAT64,
    "grid: modes assigned in turn, not drawn": _MODES_NOT_DRAWN,
    "grid: equal counts per mode, shuffled": _MODES_NOT_DRAWN,
    "grid: float64 samples": _FLOAT64,
    # Task 7.2
    "linear critic: bias of shape (1,) broadcasts the output": _mistake(
        "w is a column (dim, 1) and b has shape (1,), so the critic's output is (B, 1) instead of (B,)",
        "w est une colonne (dim, 1) et b est de forme (1,) : la sortie du critique est (B, 1) au lieu de (B,)",
        "Which shapes does Task 7.2 ask for w, b and the output of forward?",
        "Quelles formes la tâche 7.2 demande-t-elle pour w, b et la sortie de forward ?"),
    # Task 7.3
    "gradient penalty: one eps shared by the whole batch": _mistake(
        "one interpolation coefficient eps is drawn for the whole batch instead of one per sample",
        "un seul coefficient d'interpolation eps est tiré pour tout le lot au lieu d'un pour chaque exemple",
        "What shape does the eps you draw have, and what shape does the task ask for?",
        "Quelle forme a le eps que vous tirez, et quelle forme l'énoncé demande-t-il ?"),
    "gradient penalty: taken at the real points": _mistake(
        "the gradient penalty is taken at the real samples instead of at points interpolated between real and "
        "generated samples",
        "la pénalité de gradient est évaluée aux exemples réels au lieu de l'être en des points interpolés entre "
        "exemples réels et générés",
        "At which points x̂ does WGAN-GP evaluate the critic's gradient?",
        "En quels points x̂ WGAN-GP évalue-t-il le gradient du critique ?"),
    "gradient penalty: taken at the generated points": _mistake(
        "the gradient penalty is taken at the generated samples instead of at points interpolated between real and "
        "generated samples",
        "la pénalité de gradient est évaluée aux exemples générés au lieu de l'être en des points interpolés entre "
        "exemples réels et générés",
        "At which points x̂ does WGAN-GP evaluate the critic's gradient?",
        "En quels points x̂ WGAN-GP évalue-t-il le gradient du critique ?"),
    "gradient penalty: eps and 1 - eps swapped": _mistake(
        "eps weights the generated sample and 1 - eps the real one, the reverse of the task's interpolation",
        "eps pondère l'exemple généré et 1 - eps l'exemple réel, l'inverse de l'interpolation de l'énoncé",
        "In the task's x̂ = eps * real + (1 - eps) * fake, which sample does eps weight?",
        "Dans le x̂ = eps * real + (1 - eps) * fake de l'énoncé, quel exemple eps pondère-t-il ?"),
    "gradient penalty: ||g||^2 instead of (||g|| - 1)^2": _mistake(
        "the penalty is the squared gradient norm, pushing it toward 0 instead of toward 1",
        "la pénalité est le carré de la norme du gradient, qu'elle pousse vers 0 au lieu de 1",
        "Toward which value does WGAN-GP push the norm of the critic's gradient?",
        "Vers quelle valeur WGAN-GP pousse-t-il la norme du gradient du critique ?"),
    "gradient penalty: one norm over the whole batch": _mistake(
        "one norm is taken over the whole batch's gradients instead of one norm per sample",
        "une seule norme est prise sur les gradients de tout le lot au lieu d'une norme pour chaque exemple",
        "Is the penalty the batch mean of (||g_i|| - 1)², or one norm of all the gradients together?",
        "La pénalité est-elle la moyenne sur le lot de (||g_i|| - 1)², ou une seule norme de tous les gradients ?"),
    "gradient penalty: summed over the batch": _mistake(
        "the penalty is summed over the batch instead of averaged",
        "la pénalité est sommée sur le lot au lieu d'être moyennée",
        "The exam's penalty is an expectation over x̂: is yours a sum or a mean over the batch?",
        "La pénalité de l'examen est une espérance sur x̂ : la vôtre est-elle une somme ou une moyenne sur le lot ?"),
    "gradient penalty: not differentiable w.r.t. the critic": _mistake(
        "the critic's gradient is computed without keeping its graph, so the penalty gives the critic's parameters no "
        "gradient",
        "le gradient du critique est calculé sans garder son graphe : la pénalité ne donne aucun gradient aux "
        "paramètres du critique",
        "The penalty is part of the critic's loss: does backpropagating it reach the critic's parameters?",
        "La pénalité fait partie du coût du critique : sa rétropropagation atteint-elle les paramètres du critique ?"),
    "gradient penalty: eps drawn per coordinate": _mistake(
        "eps is drawn per coordinate, so x̂ is no longer on the segment between a real and a generated sample",
        "eps est tiré par coordonnée : x̂ n'est plus sur le segment entre un exemple réel et un exemple généré",
        "With a different eps for each coordinate, does x̂ still lie on the line through real and fake?",
        "Avec un eps différent par coordonnée, x̂ est-il encore sur la droite qui passe par real et fake ?"),
    "gradient penalty: |g| - 1 not squared": _mistake(
        "the penalty takes |‖g‖ - 1| where the exam squares ‖g‖ - 1",
        "la pénalité prend |‖g‖ - 1| alors que l'examen élève ‖g‖ - 1 au carré",
        "In λ E[(||∇D(x̂)||_2 - 1)²], which power of (||∇D|| - 1) appears?",
        "Dans λ E[(||∇D(x̂)||_2 - 1)²], quelle puissance de (||∇D|| - 1) apparaît ?"),
    "gradient penalty: one-sided, max(0, ||g|| - 1)^2": _mistake(
        "the penalty is one-sided: gradient norms below 1 are not penalised",
        "la pénalité est unilatérale : les normes de gradient inférieures à 1 ne sont pas pénalisées",
        "Does the exam's (||∇D|| - 1)² penalise a gradient norm of 0.5?",
        "Le (||∇D|| - 1)² de l'examen pénalise-t-il une norme de gradient de 0,5 ?"),
    "gradient penalty: gradient of the batch mean of D": _mistake(
        "differentiates the batch mean of D, which divides each sample's gradient by the batch size",
        "dérive la moyenne de D sur le lot, ce qui divise le gradient de chaque exemple par la taille du lot",
        "What is ∂/∂x̂_j of (1/B) Σ_i D(x̂_i), compared with ∇D(x̂_j)?",
        "Que vaut ∂/∂x̂_j de (1/B) Σ_i D(x̂_i), comparé à ∇D(x̂_j) ?"),
    # Task 7.4
    "critic loss: penalty subtracted": _mistake(
        "the gradient penalty is subtracted from the loss instead of added",
        "la pénalité de gradient est soustraite du coût au lieu d'y être ajoutée",
        "The critic minimises L: should a large penalty raise or lower L?",
        "Le critique minimise L : une forte pénalité doit-elle augmenter ou diminuer L ?"),
    "critic loss: sums instead of means": _mistake(
        "the Wasserstein term uses batch sums where the exam's loss takes expectations (means)",
        "le terme de Wasserstein utilise des sommes sur le lot là où le coût de l'examen prend des espérances "
        "(moyennes)",
        "On a batch, is E[D(x̃)] estimated by a sum or by a mean?",
        "Sur un lot, E[D(x̃)] s'estime-t-elle par une somme ou par une moyenne ?"),
    "critic loss: sign of the Wasserstein term flipped": _mistake(
        "the Wasserstein term has the wrong sign: E[D(real)] - E[D(fake)]",
        "le terme de Wasserstein a le mauvais signe : E[D(real)] - E[D(fake)]",
        "The critic minimises L: should it raise its score on the real samples or on the generated ones?",
        "Le critique minimise L : doit-il augmenter son score sur les exemples réels ou sur les exemples générés ?"),
    "critic loss: lambda ignored": _mistake(
        "the gradient penalty is added without its weight λ",
        "la pénalité de gradient est ajoutée sans son coefficient λ",
        "Where does lambda_gp enter your loss?",
        "Où lambda_gp intervient-il dans votre coût ?"),
    # Task 7.5
    "closed form: sign of the mean difference flipped": _mistake(
        "the gradient of the Wasserstein term has the wrong sign: mean(real) - mean(fake)",
        "le gradient du terme de Wasserstein a le mauvais signe : mean(real) - mean(fake)",
        "∇_w of E[w^T x̃] - E[w^T x]: which mean comes with the plus sign?",
        "∇_w de E[w^T x̃] - E[w^T x] : quelle moyenne porte le signe plus ?"),
    "closed form: without the w / ||w|| factor": _mistake(
        "the penalty's gradient leaves out ∇_w ||w||: a scalar is added to every coordinate instead of a vector along w",
        "le gradient de la pénalité omet ∇_w ||w|| : un scalaire est ajouté à chaque coordonnée au lieu d'un vecteur "
        "selon w",
        "Differentiating (||w|| - 1)² by the chain rule, what is the gradient of the inner function ||w||?",
        "En dérivant (||w|| - 1)² par la règle de dérivation en chaîne, quel est le gradient de la fonction "
        "intérieure ||w|| ?"),
    "closed form: w instead of w / ||w||": _mistake(
        "takes w as the gradient of ||w||",
        "prend w comme gradient de ||w||",
        "Is ∇_w ||w|| equal to w, or to w divided by something?",
        "∇_w ||w|| est-il égal à w, ou à w divisé par quelque chose ?"),
    "closed form: the (||w|| - 1) factor dropped": _mistake(
        "the factor (||w|| - 1) from differentiating the square is missing from the penalty's gradient",
        "le facteur (||w|| - 1) issu de la dérivée du carré manque dans le gradient de la pénalité",
        "By the chain rule, d/dw (||w|| - 1)² is 2 times what, times ∇_w ||w||?",
        "Par la règle de dérivation en chaîne, d/dw (||w|| - 1)² vaut 2 fois quoi, fois ∇_w ||w|| ?"),
    "closed form: the penalty's factor 2 dropped": _mistake(
        "the factor 2 from differentiating the square is missing from the penalty's gradient",
        "le facteur 2 issu de la dérivée du carré manque dans le gradient de la pénalité",
        "What is the derivative of u² with respect to u?",
        "Quelle est la dérivée de u² par rapport à u ?"),
    "closed form: penalty term with the wrong sign": _mistake(
        "the penalty's gradient has the wrong sign",
        "le gradient de la pénalité a le mauvais signe",
        "The penalty is added to L: with ||w|| > 1, should its gradient point along w or against it?",
        "La pénalité est ajoutée à L : avec ||w|| > 1, son gradient doit-il pointer dans le sens de w ou à l'opposé ?"),
    "closed form: batch sums instead of means": _mistake(
        "the Wasserstein term's gradient uses batch sums where the loss takes means",
        "le gradient du terme de Wasserstein utilise des sommes sur le lot là où le coût prend des moyennes",
        "L holds E[D(x̃)] - E[D(x)], estimated by batch means: what is the gradient of a mean of w^T x_i?",
        "L contient E[D(x̃)] - E[D(x)], estimées par des moyennes sur le lot : quel est le gradient d'une moyenne des "
        "w^T x_i ?"),
    "closed form: lambda ignored": _mistake(
        "the penalty's gradient is missing its weight λ",
        "le gradient de la pénalité n'a pas son coefficient λ",
        "Where does lambda_gp enter your gradient?",
        "Où lambda_gp intervient-il dans votre gradient ?"),
    "closed form: autograd through critic_loss": _GRAD_AUTOGRAD,
    # Task 7.6
    "pack: groups samples i, i + B/m, ... (wrong axis)": _mistake(
        "groups samples i, i + B/m, i + 2B/m, ... instead of consecutive samples",
        "regroupe les exemples i, i + B/m, i + 2B/m, ... au lieu d'exemples consécutifs",
        "Which samples should row 0 of the packed batch hold?",
        "Quels exemples la ligne 0 du lot regroupé doit-elle contenir ?"),
    "pack: features interleaved across the group": _mistake(
        "the group's coordinates are interleaved instead of placing whole samples side by side",
        "les coordonnées du groupe sont entrelacées au lieu de placer les exemples entiers côte à côte",
        "Does row i start with all D coordinates of sample m*i, in order?",
        "La ligne i commence-t-elle par les D coordonnées de l'exemple m*i, dans l'ordre ?"),
    "pack: no error when m does not divide the batch": _mistake(
        "drops the leftover samples silently instead of raising ValueError when m does not divide the batch",
        "abandonne en silence les exemples en trop au lieu de lever ValueError quand m ne divise pas le lot",
        "What should pack do with a batch of 10 samples and m = 3?",
        "Que doit faire pack avec un lot de 10 exemples et m = 3 ?"),
    "mode coverage: every sample counts towards a mode": _mistake(
        "every sample counts toward capturing a mode, not only the high-quality ones",
        "tout échantillon compte pour capturer un mode, pas seulement ceux de haute qualité",
        "Is a mode captured by a sample far from it, beyond 3 standard deviations?",
        "Un mode est-il capturé par un échantillon éloigné de plus de 3 écarts-types ?"),
    "mode coverage: number of high-quality samples instead of their fraction": _mistake(
        "returns the number of high-quality samples instead of their fraction",
        "renvoie le nombre d'échantillons de haute qualité au lieu de leur fraction",
        "Should the second value stay between 0 and 1 whatever the number of samples?",
        "La seconde valeur doit-elle rester entre 0 et 1 quel que soit le nombre d'échantillons ?"),
    "mode coverage: three variances instead of three std": _mistake(
        "the high-quality threshold is three variances instead of three standard deviations",
        "le seuil de haute qualité est de trois variances au lieu de trois écarts-types",
        "std is a standard deviation: which distance does the task's threshold allow?",
        "std est un écart-type : quelle distance le seuil de l'énoncé autorise-t-il ?"),
    "mode coverage: largest coordinate instead of the Euclidean distance": _mistake(
        "the distance to the center is the largest coordinate difference instead of the Euclidean distance",
        "la distance au centre est le plus grand écart de coordonnées au lieu de la distance euclidienne",
        "Which distance does the task use to call a sample high quality?",
        "Quelle distance l'énoncé utilise-t-il pour dire qu'un échantillon est de haute qualité ?"),
    # Evasions of the closed-form rule.
    "closed form: torch.func.grad through a local alias of torch": _GRAD_AUTOGRAD,
    "closed form: grad imported from torch._functorch inside the function": _GRAD_AUTOGRAD,
    "closed form: torch.autograd.grad reached through sys.modules and __dict__": _GRAD_AUTOGRAD,
}
