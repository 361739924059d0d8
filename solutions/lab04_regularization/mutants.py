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


def _mistake(en: str, fr: str, hint_en: str, hint_fr: str) -> dict[str, str]:
    return {"en": en, "fr": fr, "hint_en": hint_en, "hint_fr": hint_fr}


# What each mutant gets wrong, in the course's terms (never the fix), and a question that leads the student there.
# Teaching assistants read the descriptions (the class report); students see only the hint, at --feedback hints.
_GD_NOT_CLOSED = _mistake(
    "gradient descent is run step by step (a loop, a map or the released gd_weights_by_steps) instead of being "
    "written in closed form with the spectral filter",
    "la descente de gradient est déroulée pas à pas (une boucle, un map ou la fonction fournie gd_weights_by_steps) "
    "au lieu d'être écrite sous forme close avec le filtre spectral",
    "In the eigenbasis of XᵀX / n, what does t steps of gradient descent do to each coordinate of the "
    "least-squares solution?",
    "Dans la base propre de XᵀX / n, que font t pas de descente de gradient à chaque coordonnée de la solution des "
    "moindres carrés ?")
_SHARED_NOISE = _mistake(
    "one uniform draw is shared by several units (or examples), so their masks are not independent",
    "un même tirage uniforme est partagé par plusieurs unités (ou exemples) : leurs masques ne sont pas "
    "indépendants",
    "Does every unit of every example get its own uniform noise u?",
    "Chaque unité de chaque exemple reçoit-elle son propre bruit uniforme u ?")

