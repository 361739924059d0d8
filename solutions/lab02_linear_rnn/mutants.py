"""Plausible wrong implementations of Lab 2's functions: name -> {function: replacement source}.
Every one must lose points."""

# The sample class's partial student: the reference with these mutants.
SAMPLE_PARTIAL = ["closed form adds the bias once", "regime from the spectral norm"]

MUTANTS = {
    "unroll lags the input by one step": {"rnn_unroll": '''
def rnn_unroll(W, U, b, h0, xs):
    states, previous_x = [h0], torch.zeros(U.shape[1], dtype=xs.dtype)
    for x in xs:
        states.append(W @ states[-1] + U @ previous_x + b)
        previous_x = x
    return torch.stack(states)
'''},
    "unroll drops h0": {"rnn_unroll": '''
def rnn_unroll(W, U, b, h0, xs):
    states, h = [], h0
    for x in xs:
        h = W @ h + U @ x + b
        states.append(h)
    return torch.stack(states) if states else h0[None]
'''},
    "unroll multiplies by W transposed": {"rnn_unroll": '''
def rnn_unroll(W, U, b, h0, xs):
    states = [h0]
    for x in xs:
        states.append(W.T @ states[-1] + U @ x + b)
    return torch.stack(states)
'''},
    "closed form adds the bias once": {"rnn_closed_form": '''
def rnn_closed_form(W, U, b, h0, xs):
    T = xs.shape[0]
    h = torch.linalg.matrix_power(W, T) @ h0 + b
    for k in range(1, T + 1):
        h = h + torch.linalg.matrix_power(W, T - k) @ (U @ xs[k - 1])
    return h
'''},
    "closed form with W^(T-k+1)": {"rnn_closed_form": '''
def rnn_closed_form(W, U, b, h0, xs):
    T = xs.shape[0]
    h = torch.linalg.matrix_power(W, T) @ h0
    for k in range(1, T + 1):
        h = h + torch.linalg.matrix_power(W, T - k + 1) @ (U @ xs[k - 1] + b)
    return h
'''},
    "closed form forgets h0": {"rnn_closed_form": '''
def rnn_closed_form(W, U, b, h0, xs):
    T = xs.shape[0]
    h = torch.zeros_like(h0)
    for k in range(1, T + 1):
        h = h + torch.linalg.matrix_power(W, T - k) @ (U @ xs[k - 1] + b)
    return h
'''},
    "closed form reverses the inputs": {"rnn_closed_form": '''
def rnn_closed_form(W, U, b, h0, xs):
    T = xs.shape[0]
    h = torch.linalg.matrix_power(W, T) @ h0
    for k in range(1, T + 1):
        h = h + torch.linalg.matrix_power(W, k - 1) @ (U @ xs[k - 1] + b)
    return h
'''},
    "closed form runs the recurrence in a for loop": {"rnn_closed_form": '''
def rnn_closed_form(W, U, b, h0, xs):
    h = h0
    for x in xs:
        h = W @ h + U @ x + b
    return h
'''},
    "closed form runs the recurrence through matrix_power(W, 1)": {"rnn_closed_form": '''
def rnn_closed_form(W, U, b, h0, xs):
    h = h0
    for x in xs:
        h = torch.linalg.matrix_power(W, 1) @ h + U @ x + b
    return h
'''},
    "closed form: W^T by matrix_power, the inputs by the recurrence": {"rnn_closed_form": '''
def rnn_closed_form(W, U, b, h0, xs):
    drive = torch.zeros_like(h0)
    for x in xs:
        drive = W @ drive + U @ x + b
    return torch.linalg.matrix_power(W, xs.shape[0]) @ h0 + drive
'''},
    "closed form calls rnn_unroll": {"rnn_closed_form": '''
def rnn_closed_form(W, U, b, h0, xs):
    return rnn_unroll(W, U, b, h0, xs)[-1]
'''},
    "closed form calls rnn_unroll through an alias": {"rnn_closed_form": '''
def rnn_closed_form(W, U, b, h0, xs):
    run = rnn_unroll
    return run(W, U, b, h0, xs)[-1]
'''},
    "closed form runs the recurrence with functools.reduce": {"rnn_closed_form": '''
def rnn_closed_form(W, U, b, h0, xs):
    from functools import reduce
    return reduce(lambda h, x: W @ h + U @ x + b, xs, h0)
'''},
    "closed form runs the recurrence with a while loop over W @ h": {"rnn_closed_form": '''
def rnn_closed_form(W, U, b, h0, xs):
    h, t = h0.clone(), 0
    while t < xs.shape[0]:
        h = torch.matmul(W, h) + torch.matmul(U, xs[t]) + b
        t += 1
    return h
'''},
    "closed form through the batched LinearRNN": {"rnn_closed_form": '''
def rnn_closed_form(W, U, b, h0, xs):
    model = LinearRNN(input_size=U.shape[1], hidden_size=W.shape[0]).to(W.dtype)
    with torch.no_grad():
        model.W.copy_(W)
        model.U.copy_(U)
        model.b.copy_(b)
        return model.hidden_states(xs[None], h0[None])[0, -1]
'''},
    "Jacobian W^(t-1)": {"jacobian_h_t_h0": '''
def jacobian_h_t_h0(W, t):
    return torch.linalg.matrix_power(W, max(t - 1, 0))
'''},
    "Jacobian transposed": {"jacobian_h_t_h0": '''
def jacobian_h_t_h0(W, t):
    return torch.linalg.matrix_power(W.T, t)
'''},
    "Jacobian elementwise power": {"jacobian_h_t_h0": '''
def jacobian_h_t_h0(W, t):
    return W ** t
'''},
    "regime from the spectral norm": {"asymptotic_regime": '''
def asymptotic_regime(W, tol=1e-6):
    r = float(torch.linalg.matrix_norm(W, ord=2))
    return "vanishing" if r < 1 - tol else ("exploding" if r > 1 + tol else "marginal")
'''},
    "regime from the largest diagonal entry": {"asymptotic_regime": '''
def asymptotic_regime(W, tol=1e-6):
    r = float(W.diagonal().abs().max())
    return "vanishing" if r < 1 - tol else ("exploding" if r > 1 + tol else "marginal")
'''},
    "regime from the determinant": {"asymptotic_regime": '''
def asymptotic_regime(W, tol=1e-6):
    r = abs(float(torch.linalg.det(W)))
    return "vanishing" if r < 1 - tol else ("exploding" if r > 1 + tol else "marginal")
'''},
    "regime from real parts of eigenvalues": {"asymptotic_regime": '''
def asymptotic_regime(W, tol=1e-6):
    r = float(torch.linalg.eigvals(W).real.abs().max())
    return "vanishing" if r < 1 - tol else ("exploding" if r > 1 + tol else "marginal")
'''},
    "regime from the growth of ||W^t||, which calls a Jordan block exploding": {"asymptotic_regime": '''
def asymptotic_regime(W, tol=1e-6):
    r = float(torch.linalg.matrix_norm(torch.linalg.matrix_power(W, 256), ord=2)) ** (1 / 256)
    return "vanishing" if r < 1 - tol else ("exploding" if r > 1 + tol else "marginal")
'''},
    "regime ignores the tolerance": {"asymptotic_regime": '''
def asymptotic_regime(W, tol=1e-6):
    r = spectral_radius(W)
    return "vanishing" if r < 1 else ("exploding" if r > 1 else "marginal")
'''},
    "orthogonal init is a rescaled Gaussian": {"scaled_orthogonal": '''
def scaled_orthogonal(n, radius, generator=None):
    w = torch.randn(n, n, generator=generator)
    return w * radius / spectral_radius(w)
'''},
    "orthogonal init is radius * I": {"scaled_orthogonal": '''
def scaled_orthogonal(n, radius, generator=None):
    return radius * torch.eye(n)
'''},
    "orthogonal init is a fixed cyclic permutation": {"scaled_orthogonal": '''
def scaled_orthogonal(n, radius, generator=None):
    return radius * torch.roll(torch.eye(n), 1, dims=0)
'''},
    "orthogonal init ignores the generator": {"scaled_orthogonal": '''
def scaled_orthogonal(n, radius, generator=None):
    q, _ = torch.linalg.qr(torch.randn(n, n))
    return radius * q
'''},
    "orthogonal init is a diagonal of random signs": {"scaled_orthogonal": '''
def scaled_orthogonal(n, radius, generator=None):
    signs = torch.randint(0, 2, (n,), generator=generator) * 2 - 1
    return radius * torch.diag(signs.to(torch.get_default_dtype()))
'''},
    "orthogonal init scaled by radius squared": {"scaled_orthogonal": '''
def scaled_orthogonal(n, radius, generator=None):
    q, _ = torch.linalg.qr(torch.randn(n, n, generator=generator))
    return radius ** 2 * q
'''},
    "batched states multiply by W, not W^T": {"LinearRNN.hidden_states": '''
def hidden_states(self, xs, h0=None):
    h = xs.new_zeros(xs.shape[0], self.W.shape[0]) if h0 is None else h0
    states = [h]
    for t in range(xs.shape[1]):
        h = h @ self.W + xs[:, t] @ self.U.T + self.b
        states.append(h)
    return torch.stack(states, dim=1)
'''},
    "batched states ignore h0": {"LinearRNN.hidden_states": '''
def hidden_states(self, xs, h0=None):
    h = xs.new_zeros(xs.shape[0], self.W.shape[0])
    states = [h]
    for t in range(xs.shape[1]):
        h = h @ self.W.T + xs[:, t] @ self.U.T + self.b
        states.append(h)
    return torch.stack(states, dim=1)
'''},
    # Evasions of the closed-form rule, as students write them.
    "closed form: a recurrence beside a thrown-away matrix_power": {"rnn_closed_form": '''
def rnn_closed_form(W, U, b, h0, xs):
    T = xs.shape[0]
    powers = [torch.linalg.matrix_power(W, k) for k in range(T + 1)]  # noqa: F841 (never used)
    h = h0
    for x in xs:
        h = W @ h + U @ x + b
    return h
'''},
    "closed form: rnn_unroll through sys.modules, beside the powers": {"rnn_closed_form": '''
def rnn_closed_form(W, U, b, h0, xs):
    import sys

    for k in range(xs.shape[0] + 1):
        W.matrix_power(k)
    return sys.modules[__name__].__dict__["rnn_" + "unroll"](W, U, b, h0, xs)[-1]
'''},
    "closed form: the powers checked against a recurrence that gives the result": {"rnn_closed_form": '''
def rnn_closed_form(W, U, b, h0, xs):
    T = xs.shape[0]
    h, P = h0.clone(), torch.linalg.matrix_power(W, T)
    for k in range(1, T + 1):
        torch.linalg.matrix_power(W, T - k)
        h = torch.addmv(U @ xs[k - 1] + b, W, h)
    assert torch.allclose(P @ h0, P @ h0)
    return h
'''},
}


