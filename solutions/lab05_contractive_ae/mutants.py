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


def _mistake(en: str, fr: str, hint_en: str, hint_fr: str) -> dict[str, str]:
    return {"en": en, "fr": fr, "hint_en": hint_en, "hint_fr": hint_fr}


# Descriptions shared by mutants that make the same mistake (in different functions, or with the same outputs).
_NOT_SQUARED = _mistake(
    "the penalty is the Frobenius norm of the Jacobian, not its square",
    "la pénalité est la norme de Frobenius de la jacobienne, et non son carré",
    "The exam's penalty is ||∇_x h(x)||_F^2: is your value the norm or the squared norm?",
    "La pénalité de l'examen est ||∇_x h(x)||_F^2 : votre valeur est-elle la norme ou la norme au carré ?")
_MEAN_OF_SQUARES = _mistake(
    "the squared entries are averaged, where the squared Frobenius norm sums them",
    "les carrés des coefficients sont moyennés, alors que le carré de la norme de Frobenius les somme",
    "Is there a division by the number of entries of A in ||A||_F^2 = Σ_ij A_ij^2?",
    "Y a-t-il une division par le nombre de coefficients de A dans ||A||_F^2 = Σ_ij A_ij^2 ?")
_DETACHED = _mistake(
    "the penalty is computed from a detached W, so no gradient reaches W through it",
    "la pénalité est calculée à partir d'un W détaché du graphe : aucun gradient ne remonte vers W par elle",
    "If you backpropagate through your penalty, does W receive the gradient it should, or none?",
    "Si vous rétropropagez à travers votre pénalité, W reçoit-il le gradient attendu, ou aucun ?")
_MASK_FROM_X = _mistake(
    "the ReLU's slope is read from the sign of the input x instead of the pre-activation Wx + b",
    "la pente de la ReLU est lue sur le signe de l'entrée x au lieu de la pré-activation Wx + b",
    "In h(x) = relu(Wx + b), at which quantity is relu' evaluated by the chain rule?",
    "Dans h(x) = relu(Wx + b), en quelle quantité la règle de dérivation en chaîne évalue-t-elle relu' ?")
_RELU_PRIME_ZERO = _mistake(
    "a unit whose pre-activation is exactly 0 counts as active (relu'(0) = 1), where the task fixes relu'(0) = 0",
    "une unité dont la pré-activation vaut exactement 0 est comptée active (relu'(0) = 1), alors que l'énoncé fixe "
    "relu'(0) = 0",
    "What does your mask give for a unit whose pre-activation is exactly 0, and what does the task ask there?",
    "Que donne votre masque pour une unité dont la pré-activation vaut exactement 0, et que demande l'énoncé dans ce "
    "cas ?")
_MASK_AVERAGED = _mistake(
    "every example gets the batch's average ReLU activity pattern instead of its own",
    "chaque exemple reçoit le profil d'activité ReLU moyen du lot au lieu du sien",
    "The Jacobian at x depends on which units x activates: does your mask differ from one example to the next?",
    "La jacobienne en x dépend des unités que x active : votre masque change-t-il d'un exemple à l'autre ?")
_JACOBIAN_AUTOGRAD = _mistake(
    "computes the ReLU Jacobian with autograd (torch.func) where Task 5.2 asks for the closed form",
    "calcule la jacobienne de la ReLU par différentiation automatique (torch.func) alors que la tâche 5.2 demande la "
    "forme close",
    "What does Task 5.2 say about autograd, and what does the chain rule give for ∂h_j/∂x_i when h = relu(Wx + b)?",
    "Que dit la tâche 5.2 de l'autograd, et que donne la règle de dérivation en chaîne pour ∂h_j/∂x_i quand "
    "h = relu(Wx + b) ?")