MISTAKES = {
    "gd_filter: one step too many": _mistake(
        "the filter counts one step too many: exponent t + 1 instead of t",
        "le filtre compte un pas de trop : exposant t + 1 au lieu de t",
        "After zero steps, starting from w = 0, what fraction of each direction has been fitted?",
        "Après zéro pas, en partant de w = 0, quelle part de chaque direction a été ajustée ?"),
    "gd_filter: one step too few": _mistake(
        "the filter counts one step too few: exponent t - 1 instead of t",
        "le filtre compte un pas de moins : exposant t - 1 au lieu de t",
        "After exactly one step, what fraction of a direction with eigenvalue λ has been fitted?",
        "Après exactement un pas, quelle part d'une direction de valeur propre λ a été ajustée ?"),
    "gd_filter: the shrinkage (1 - lr lambda)^t instead of the filter": _mistake(
        "the function returns the part of each direction still to be fitted, (1 - ηλ)^t, not the part fitted",
        "la fonction renvoie la part de chaque direction qui reste à ajuster, (1 - ηλ)^t, et non la part ajustée",
        "Starting from w = 0, should the filter be 0 or 1 before any step?",
        "En partant de w = 0, le filtre doit-il valoir 0 ou 1 avant tout pas ?"),
    "gd_filter: linearised, lr * lambda * t capped at 1": _mistake(
        "the filter is linearised (ηλt, capped at 1): exact only while ηλt is small",
        "le filtre est linéarisé (ηλt, plafonné à 1) : exact seulement tant que ηλt est petit",
        "Is 1 - (1 - ηλ)^t equal to ηλt once ηλt is no longer small?",
        "1 - (1 - ηλ)^t est-il égal à ηλt quand ηλt n'est plus petit ?"),
    "gd_filter: exponential approximation 1 - exp(-lr lambda t)": _mistake(
        "the filter of gradient flow, 1 - exp(-ηλt), is used instead of the exact one of discrete steps",
        "le filtre du flot de gradient, 1 - exp(-ηλt), est utilisé à la place du filtre exact des pas discrets",
        "With a finite learning rate, does one step multiply the remaining error by exp(-ηλ) or by (1 - ηλ)?",
        "Avec un pas fini, un pas multiplie-t-il l'erreur restante par exp(-ηλ) ou par (1 - ηλ) ?"),
    "ridge_filter: alpha / (lambda + alpha)": _mistake(
        "the ridge filter returns the shrunk part α / (λ + α) instead of the kept part",
        "le filtre ridge renvoie la part retirée α / (λ + α) au lieu de la part conservée",
        "With α = 0, ridge is least squares: what should the filter be then?",
        "Avec α = 0, ridge est la méthode des moindres carrés : que doit alors valoir le filtre ?"),
    "ridge_filter: 1 / (lambda + alpha)": _mistake(
        "the ridge filter is 1 / (λ + α), the factor applied to Xᵀy, not the fraction of each direction kept",
        "le filtre ridge vaut 1 / (λ + α), le facteur appliqué à Xᵀy, et non la part conservée de chaque direction",
        "Is your filter always between 0 and 1, as a fraction of the least-squares solution?",
        "Votre filtre est-il toujours compris entre 0 et 1, comme une part de la solution des moindres carrés ?"),
    "ridge_filter: lambda / (lambda + alpha^2)": _mistake(
        "the penalty enters the ridge filter squared: λ / (λ + α²)",
        "la pénalité entre au carré dans le filtre ridge : λ / (λ + α²)",
        "The penalty α‖w‖² adds what to each eigenvalue of the Hessian?",
        "Qu'ajoute la pénalité α‖w‖² à chaque valeur propre de la hessienne ?"),
    "gd_weights: X^T X without the 1 / n": _mistake(
        "the Hessian and the gradient lack the 1 / n of the mean squared error: XᵀX instead of XᵀX / n",
        "la hessienne et le gradient n'ont pas le 1 / n de l'erreur quadratique moyenne : XᵀX au lieu de XᵀX / n",
        "The loss is a mean over the n examples: what is its Hessian?",
        "Le coût est une moyenne sur les n exemples : quelle est sa hessienne ?"),
    "gd_weights: 1 / n on the Hessian only": _mistake(
        "the 1 / n is applied to XᵀX but not to Xᵀy",
        "le 1 / n est appliqué à XᵀX mais pas à Xᵀy",
        "Which terms of the gradient of the mean squared error carry a 1 / n?",
        "Quels termes du gradient de l'erreur quadratique moyenne portent un 1 / n ?"),
    "gd_weights: the least-squares solution (steps ignored)": _mistake(
        "the number of steps is ignored: the function returns the least-squares solution, the limit of "
        "infinitely many steps",
        "le nombre de pas est ignoré : la fonction renvoie la solution des moindres carrés, la limite d'une "
        "infinité de pas",
        "Does your result change when steps changes?",
        "Votre résultat change-t-il quand steps change ?"),
    "gd_weights: ridge at alpha = 1 / (lr t) instead of GD": _mistake(
        "the ridge solution with α = 1 / (ηt) is returned: it only approximates t steps of gradient descent",
        "la solution ridge avec α = 1 / (ηt) est renvoyée : elle n'est qu'une approximation de t pas de descente "
        "de gradient",
        "Is the filter of t steps of gradient descent exactly λ / (λ + 1/(ηt))?",
        "Le filtre de t pas de descente de gradient est-il exactement λ / (λ + 1/(ηt)) ?"),
    "gd_weights: lambda = 0 directions divided anyway (NaN)": _mistake(
        "directions with eigenvalue 0 are divided by zero, which gives NaN instead of their limit ηt",
        "les directions de valeur propre 0 sont divisées par zéro, ce qui donne NaN au lieu de leur limite ηt",
        "What is the limit of (1 - (1 - ηλ)^t) / λ as λ tends to 0?",
        "Quelle est la limite de (1 - (1 - ηλ)^t) / λ quand λ tend vers 0 ?"),
    "gd_weights: filter without dividing by lambda": _mistake(
        "the filter is applied to the projected Xᵀy / n without dividing by λ, so the least-squares solution "
        "the filter scales is never formed",
        "le filtre est appliqué à Xᵀy / n projeté sans division par λ : la solution des moindres carrés que le "
        "filtre doit pondérer n'est jamais formée",
        "In the eigenbasis, what is the least-squares coordinate along a direction with eigenvalue λ?",
        "Dans la base propre, quelle est la coordonnée des moindres carrés selon une direction de valeur propre λ ?"),
    "gd_weights: starts from the least-squares solution's filter of the wrong side": _mistake(
        "the weights use the complement of the filter, 1 - filter: the part of each direction not yet fitted",
        "les poids utilisent le complément du filtre, 1 - filtre : la part de chaque direction pas encore ajustée",
        "Starting from w = 0, what should gd_weights return for steps = 0?",
        "En partant de w = 0, que doit renvoyer gd_weights pour steps = 0 ?"),
    "effective_dof: mean instead of sum": _mistake(
        "the effective degrees of freedom are the mean of the filter over the directions instead of its sum",
        "les degrés de liberté effectifs sont la moyenne du filtre sur les directions au lieu de sa somme",
        "When every direction is fully fitted, how many degrees of freedom should there be?",
        "Quand toutes les directions sont entièrement ajustées, combien de degrés de liberté doit-il y avoir ?"),
    "effective_dof: hard count of fitted directions (lr lambda t > 1)": _mistake(
        "directions are counted as fitted or not (ηλt > 1) instead of adding the filter's fraction of each",
        "les directions sont comptées ajustées ou non (ηλt > 1) au lieu d'additionner la part du filtre de chacune",
        "Can a direction count for half a degree of freedom?",
        "Une direction peut-elle compter pour un demi-degré de liberté ?"),
    "effective_dof: ridge's at alpha = 1 / (lr t)": _mistake(
        "the degrees of freedom of ridge with α = 1 / (ηt) are used instead of those of gradient descent",
        "les degrés de liberté de ridge avec α = 1 / (ηt) sont utilisés au lieu de ceux de la descente de gradient",
        "Which filter does gradient descent apply to each direction after t steps?",
        "Quel filtre la descente de gradient applique-t-elle à chaque direction après t pas ?"),
    "relaxed_keep_mask: keep and drop swapped": _mistake(
        "the relaxed mask is the drop mask, not the keep mask: it is near 1 for units that are dropped",
        "le masque relaxé est celui d'abandon, pas de conservation : il est proche de 1 pour les unités abandonnées",
        "When p_drop is close to 1, should the mask be close to 0 or to 1?",
        "Quand p_drop est proche de 1, le masque doit-il être proche de 0 ou de 1 ?"),
    "relaxed_keep_mask: temperature ignored": _mistake(
        "the temperature is ignored, so the mask does not become binary as the temperature goes to 0",
        "la température est ignorée : le masque ne devient pas binaire quand la température tend vers 0",
        "What should the mask look like for a very small temperature?",
        "À quoi doit ressembler le masque pour une très petite température ?"),
    "relaxed_keep_mask: temperature multiplied": _mistake(
        "the logits are multiplied by the temperature instead of divided by it",
        "les logits sont multipliés par la température au lieu d'être divisés par elle",
        "Should a lower temperature make the sigmoid sharper or flatter?",
        "Une température plus basse doit-elle rendre la sigmoïde plus raide ou plus plate ?"),
    "relaxed_keep_mask: log(u) instead of logit(u)": _mistake(
        "the noise enters as log u instead of the logistic noise log u - log(1 - u)",
        "le bruit entre sous la forme log u au lieu du bruit logistique log u - log(1 - u)",
        "Which transform of a uniform u gives logistic noise?",
        "Quelle transformation d'une variable uniforme u donne un bruit logistique ?"),
    "relaxed_keep_mask: p_drop used as the keep probability": _mistake(
        "p_drop is used as the keep probability: units are kept with probability p_drop",
        "p_drop est utilisé comme probabilité de conservation : les unités sont conservées avec probabilité p_drop",
        "With p_drop = 0.9, should most units be kept or dropped?",
        "Avec p_drop = 0,9, la plupart des unités doivent-elles être conservées ou abandonnées ?"),
    "relaxed_keep_mask: one uniform shared by all units": _SHARED_NOISE,
    "ConcreteDropout: one uniform shared by all units": _SHARED_NOISE,
    "ConcreteDropout: one uniform per unit shared by all examples": _SHARED_NOISE,
    "ConcreteDropout: no 1 / (1 - p) rescaling": _mistake(
        "the kept units are not rescaled by 1 / (1 - p), so the layer's expected output shrinks with p",
        "les unités conservées ne sont pas remises à l'échelle par 1 / (1 - p) : la sortie moyenne de la couche "
        "diminue avec p",
        "What is the expected value of x × mask when the mask keeps x with probability 1 - p?",
        "Quelle est l'espérance de x × masque quand le masque conserve x avec probabilité 1 - p ?"),
    "ConcreteDropout: rescaled by 1 / p": _mistake(
        "the kept units are rescaled by 1 / p instead of 1 / (1 - p)",
        "les unités conservées sont remises à l'échelle par 1 / p au lieu de 1 / (1 - p)",
        "With p the probability of dropping, what is the probability that a unit is kept?",
        "Si p est la probabilité d'abandon, quelle est la probabilité qu'une unité soit conservée ?"),
    "ConcreteDropout: rescaling with p detached": _mistake(
        "p is detached in the 1 / (1 - p) rescaling, so that term sends no gradient to the dropout rates",
        "p est détaché dans la remise à l'échelle 1 / (1 - p) : ce terme n'envoie aucun gradient aux taux "
        "d'abandon",
        "Does the output depend on p through the rescaling as well as through the mask?",
        "La sortie dépend-elle de p à travers la remise à l'échelle autant qu'à travers le masque ?"),
    "ConcreteDropout: hard Bernoulli mask (no gradient to p)": _mistake(
        "the mask is a hard Bernoulli draw, through which no gradient reaches the dropout rates",
        "le masque est un tirage de Bernoulli strict, à travers lequel aucun gradient n'atteint les taux d'abandon",
        "Is the comparison u >= p differentiable with respect to p?",
        "La comparaison u >= p est-elle dérivable par rapport à p ?"),
    "ConcreteDropout: dropout left on in eval": _mistake(
        "units are still dropped in evaluation mode",
        "des unités sont encore abandonnées en mode évaluation",
        "What should the layer do to its input after model.eval()?",
        "Que doit faire la couche à son entrée après model.eval() ?"),
    "ConcreteDropout: eval scales by 1 - p": _mistake(
        "in evaluation mode the input is multiplied by 1 - p, although training already rescales by 1 / (1 - p) "
        "(inverted dropout)",
        "en mode évaluation l'entrée est multipliée par 1 - p, alors que l'entraînement remet déjà à l'échelle "
        "par 1 / (1 - p) (dropout inversé)",
        "With the rescaling done during training, what expected output should evaluation reproduce?",
        "Avec la remise à l'échelle faite à l'entraînement, quelle sortie moyenne l'évaluation doit-elle "
        "reproduire ?"),
    "ConcreteDropout: p stored directly, not as a logit": _mistake(
        "the learnt parameter holds p itself instead of its logit, so p is neither initialised as asked nor "
        "kept in (0, 1)",
        "le paramètre appris contient p lui-même au lieu de son logit : p n'est ni initialisé comme demandé ni "
        "maintenu dans ]0, 1[",
        "What keeps p between 0 and 1 while gradient steps change the parameter freely?",
        "Qu'est-ce qui maintient p entre 0 et 1 quand des pas de gradient modifient librement le paramètre ?"),
    "ConcreteDropout: one logit shared by all units": _mistake(
        "one dropout rate is shared by all units instead of one rate per unit",
        "un seul taux d'abandon est partagé par toutes les unités au lieu d'un taux par unité",
        "How many dropout rates should a layer of n units learn?",
        "Combien de taux d'abandon une couche de n unités doit-elle apprendre ?"),
    "concrete_regularizer: entropy term with the wrong sign": _mistake(
        "the entropy term has the wrong sign: the regulariser rewards dropout rates near 0 or 1",
        "le terme d'entropie a le mauvais signe : le régularisateur favorise les taux d'abandon proches de 0 ou 1",
        "Should the regulariser push p towards 1/2 or away from it?",
        "Le régularisateur doit-il pousser p vers 1/2 ou l'en éloigner ?"),
    "concrete_regularizer: weight term without 1 / (1 - p)": _mistake(
        "the weight term lacks the 1 / (1 - p) factor of the concrete dropout regulariser",
        "le terme des poids n'a pas le facteur 1 / (1 - p) du régularisateur du Concrete Dropout",
        "In the regulariser, how does the weights' penalty depend on the probability of keeping a unit?",
        "Dans le régularisateur, comment la pénalité des poids dépend-elle de la probabilité de conserver une "
        "unité ?"),
    "concrete_regularizer: weight term times (1 - p)": _mistake(
        "the weight term is multiplied by 1 - p instead of divided by it",
        "le terme des poids est multiplié par 1 - p au lieu d'être divisé par 1 - p",
        "Should the weights' penalty grow or shrink as p grows?",
        "La pénalité des poids doit-elle croître ou décroître quand p augmente ?"),
    "concrete_regularizer: only p log p": _mistake(
        "the entropy term keeps p log p and leaves out (1 - p) log(1 - p)",
        "le terme d'entropie garde p log p et omet (1 - p) log(1 - p)",
        "What is the entropy of a Bernoulli variable of parameter p?",
        "Quelle est l'entropie d'une variable de Bernoulli de paramètre p ?"),
    "concrete_regularizer: mean over units": _mistake(
        "the regulariser averages over the units instead of summing over them",
        "le régularisateur fait la moyenne sur les unités au lieu de la somme",
        "Doubling the number of units should do what to the regulariser?",
        "Que doit devenir le régularisateur quand le nombre d'unités double ?"),
    "score_function_grad: score of the keep probability": _mistake(
        "the score is taken with respect to the keep probability, so the gradient has the wrong sign",
        "le score est pris par rapport à la probabilité de conservation : le gradient a le mauvais signe",
        "What is d/dp log P(mask) for a unit that is dropped with probability p?",
        "Que vaut d/dp log P(masque) pour une unité abandonnée avec probabilité p ?"),
    "score_function_grad: baseline ignored": _mistake(
        "the baseline is not subtracted from the losses",
        "la ligne de base n'est pas retranchée des coûts",
        "Where does the baseline enter the score-function estimator?",
        "Où la ligne de base intervient-elle dans l'estimateur par fonction de score ?"),
    "score_function_grad: baseline added": _mistake(
        "the baseline is added to the losses instead of subtracted",
        "la ligne de base est ajoutée aux coûts au lieu d'en être retranchée",
        "Should the baseline be added to or subtracted from each loss?",
        "La ligne de base doit-elle être ajoutée à chaque coût ou en être retranchée ?"),
    "score_function_grad: sum over samples": _mistake(
        "the estimator sums over the samples instead of averaging them",
        "l'estimateur somme sur les échantillons au lieu d'en faire la moyenne",
        "Should the estimate grow when you draw more samples?",
        "L'estimation doit-elle grandir quand vous tirez plus d'échantillons ?"),
    "score_function_grad: only the dropped units' term": _mistake(
        "the score keeps only the term of dropped units and leaves out that of kept units",
        "le score ne garde que le terme des unités abandonnées et omet celui des unités conservées",
        "What is d/dp log(1 - p), the score of a kept unit?",
        "Que vaut d/dp log(1 - p), le score d'une unité conservée ?"),
    "score_function_grad: d P / d p instead of d log P / d p": _mistake(
        "the gradient of the probability of the mask is used instead of the gradient of its logarithm",
        "le gradient de la probabilité du masque est utilisé au lieu du gradient de son logarithme",
        "In the score-function estimator, is it ∇P or ∇log P that multiplies the loss?",
        "Dans l'estimateur par fonction de score, est-ce ∇P ou ∇log P qui multiplie le coût ?"),
    "exact_dropout_grad: gradient for the keep probability": _mistake(
        "the exact gradient is taken with respect to the keep probabilities: its sign is reversed",
        "le gradient exact est pris par rapport aux probabilités de conservation : son signe est inversé",
        "Increasing p_drop[i] makes which masks more likely?",
        "Augmenter p_drop[i] rend quels masques plus probables ?"),
    "exact_dropout_grad: masks passed as drop masks": _mistake(
        "the enumerated masks are passed to the loss as drop masks (1 = dropped) instead of keep masks",
        "les masques énumérés sont transmis à la fonction de coût comme des masques d'abandon (1 = abandonnée) au lieu de "
        "masques de conservation",
        "In the masks your loss receives, does 1 mean kept or dropped?",
        "Dans les masques que reçoit votre fonction de coût, 1 veut-il dire conservée ou abandonnée ?"),
    "exact_dropout_grad: unweighted mean over masks": _mistake(
        "every mask gets the same weight instead of its probability under the dropout rates",
        "chaque masque reçoit le même poids au lieu de sa probabilité sous les taux d'abandon",
        "What is the probability of a given mask when unit i is dropped with probability p_i?",
        "Quelle est la probabilité d'un masque donné quand l'unité i est abandonnée avec probabilité p_i ?"),
    "exact_dropout_grad: no limit on the number of units": _mistake(
        "there is no limit on the number of units, although enumerating 2^n masks soon costs too much; the task "
        "asks for an error past 12 units",
        "il n'y a pas de limite au nombre d'unités, alors qu'énumérer 2^n masques devient vite trop coûteux ; la "
        "tâche demande une erreur au-delà de 12 unités",
        "How many masks are there for 40 units, and what should your function do then?",
        "Combien y a-t-il de masques pour 40 unités, et que doit alors faire votre fonction ?"),
    "exact_dropout_grad: P(mask) with p as the keep probability": _mistake(
        "the probability of each mask uses p as the keep probability",
        "la probabilité de chaque masque utilise p comme probabilité de conservation",
        "For a kept unit, is the factor of P(mask) p_i or 1 - p_i?",
        "Pour une unité conservée, le facteur de P(masque) est-il p_i ou 1 - p_i ?"),
    "gd_weights: returns the released gd_weights_by_steps": _GD_NOT_CLOSED,
    "gd_weights: gd_weights_by_steps through sys.modules": _GD_NOT_CLOSED,
    "gd_weights: the steps run by map over a range, no loop statement": _GD_NOT_CLOSED,
}