def _mistake(en: str, fr: str, hint_en: str, hint_fr: str) -> dict[str, str]:
    return {"en": en, "fr": fr, "hint_en": hint_en, "hint_fr": hint_fr}


# What each mutant gets wrong, in the course's terms (never the fix), and a question that leads the student there.
# Teaching assistants read the descriptions (the class report); students see only the hint, at --feedback hints.
_RECURRENCE = _mistake(
    "the closed form is not used: h_T is obtained by running the recurrence step by step, which the question "
    "asks to replace by a formula in powers of W",
    "la forme close n'est pas utilisée : h_T est obtenu en déroulant la récurrence pas à pas, alors que la "
    "question demande de la remplacer par une formule en puissances de W",
    "Can you write h_T directly as W^T h_0 plus a sum over the inputs, each multiplied by a power of W?",
    "Pouvez-vous écrire h_T directement comme W^T h_0 plus une somme sur les entrées, chacune multipliée par une "
    "puissance de W ?")
_WRONG_RADIUS = _mistake(
    "the regime is decided from a quantity that is not the spectral radius (the largest modulus of the "
    "eigenvalues of W)",
    "le régime est décidé à partir d'une grandeur qui n'est pas le rayon spectral (le plus grand module des "
    "valeurs propres de W)",
    "Which property of W decides whether W^t goes to zero or blows up as t grows?",
    "Quelle propriété de W décide si W^t tend vers zéro ou explose quand t grandit ?")