_PENALTY_AUTOGRAD = _mistake(
    "computes the penalty through autograd (torch.func, directly or through another function) where Task 5.3 asks "
    "for the closed form",
    "calcule la pénalité par différentiation automatique (torch.func, directement ou via une autre fonction) alors "
    "que la tâche 5.3 demande la forme close",
    "What does Task 5.3 say about autograd, and how does ||J(x)||_F^2 split into one term per hidden unit?",
    "Que dit la tâche 5.3 de l'autograd, et comment ||J(x)||_F^2 se décompose-t-elle en un terme par unité cachée ?")
_NO_SLOPE = _mistake(
    "the contractive penalty leaves out the activation's derivative: it is ||W||_F^2 (weight decay) whatever the "
    "activation",
    "la pénalité contractante omet la dérivée de l'activation : elle vaut ||W||_F^2 (le weight decay) quelle que "
    "soit l'activation",
    "For h = act(Wx + b), ∂h_j/∂x_i = act'(a_j) W_ji: where does act' appear in your penalty?",
    "Pour h = act(Wx + b), ∂h_j/∂x_i = act'(a_j) W_ji : où act' apparaît-elle dans votre pénalité ?")

MISTAKES = {
    # Task 5.1
    "linear penalty: (sum W)^2 instead of sum W^2": _mistake(
        "the penalty squares the sum of W's entries instead of summing their squares",
        "la pénalité élève au carré la somme des coefficients de W au lieu de sommer leurs carrés",
        "Is ||W||_F^2 the square of the sum of W's entries, or the sum of their squares?",
        "||W||_F^2 est-elle le carré de la somme des coefficients de W, ou la somme de leurs carrés ?"),
    "linear penalty: Frobenius norm not squared": _NOT_SQUARED,
    "linear penalty: mean of W^2 instead of the sum": _MEAN_OF_SQUARES,
    "linear penalty: computed on a detached W (no gradient)": _DETACHED,
    # Task 5.2
    "relu Jacobian: mask taken from x instead of the pre-activation": _MASK_FROM_X,
    "relu Jacobian: relu'(0) = 1": _RELU_PRIME_ZERO,
    "relu Jacobian: mask averaged over the batch": _MASK_AVERAGED,
    "relu Jacobian: mask ignores the bias": _mistake(
        "the ReLU's slope is decided by the sign of Wx, leaving the bias b out of the pre-activation",
        "la pente de la ReLU est décidée par le signe de Wx, sans le biais b dans la pré-activation",
        "Which units are active at x: those with Wx > 0, or those with Wx + b > 0?",
        "Quelles unités sont actives en x : celles où Wx > 0, ou celles où Wx + b > 0 ?"),
    "relu Jacobian: relu(pre) instead of relu'(pre)": _mistake(
        "the rows of W are scaled by the activation relu(Wx + b) instead of its derivative",
        "les lignes de W sont multipliées par l'activation relu(Wx + b) au lieu de sa dérivée",
        "By the chain rule, ∂h_j/∂x_i = relu'(a_j) W_ji: does your scaling use relu or its derivative?",
        "Par la règle de dérivation en chaîne, ∂h_j/∂x_i = relu'(a_j) W_ji : votre facteur utilise-t-il relu ou sa "
        "dérivée ?"),
    "relu Jacobian: transposed, (B, D, H)": _mistake(
        "the Jacobian is returned transposed, of shape (B, D, H) instead of (B, H, D)",
        "la jacobienne est renvoyée transposée, de forme (B, D, H) au lieu de (B, H, D)",
        "Entry [j, i] of dh/dx is ∂h_j/∂x_i: which axis of your result indexes the hidden units?",
        "Le coefficient [j, i] de dh/dx est ∂h_j/∂x_i : quel axe de votre résultat indexe les unités cachées ?"),
    "relu Jacobian: torch.func instead of the closed form": _JACOBIAN_AUTOGRAD,
    # Task 5.3
    "penalty: (sum_i W_ji)^2 instead of sum_i W_ji^2": _mistake(
        "each hidden unit's squared row norm ||W_j||^2 is replaced by the square of the row's sum",
        "le carré de la norme de chaque ligne ||W_j||^2 est remplacé par le carré de la somme de la ligne",
        "||J||_F^2 sums the square of every entry: do you square before or after summing over the inputs i?",
        "||J||_F^2 somme le carré de chaque coefficient : élevez-vous au carré avant ou après la somme sur les "
        "entrées i ?"),
    "penalty: on the decoder (W^T, no activation) instead of the encoder": _NO_SLOPE,
    "penalty: norms over the wrong axis": _mistake(
        "the squares of W are summed over the hidden units (column norms) instead of over the inputs (row norms)",
        "les carrés de W sont sommés sur les unités cachées (normes des colonnes) au lieu des entrées (normes des "
        "lignes)",
        "Unit j's slope act'(a_j) multiplies which entries of W: its row W_j, or a column?",
        "La pente act'(a_j) de l'unité j multiplie quels coefficients de W : sa ligne W_j, ou une colonne ?"),
    "penalty: ReLU mask taken from x": _MASK_FROM_X,
    "penalty: ReLU mask averaged over the batch": _MASK_AVERAGED,
    "penalty: sigmoid derivative not squared": _mistake(
        "the sigmoid's slope h(1 - h) enters the penalty unsquared, though ||J||_F^2 squares every entry of J",
        "la pente de la sigmoïde h(1 - h) entre dans la pénalité sans être élevée au carré, alors que ||J||_F^2 "
        "élève au carré chaque coefficient de J",
        "In ||J||_F^2 = Σ_j σ'(a_j)^2 ||W_j||^2, which power of σ'(a_j) appears?",
        "Dans ||J||_F^2 = Σ_j σ'(a_j)^2 ||W_j||^2, quelle puissance de σ'(a_j) apparaît ?"),
    "penalty: sigmoid derivative from the pre-activation": _mistake(
        "the sigmoid's derivative formula is applied to the pre-activation Wx + b instead of to the unit's output",
        "la formule de la dérivée de la sigmoïde est appliquée à la pré-activation Wx + b au lieu de la sortie de "
        "l'unité",
        "σ'(a) = σ(a)(1 - σ(a)): is the quantity you plug in a, or σ(a)?",
        "σ'(a) = σ(a)(1 - σ(a)) : la quantité que vous y mettez est-elle a, ou σ(a) ?"),
    "penalty: the bias inside the norm": _mistake(
        "the bias b_j is counted in each unit's weight norm, though ∂h/∂x carries no factor b",
        "le biais b_j est compté dans la norme des poids de chaque unité, alors que ∂h/∂x ne contient aucun facteur b",
        "Does b_j appear in ∂h_j/∂x_i other than inside the slope act'(a_j)?",
        "b_j apparaît-il dans ∂h_j/∂x_i ailleurs que dans la pente act'(a_j) ?"),
    "penalty: a detached W (no gradient)": _DETACHED,
    "penalty: relu'(0) = 1": _RELU_PRIME_ZERO,
    "penalty: mean over units instead of a sum": _mistake(
        "the penalty averages over the hidden units, where ||J||_F^2 sums over them",
        "la pénalité fait la moyenne sur les unités cachées, alors que ||J||_F^2 en fait la somme",
        "Should ||J||_F^2 grow when you add a hidden unit, or stay an average?",
        "||J||_F^2 doit-elle croître quand on ajoute une unité cachée, ou rester une moyenne ?"),
    "penalty: linear case returns a scalar, not one value per example": _mistake(
        "for the linear encoder the penalty is one scalar instead of one value per example, shape (B,)",
        "pour l'encodeur linéaire, la pénalité est un seul scalaire au lieu d'une valeur pour chaque exemple, de forme (B,)",
        "Even when every example has the same penalty, what shape does Task 5.3 ask for?",
        "Même quand tous les exemples ont la même pénalité, quelle forme la tâche 5.3 demande-t-elle ?"),
    "penalty: averaged over the batch": _mistake(
        "the penalty is averaged over the batch into one scalar instead of one value per example, shape (B,)",
        "la pénalité est moyennée sur le lot en un seul scalaire au lieu d'une valeur pour chaque exemple, de forme (B,)",
        "Task 5.3 asks for shape (B,): which function of the lab averages the penalty over the batch?",
        "La tâche 5.3 demande la forme (B,) : quelle fonction du lab fait la moyenne de la pénalité sur le lot ?"),
    "penalty: weight decay whatever the activation": _NO_SLOPE,
    "penalty: torch.func instead of the closed form": _PENALTY_AUTOGRAD,
    "penalty: no error for an unknown activation (treated as sigmoid)": _mistake(
        "an unknown activation is silently treated as the sigmoid instead of raising ValueError",
        "une activation inconnue est traitée en silence comme la sigmoïde au lieu de lever ValueError",
        "What should cae_penalty do when activation is \"tanh\"?",
        "Que doit faire cae_penalty quand activation vaut \"tanh\" ?"),
    # Task 5.4
    "autograd penalty: gradient of the summed output instead of the Jacobian": _mistake(
        "differentiates the sum of the hidden units, one vector-Jacobian product, instead of taking the whole Jacobian",
        "dérive la somme des unités cachées, un seul produit vecteur-jacobienne, au lieu de calculer toute la "
        "jacobienne",
        "Is the gradient of Σ_j h_j(x) with respect to x the Jacobian, or a sum of its rows?",
        "Le gradient de Σ_j h_j(x) par rapport à x est-il la jacobienne, ou une somme de ses lignes ?"),
    "autograd penalty: no create_graph, so the encoder gets no gradient": _mistake(
        "the Jacobian is computed without keeping its graph, so the penalty gives the encoder's parameters no gradient",
        "la jacobienne est calculée sans garder son graphe : la pénalité ne donne aucun gradient aux paramètres de "
        "l'encodeur",
        "Can the optimizer train the encoder on this penalty: do its parameters receive a gradient from it?",
        "L'optimiseur peut-il entraîner l'encodeur avec cette pénalité : ses paramètres en reçoivent-ils un gradient ?"),
    "autograd penalty: Frobenius norm not squared": _NOT_SQUARED,
    "autograd penalty: jacrev of the whole batch, one number": _mistake(
        "differentiates the whole batch's output with respect to the whole batch and returns one number instead of "
        "one value per example",
        "dérive la sortie du lot entier par rapport au lot entier et renvoie un seul nombre au lieu d'une valeur "
        "pour chaque exemple",
        "jacrev(encoder)(x) has shape (B, H, B, D): which of those blocks belong to one example, and what shape should "
        "the result have?",
        "jacrev(encoder)(x) est de forme (B, H, B, D) : quels blocs concernent un seul exemple, et quelle forme le "
        "résultat doit-il avoir ?"),
    "autograd penalty: mean over Jacobian entries instead of the sum": _MEAN_OF_SQUARES,
    # Task 5.5
    "CAE loss: reconstruction error averaged over dimensions too": _mistake(
        "the reconstruction error is averaged over the dimensions too, where the task sums over them",
        "l'erreur de reconstruction est aussi moyennée sur les dimensions, alors que l'énoncé la somme sur celles-ci",
        "For one example, is (x - x~)^T (x - x~) a sum or a mean over its D dimensions?",
        "Pour un exemple, (x - x~)^T (x - x~) est-elle une somme ou une moyenne sur ses D dimensions ?"),
    "CAE loss: penalty summed over the batch": _mistake(
        "the contractive penalty is summed over the batch instead of averaged",
        "la pénalité contractante est sommée sur le lot au lieu d'être moyennée",
        "The reconstruction error is averaged over the batch: is your penalty term on the same footing?",
        "L'erreur de reconstruction est moyennée sur le lot : votre terme de pénalité l'est-il aussi ?"),
    "CAE loss: decoder bias forgotten": _mistake(
        "the reconstruction leaves out the decoder bias c",
        "la reconstruction oublie le biais c du décodeur",
        "Which parameters appear in the task's reconstruction x~ = W^T act(Wx + b) + c?",
        "Quels paramètres apparaissent dans la reconstruction de l'énoncé, x~ = W^T act(Wx + b) + c ?"),
    "CAE loss: reconstruction without the activation": _mistake(
        "the decoder reconstructs from the pre-activation Wx + b instead of the code h(x) = act(Wx + b)",
        "le décodeur reconstruit à partir de la pré-activation Wx + b au lieu du code h(x) = act(Wx + b)",
        "What does the decoder W^T receive: the pre-activation, or the hidden code h(x)?",
        "Que reçoit le décodeur W^T : la pré-activation, ou le code caché h(x) ?"),
    "CAE loss: decoder multiplies by W^T on the wrong side": _mistake(
        "the decoder applies W instead of W^T to the code",
        "le décodeur applique W au code au lieu de W^T",
        "With W of shape (H, D), which product takes the code h (H values) back to D inputs?",
        "Avec W de forme (H, D), quel produit ramène le code h (H valeurs) à D entrées ?"),
    "CAE loss: penalty taken at the reconstruction": _mistake(
        "the contractive penalty is evaluated at the reconstruction x~ instead of at the input x",
        "la pénalité contractante est évaluée en la reconstruction x~ au lieu de l'entrée x",
        "Around which points should the encoder be contractive: the data, or their reconstructions?",
        "Autour de quels points l'encodeur doit-il être contractant : les données, ou leurs reconstructions ?"),
    "CAE loss: lambda ignored": _mistake(
        "the penalty is added without its weight λ",
        "la pénalité est ajoutée sans son coefficient λ",
        "Where does lam enter your loss?",
        "Où lam intervient-il dans votre coût ?"),
    "CAE loss: weight decay whatever the activation": _NO_SLOPE,
    "CAE loss: penalty with a detached W": _DETACHED,
    "weight decay: ||W||_F not squared": _mistake(
        "the weight decay term is the Frobenius norm of W, not its square",
        "le terme de weight decay est la norme de Frobenius de W, et non son carré",
        "The task's term is λ||W||_F^2: is yours the norm or the squared norm?",
        "Le terme de l'énoncé est λ||W||_F^2 : le vôtre est-il la norme ou la norme au carré ?"),
    "weight decay: biases decayed too": _mistake(
        "weight decay also penalises the biases b and c",
        "le weight decay pénalise aussi les biais b et c",
        "Which parameters does the task's term λ||W||_F^2 penalise?",
        "Quels paramètres le terme λ||W||_F^2 de l'énoncé pénalise-t-il ?"),
    "weight decay: lam / 2 ||W||^2 (torch.optim's convention)": _mistake(
        "weight decay takes torch.optim's convention λ/2 ||W||^2 instead of the task's λ||W||_F^2",
        "le weight decay suit la convention de torch.optim, λ/2 ||W||^2, au lieu du λ||W||_F^2 de l'énoncé",
        "Compare your coefficient with the task's term λ||W||_F^2: is there a factor 1/2 in it?",
        "Comparez votre coefficient au terme λ||W||_F^2 de l'énoncé : contient-il un facteur 1/2 ?"),
    "weight decay: the CAE penalty instead": _mistake(
        "weight_decay_loss adds the contractive penalty instead of weight decay",
        "weight_decay_loss ajoute la pénalité contractante au lieu du weight decay",
        "Outside the linear encoder, is weight decay the same term as the CAE penalty?",
        "Hors de l'encodeur linéaire, le weight decay est-il le même terme que la pénalité contractante ?"),
    "weight decay: mean of W^2 instead of the sum": _MEAN_OF_SQUARES,
    "weight decay: reconstruction error summed over the batch": _mistake(
        "the reconstruction error is summed over the batch instead of averaged",
        "l'erreur de reconstruction est sommée sur le lot au lieu d'être moyennée",
        "If the batch is repeated twice over, should the loss double?",
        "Si le lot est répété deux fois, le coût doit-il doubler ?"),
    # Task 5.6
    "contraction ratio: squared distance": _mistake(
        "the ratio uses the squared distance ||f(x + r d) - f(x)||^2 instead of the distance",
        "le taux utilise le carré de la distance ||f(x + r d) - f(x)||^2 au lieu de la distance",
        "Rifai et al.'s ratio compares a distance in code space with r: is your numerator a distance or its square?",
        "Le taux de Rifai et al. compare une distance dans l'espace des codes avec r : votre numérateur est-il une "
        "distance ou son carré ?"),
    "contraction ratio: not divided by the radius": _mistake(
        "the displacement ||f(x + r d) - f(x)|| is not divided by the radius r",
        "le déplacement ||f(x + r d) - f(x)|| n'est pas divisé par le rayon r",
        "A ratio compares two lengths: what do you compare the displacement of the code with?",
        "Ce taux est le rapport de deux longueurs : à quoi comparez-vous le déplacement du code ?"),
    "contraction ratio: divided by the radius squared": _mistake(
        "the displacement is divided by the radius squared instead of the radius",
        "le déplacement est divisé par le carré du rayon au lieu du rayon",
        "How far is x + r d from x, and what do you divide the displacement by?",
        "À quelle distance x + r d est-il de x, et par quoi divisez-vous le déplacement ?"),
    "contraction ratio: one norm over the whole batch": _mistake(
        "one norm is taken over all examples and directions together instead of averaging one norm per pair",
        "une seule norme est prise sur tous les exemples et directions ensemble au lieu de la moyenne d'une norme par "
        "couple",
        "Is the mean of the norms ||f(x + r d) - f(x)|| the same as the norm of all the differences stacked?",
        "La moyenne des normes ||f(x + r d) - f(x)|| est-elle la norme de toutes les différences empilées ?"),
    "contraction ratio: mean |difference| over units instead of the norm": _mistake(
        "the distance in code space is the mean absolute difference over units, not the Euclidean norm",
        "la distance dans l'espace des codes est la moyenne des écarts absolus sur les unités, et non la norme "
        "euclidienne",
        "Which norm does ||f(x + r d) - f(x)||_2 ask for?",
        "Quelle norme ||f(x + r d) - f(x)||_2 demande-t-elle ?"),
    "contraction ratio: directions not scaled by the radius": _mistake(
        "the input is moved by the unit direction d instead of r d, though the result is still divided by r",
        "l'entrée est déplacée de la direction unitaire d au lieu de r d, alors que le résultat est toujours divisé "
        "par r",
        "How far from x is the point you encode, and is that the distance you divide by?",
        "À quelle distance de x est le point que vous encodez, et est-ce bien la distance par laquelle vous divisez ?"),
    "contraction ratio: central difference f(x + r d) - f(x - r d)": _mistake(
        "the ratio uses the central difference f(x + r d) - f(x - r d) instead of the displacement from f(x)",
        "le taux utilise la différence centrée f(x + r d) - f(x - r d) au lieu du déplacement depuis f(x)",
        "In Rifai et al.'s ratio, f(x + r d) is compared with f at which point?",
        "Dans le taux de Rifai et al., f(x + r d) est comparé à f en quel point ?"),
    # Evasions of the closed-form rule.
    "relu Jacobian: vmap(jacrev) with ReLU written as z * (z > 0)": _JACOBIAN_AUTOGRAD,
    "penalty: jacrev imported from torch._functorch inside the function": _PENALTY_AUTOGRAD,
    "penalty: the autograd task's function called through a module alias": _PENALTY_AUTOGRAD,
}