_NOT_ORTHOGONAL = _mistake(
    "the matrix returned is not a random orthogonal matrix scaled by the radius",
    "la matrice renvoyée n'est pas une matrice orthogonale aléatoire multipliée par le rayon",
    "Is Q^T Q equal to the identity for the matrix Q you build, before scaling, and is it drawn from the "
    "generator?",
    "Q^T Q vaut-il l'identité pour la matrice Q que vous construisez, avant mise à l'échelle, et est-elle tirée "
    "avec le générateur ?")

MISTAKES = {
    "unroll lags the input by one step": _mistake(
        "each state uses the previous step's input: h_t is computed from x_{t-1} instead of x_t",
        "chaque état utilise l'entrée du pas précédent : h_t est calculé à partir de x_{t-1} au lieu de x_t",
        "Which input enters the state h_1: x_1, or nothing yet?",
        "Quelle entrée intervient dans l'état h_1 : x_1, ou encore aucune ?"),
    "unroll drops h0": _mistake(
        "the list of states leaves out the initial state h_0",
        "la liste des états omet l'état initial h_0",
        "For T inputs, how many states should the unrolled sequence hold, counting h_0?",
        "Pour T entrées, combien d'états la séquence déroulée doit-elle contenir, h_0 compris ?"),
    "unroll multiplies by W transposed": _mistake(
        "the state is multiplied by the transpose of W instead of W",
        "l'état est multiplié par la transposée de W au lieu de W",
        "In h_t = W h_{t-1} + U x_t + b, which side of the product is the state on?",
        "Dans h_t = W h_{t-1} + U x_t + b, de quel côté du produit se trouve l'état ?"),
    "closed form adds the bias once": _mistake(
        "the bias is added once, at the end, instead of once per step and carried through the later powers of W",
        "le biais est ajouté une seule fois, à la fin, au lieu d'une fois par pas, propagé par les puissances de W "
        "qui suivent",
        "The bias enters at every step: by which power of W is the bias added at step k multiplied at time T?",
        "Le biais intervient à chaque pas : par quelle puissance de W le biais ajouté au pas k est-il multiplié à "
        "l'instant T ?"),
    "closed form with W^(T-k+1)": _mistake(
        "each input's term carries one power of W too many: W^(T-k+1) instead of W^(T-k)",
        "le terme de chaque entrée porte une puissance de W de trop : W^(T-k+1) au lieu de W^(T-k)",
        "How many times is the last input x_T multiplied by W before it reaches h_T?",
        "Combien de fois la dernière entrée x_T est-elle multipliée par W avant d'atteindre h_T ?"),
    "closed form forgets h0": _mistake(
        "the closed form leaves out the initial state's term W^T h_0",
        "la forme close omet le terme de l'état initial, W^T h_0",
        "What does your formula give when every input and the bias are zero but h_0 is not?",
        "Que donne votre formule quand toutes les entrées et le biais sont nuls mais pas h_0 ?"),
    "closed form reverses the inputs": _mistake(
        "the powers of W are matched to the inputs in reverse order: the first input gets the smallest power",
        "les puissances de W sont associées aux entrées dans l'ordre inverse : la première entrée reçoit la plus "
        "petite puissance",
        "Which input has been multiplied by W the most times when it reaches h_T: the first or the last?",
        "Quelle entrée a été multipliée par W le plus de fois quand elle atteint h_T : la première ou la "
        "dernière ?"),
    "closed form runs the recurrence in a for loop": _RECURRENCE,
    "closed form runs the recurrence through matrix_power(W, 1)": _RECURRENCE,
    "closed form: W^T by matrix_power, the inputs by the recurrence": _mistake(
        "only the initial state's term uses a power of W: the inputs' terms are still accumulated by the "
        "recurrence",
        "seul le terme de l'état initial utilise une puissance de W : ceux des entrées sont encore accumulés par "
        "la récurrence",
        "Can each input's contribution to h_T also be written with a single power of W?",
        "La contribution de chaque entrée à h_T peut-elle aussi s'écrire avec une seule puissance de W ?"),
    "closed form calls rnn_unroll": _RECURRENCE,
    "closed form calls rnn_unroll through an alias": _RECURRENCE,
    "closed form runs the recurrence with functools.reduce": _RECURRENCE,
    "closed form runs the recurrence with a while loop over W @ h": _RECURRENCE,
    "closed form through the batched LinearRNN": _RECURRENCE,
    "Jacobian W^(t-1)": _mistake(
        "the Jacobian of h_t with respect to h_0 has one power of W too few: W^(t-1) instead of W^t",
        "la jacobienne de h_t par rapport à h_0 a une puissance de W de moins : W^(t-1) au lieu de W^t",
        "How many multiplications by W separate h_0 from h_t?",
        "Combien de multiplications par W séparent h_0 de h_t ?"),
    "Jacobian transposed": _mistake(
        "the Jacobian is the transpose of the right one: powers of W^T instead of W",
        "la jacobienne est la transposée de la bonne : des puissances de W^T au lieu de W",
        "In the Jacobian ∂h_t/∂h_0, does entry (i, j) hold the derivative of h_t[i] with respect to h_0[j], or "
        "the reverse?",
        "Dans la jacobienne ∂h_t/∂h_0, le coefficient (i, j) est-il la dérivée de h_t[i] par rapport à h_0[j], "
        "ou l'inverse ?"),
    "Jacobian elementwise power": _mistake(
        "W^t is computed entry by entry (each coefficient raised to the power t) instead of as a matrix power",
        "W^t est calculé coefficient par coefficient (chacun élevé à la puissance t) au lieu d'être une puissance "
        "de matrice",
        "Is W ** 2 in torch the product W @ W?",
        "En torch, W ** 2 est-il le produit W @ W ?"),
    "regime from the spectral norm": _WRONG_RADIUS,
    "regime from the largest diagonal entry": _WRONG_RADIUS,
    "regime from the determinant": _WRONG_RADIUS,
    "regime from real parts of eigenvalues": _mistake(
        "the regime looks only at the real parts of the eigenvalues, not their moduli",
        "le régime ne regarde que les parties réelles des valeurs propres, pas leurs modules",
        "A rotation has eigenvalues e^{±iθ}: what is their modulus, and what is their real part?",
        "Une rotation a pour valeurs propres e^{±iθ} : quel est leur module, et quelle est leur partie réelle ?"),
    "regime from the growth of ||W^t||, which calls a Jordan block exploding": _mistake(
        "the regime is read from the growth of ||W^t|| at a finite t, which mistakes the polynomial growth of a "
        "Jordan block with eigenvalue of modulus 1 for an explosion",
        "le régime est lu sur la croissance de ||W^t|| à un t fini, ce qui prend la croissance polynomiale d'un "
        "bloc de Jordan de valeur propre de module 1 pour une explosion",
        "For W = [[1, 1], [0, 1]], does ||W^t|| grow exponentially, and what is its spectral radius?",
        "Pour W = [[1, 1], [0, 1]], ||W^t|| croît-il exponentiellement, et quel est son rayon spectral ?"),
    "regime ignores the tolerance": _mistake(
        "the tolerance is ignored: a spectral radius within tol of 1 is called vanishing or exploding instead of "
        "marginal",
        "la tolérance est ignorée : un rayon spectral à moins de tol de 1 est déclaré évanescent ou explosif au "
        "lieu de marginal",
        "What should the regime be for a radius of 1 + 1e-9 computed in floating point?",
        "Quel doit être le régime pour un rayon de 1 + 1e-9 calculé en virgule flottante ?"),
    "orthogonal init is a rescaled Gaussian": _mistake(
        "a Gaussian matrix is rescaled to the right spectral radius, but it is not orthogonal: its singular values "
        "differ",
        "une matrice gaussienne est remise à l'échelle du bon rayon spectral, mais elle n'est pas orthogonale : "
        "ses valeurs singulières diffèrent",
        "Does fixing the spectral radius make every singular value of the matrix equal?",
        "Fixer le rayon spectral rend-il toutes les valeurs singulières de la matrice égales ?"),
    "orthogonal init is radius * I": _NOT_ORTHOGONAL,
    "orthogonal init is a fixed cyclic permutation": _NOT_ORTHOGONAL,
    "orthogonal init ignores the generator": _mistake(
        "the random matrix is drawn from the global random state instead of the generator passed in, so the same "
        "generator does not give the same matrix",
        "la matrice aléatoire est tirée avec l'état aléatoire global au lieu du générateur fourni : un même "
        "générateur ne donne pas la même matrice",
        "Does calling your function twice with generators seeded alike give the same matrix?",
        "Appeler votre fonction deux fois avec des générateurs de même graine donne-t-il la même matrice ?"),
    "orthogonal init is a diagonal of random signs": _NOT_ORTHOGONAL,
    "orthogonal init scaled by radius squared": _mistake(
        "the orthogonal matrix is multiplied by the radius squared, so its spectral radius is radius²",
        "la matrice orthogonale est multipliée par le carré du rayon : son rayon spectral vaut rayon²",
        "What is the spectral radius of c Q for an orthogonal Q?",
        "Quel est le rayon spectral de c Q pour une matrice orthogonale Q ?"),
    "batched states multiply by W, not W^T": _mistake(
        "with states stored as rows (batch, hidden), the state is multiplied by W on the right, which computes "
        "W^T h instead of W h",
        "avec des états rangés en lignes (batch, hidden), l'état est multiplié à droite par W, ce qui calcule "
        "W^T h au lieu de W h",
        "For a row vector h, which product gives the row form of W h: h @ W or h @ W.T?",
        "Pour un vecteur ligne h, quel produit donne la forme ligne de W h : h @ W ou h @ W.T ?"),
    "batched states ignore h0": _mistake(
        "the batched states always start from zero: the given h_0 is ignored",
        "les états calculés par lot partent toujours de zéro : le h_0 fourni est ignoré",
        "What happens to the h0 argument when it is not None?",
        "Que devient l'argument h0 quand il n'est pas None ?"),
    "closed form: a recurrence beside a thrown-away matrix_power": _RECURRENCE,
    "closed form: rnn_unroll through sys.modules, beside the powers": _RECURRENCE,
    "closed form: the powers checked against a recurrence that gives the result": _RECURRENCE,
}
