"""Plausible wrong implementations of Lab 8's functions: name -> {function: replacement source}.
Every one must lose points."""


def _fn(name: str, args: str, body: str) -> dict[str, str]:
    return {name: f"def {name}({args}):\n" + "".join(f"    {line}\n" for line in body.strip().splitlines())}


_GIBBS_ARGS = "W, x, y, z, ux, uy, uz"
_MARGINAL_ARGS = "W, x"
_MARGINAL = '''
A = torch.einsum("ijk,bi->bjk", W, x)
if A.shape[2] > A.shape[1]:
    A = A.transpose(1, 2)
states = all_states(A.shape[2], A.dtype, A.device)
field = torch.einsum("bjk,sk->bsj", A, states)
return {result}
'''
_RIGHT_MARGINAL = "torch.logsumexp(F.softplus(-field).sum(-1), dim=1)"

_LOGZ_ARGS = "W, chunk=4096"
_LOGZ = '''
n, m, k = W.shape
states = all_states(m + k, W.dtype, W.device)
h = torch.einsum("ijk,sj,sk->si", W, states[:, :m], states[:, m:])
return {result}
'''

_POSITIVE_ARGS = 'W, x, method="exact", **options'
_POSITIVE = '''
A = torch.einsum("ijk,bi->bjk", W, x)
if method == "exact":
    swap = A.shape[2] > A.shape[1]
    if swap:
        A = A.transpose(1, 2)
    states = all_states(A.shape[2], A.dtype, A.device)
    field = torch.einsum("bjk,sk->bsj", A, states)
    weights = torch.softmax(F.softplus(-field).sum(-1), dim=1)
    e_other = torch.sigmoid(-field)
    {exact}
    if swap:
        yz = yz.transpose(1, 2)
        q_z = {exact_qz_swap}
    else:
        q_z = {exact_qz}
elif method == "mean_field":
    q_z = torch.full((A.shape[0], A.shape[2]), {q_init}, dtype=A.dtype)
    for _ in range({iterations}):
        {mean_field}
    yz = q_y[:, :, None] * q_z[:, None, :]
else:
    uy, uz = options["uy"], options["uz"]
    burn_in = options.get("burn_in", 0)
    z = torch.zeros(A.shape[0], A.shape[2], dtype=A.dtype)
    yz, z_sum = torch.zeros_like(A), torch.zeros_like(z)
    for t in range(uy.shape[0]):
        {gibbs}
        if t >= burn_in:
            yz, z_sum = yz + y[:, :, None] * z[:, None, :], z_sum + z
    yz, q_z = yz / {gibbs_count}, {gibbs_qz}
return {result}, {qz_out}
'''
_RIGHT_POSITIVE = dict(
    exact='yz = torch.einsum("bs,bsj,sk->bjk", weights, e_other, states)',
    exact_qz_swap='torch.einsum("bs,bsk->bk", weights, e_other)', exact_qz="weights @ states",
    gibbs_qz="z_sum / (uy.shape[0] - burn_in)", qz_out="q_z",
    q_init="0.5", iterations='options.get("iterations", 50)',
    mean_field='q_y = torch.sigmoid(-torch.einsum("bjk,bk->bj", A, q_z))\n'
               '        q_z = torch.sigmoid(-torch.einsum("bjk,bj->bk", A, q_y))',
    gibbs='y = (uy[t] < torch.sigmoid(-torch.einsum("bjk,bk->bj", A, z))).to(A.dtype)\n'
          '        z = (uz[t] < torch.sigmoid(-torch.einsum("bjk,bj->bk", A, y))).to(A.dtype)',
    gibbs_count="(uy.shape[0] - burn_in)",
    result='torch.einsum("bi,bjk->ijk", x, yz) / x.shape[0]',
)


def _positive(**changes: str) -> dict[str, str]:
    return {"positive_statistics": f"def positive_statistics({_POSITIVE_ARGS}):\n" + "".join(
        f"    {line}\n" for line in _POSITIVE.format(**{**_RIGHT_POSITIVE, **changes}).strip().splitlines())}


_CD_ARGS = "W, x, k, positive, q_z, uniforms"
_CD = '''
u0, ux, uy, uz = uniforms
z = {start}
{init}
for t in range({steps}):
    {sweep}
negative = {negative}
return {result}
'''
_RIGHT_CD = dict(
    start="(u0 < q_z).to(x.dtype)", init="", steps="k",
    sweep="y = (uy[t] < conditional_y(W, x, z)).to(x.dtype)\n"
          "    z = (uz[t] < conditional_z(W, x, y)).to(x.dtype)\n"
          "    x = (ux[t] < conditional_x(W, y, z)).to(x.dtype)",
    negative='torch.einsum("bi,bj,bk->ijk", x, y, z) / x.shape[0]',
    result="positive - negative",
)


def _cd(**changes: str) -> dict[str, str]:
    return _fn("cd_gradient", _CD_ARGS, _CD.format(**{**_RIGHT_CD, **changes}))


_EXACT_ARGS = "W, x"
_EXACT = '''
n, m, k = W.shape
states = all_states(m + k, W.dtype, W.device)
ys, zs = states[:, :m], states[:, m:]
h = torch.einsum("ijk,sj,sk->si", W, ys, zs)
p_yz = {p_yz}
negative = torch.einsum("s,si,sj,sk->ijk", p_yz, {x_mean}, ys, zs)
return {result}
'''
_RIGHT_EXACT = dict(p_yz="torch.softmax(F.softplus(-h).sum(-1), dim=0)", x_mean="torch.sigmoid(-h)",
                    result='positive_statistics(W, x, "exact")[0] - negative')


def _exact(**changes: str) -> dict[str, str]:
    return _fn("exact_nll_gradient", _EXACT_ARGS, _EXACT.format(**{**_RIGHT_EXACT, **changes}))


MUTANTS = {
    # --- energy and conditionals
    "energy: sign flipped": _fn("energy", "W, x, y, z", 'return -torch.einsum("ijk,bi,bj,bk->b", W, x, y, z)'),
    "energy: summed over the batch": _fn("energy", "W, x, y, z", 'return torch.einsum("ijk,bi,bj,bk->", W, x, y, z)'),
    "conditional x: sigmoid(+sum) instead of sigmoid(-sum)": _fn(
        "conditional_x", "W, y, z", 'return torch.sigmoid(torch.einsum("ijk,bj,bk->bi", W, y, z))'),
    "conditional y: sigmoid(+sum) instead of sigmoid(-sum)": _fn(
        "conditional_y", "W, x, z", 'return torch.sigmoid(torch.einsum("ijk,bi,bk->bj", W, x, z))'),
    "conditional z: sigmoid(+sum) instead of sigmoid(-sum)": _fn(
        "conditional_z", "W, x, y", 'return torch.sigmoid(torch.einsum("ijk,bi,bj->bk", W, x, y))'),
    "conditional y: W's last two axes swapped": _fn(
        "conditional_y", "W, x, z", 'return torch.sigmoid(-torch.einsum("ikj,bi,bk->bj", W, x, z))'),
    "conditional z: x and y contracted with each other's axes": _fn(
        "conditional_z", "W, x, y", 'return torch.sigmoid(-torch.einsum("ijk,bj,bi->bk", W, x, y))'),
    "conditional z: y ignored": _fn(
        "conditional_z", "W, x, y", 'return torch.sigmoid(-torch.einsum("ijk,bi->bk", W, x))'),
    "conditional x: z ignored": _fn(
        "conditional_x", "W, y, z", 'return torch.sigmoid(-torch.einsum("ijk,bj->bi", W, y))'),
    "conditional y: 1 - sigmoid(-sum), the probability of 0": _fn(
        "conditional_y", "W, x, z", 'return 1 - torch.sigmoid(-torch.einsum("ijk,bi,bk->bj", W, x, z))'),
    # --- block Gibbs
    "block Gibbs: parallel update from the old state": _fn("block_gibbs_step", _GIBBS_ARGS, '''
x_new = (ux < conditional_x(W, y, z)).to(x.dtype)
y_new = (uy < conditional_y(W, x, z)).to(y.dtype)
z_new = (uz < conditional_z(W, x, y)).to(z.dtype)
return x_new, y_new, z_new'''),
    "block Gibbs: z sampled with the old y": _fn("block_gibbs_step", _GIBBS_ARGS, '''
x_new = (ux < conditional_x(W, y, z)).to(x.dtype)
y_new = (uy < conditional_y(W, x_new, z)).to(y.dtype)
z_new = (uz < conditional_z(W, x_new, y)).to(z.dtype)
return x_new, y_new, z_new'''),
    "block Gibbs: u > p instead of u < p": _fn("block_gibbs_step", _GIBBS_ARGS, '''
x = (ux > conditional_x(W, y, z)).to(x.dtype)
y = (uy > conditional_y(W, x, z)).to(y.dtype)
z = (uz > conditional_z(W, x, y)).to(z.dtype)
return x, y, z'''),
    "block Gibbs: probabilities returned instead of samples": _fn("block_gibbs_step", _GIBBS_ARGS, '''
px = conditional_x(W, y, z)
x = (ux < px).to(x.dtype)
py = conditional_y(W, x, z)
y = (uy < py).to(y.dtype)
pz = conditional_z(W, x, y)
return px, py, pz'''),
    "block Gibbs: order z, y, x": _fn("block_gibbs_step", _GIBBS_ARGS, '''
z = (uz < conditional_z(W, x, y)).to(z.dtype)
y = (uy < conditional_y(W, x, z)).to(y.dtype)
x = (ux < conditional_x(W, y, z)).to(x.dtype)
return x, y, z'''),
    # --- the marginal and log Z
    "marginal: y and z treated as independent given x": _fn("unnormalized_log_marginal", _MARGINAL_ARGS, '''
A = torch.einsum("ijk,bi->bjk", W, x)
return F.softplus(-A.sum(2)).sum(-1) + F.softplus(-A.sum(1)).sum(-1)'''),
    "marginal: plain sum instead of log-sum-exp": _fn("unnormalized_log_marginal", _MARGINAL_ARGS, _MARGINAL.format(
        result="F.softplus(-field).sum(-1).exp().sum(1).log()")),
    "marginal: log(1 + exp(.)) written out instead of softplus": _fn(
        "unnormalized_log_marginal", _MARGINAL_ARGS, _MARGINAL.format(
            result="torch.logsumexp(torch.log(1 + torch.exp(-field)).sum(-1), dim=1)")),
    "marginal: softplus(+field)": _fn("unnormalized_log_marginal", _MARGINAL_ARGS, _MARGINAL.format(
        result="torch.logsumexp(F.softplus(field).sum(-1), dim=1)")),
    "marginal: the all-zero setting left out": _fn("unnormalized_log_marginal", _MARGINAL_ARGS, _MARGINAL.format(
        result="torch.logsumexp(F.softplus(-field[:, 1:]).sum(-1), dim=1)")),
    "marginal: mean over settings instead of sum (log-mean-exp)": _fn(
        "unnormalized_log_marginal", _MARGINAL_ARGS, _MARGINAL.format(
            result="torch.logsumexp(F.softplus(-field).sum(-1), dim=1) - math.log(states.shape[0])")),
    "log Z: plain sum instead of log-sum-exp": _fn("log_partition", _LOGZ_ARGS, _LOGZ.format(
        result="F.softplus(-h).sum(-1).exp().sum().log()")),
    "log Z: x left out (sum over y and z of exp(0))": _fn("log_partition", _LOGZ_ARGS, _LOGZ.format(
        result="torch.logsumexp(torch.zeros(h.shape[0], dtype=h.dtype), dim=0) + 0 * h.sum()")),
    "log Z: softplus(+h)": _fn("log_partition", _LOGZ_ARGS, _LOGZ.format(
        result="torch.logsumexp(F.softplus(h).sum(-1), dim=0)")),
    # --- the positive phase
    "positive: summed over the batch, not averaged": _positive(result='torch.einsum("bi,bjk->ijk", x, yz)'),
    "positive exact: E[y|x] E[z|x] (y and z independent given x)": _positive(exact='''p_y = torch.einsum("bs,bsj->bj", weights, e_other)
    p_z = torch.einsum("bs,sk->bk", weights, states)
    yz = p_y[:, :, None] * p_z[:, None, :]'''),
    "positive exact: unweighted average over the enumerated settings": _positive(
        exact='yz = torch.einsum("bsj,sk->bjk", e_other, states) / states.shape[0]'),
    "positive mean field: one iteration": _positive(iterations="1"),
    "positive mean field: parallel (Jacobi) updates": _positive(
        mean_field='q_y_old = torch.full_like(A[:, :, 0], 0.5) if _ == 0 else q_y\n'
                   '        q_y = torch.sigmoid(-torch.einsum("bjk,bk->bj", A, q_z))\n'
                   '        q_z = torch.sigmoid(-torch.einsum("bjk,bj->bk", A, q_y_old))'),
    "positive mean field: starts from q(z) = 0": _positive(q_init="0.0"),
    "positive mean field: sigmoid(+field)": _positive(
        mean_field='q_y = torch.sigmoid(torch.einsum("bjk,bk->bj", A, q_z))\n'
                   '        q_z = torch.sigmoid(torch.einsum("bjk,bj->bk", A, q_y))'),
    "positive gibbs: probabilities averaged instead of samples": _positive(
        gibbs='p_y = torch.sigmoid(-torch.einsum("bjk,bk->bj", A, z))\n'
              '        y = (uy[t] < p_y).to(A.dtype)\n'
              '        p_z = torch.sigmoid(-torch.einsum("bjk,bj->bk", A, y))\n'
              '        z = (uz[t] < p_z).to(A.dtype)\n'
              '        y, z = p_y, p_z'),
    "positive gibbs: divides by all steps, burn-in included": _positive(gibbs_count="uy.shape[0]"),
    "positive gibbs: q_z is the last sample, not the average": _positive(gibbs_qz="z"),
    "positive exact: q_z from the enumerated set when it is y": _positive(exact_qz_swap="weights @ states"),
    "positive: q_z is P(z_k = 0 | x), not P(z_k = 1 | x)": _positive(qz_out="1 - q_z"),
    # --- gradients
    "CD: sign flipped (negative - positive)": _cd(result="negative - positive"),
    "CD: negative statistics summed over the batch": _cd(negative='torch.einsum("bi,bj,bk->ijk", x, y, z)'),
    "CD: k ignored (always one sweep)": _cd(steps="1"),
    "CD: probabilities of x in the negative statistics": _cd(
        sweep="y = (uy[t] < conditional_y(W, x, z)).to(x.dtype)\n"
              "    z = (uz[t] < conditional_z(W, x, y)).to(x.dtype)\n"
              "    x = conditional_x(W, y, z) if t == k - 1 else (ux[t] < conditional_x(W, y, z)).to(x.dtype)"),
    "CD: sweeps in the order x, y, z from the data": _cd(
        init="y = torch.zeros(x.shape[0], W.shape[1], dtype=x.dtype)",
        sweep="x = (ux[t] < conditional_x(W, y, z)).to(x.dtype)\n"
              "    y = (uy[t] < conditional_y(W, x, z)).to(x.dtype)\n"
              "    z = (uz[t] < conditional_z(W, x, y)).to(x.dtype)"),
    "CD: the chain starts at z = 0, not from the positive phase": _cd(
        start="torch.zeros(x.shape[0], W.shape[2], dtype=x.dtype)"),
    "CD: the chain starts at the probabilities q_z, not a sample": _cd(start="q_z.clone()"),
    "CD: the starting z drawn with u0 > q_z": _cd(start="(u0 > q_z).to(x.dtype)"),
    "CD: the starting z drawn with uz[0] instead of u0": _cd(start="(uz[0] < q_z).to(x.dtype)"),
    "CD: the data overwritten in place": _cd(
        sweep="y = (uy[t] < conditional_y(W, x, z)).to(x.dtype)\n"
              "    z = (uz[t] < conditional_z(W, x, y)).to(x.dtype)\n"
              "    x.copy_((ux[t] < conditional_x(W, y, z)).to(x.dtype))"),
    "exact gradient: sign flipped": _exact(result='negative - positive_statistics(W, x, "exact")[0]'),
    "exact gradient: the model term with uniform P(y, z)": _exact(
        p_yz="torch.full((h.shape[0],), 1.0 / h.shape[0], dtype=h.dtype)"),
    "exact gradient: E[x | y, z] with the wrong sign": _exact(x_mean="torch.sigmoid(h)"),
    "exact gradient: positive phase only": _exact(result='positive_statistics(W, x, "exact")[0]'),
    # Evasions of the rules and of the cost that question 8(b) asks for.
    "exact gradient: autograd of the exact NLL": {"exact_nll_gradient": '''
def exact_nll_gradient(W, x):
    W = W.detach().clone().requires_grad_(True)
    nll = -(unnormalized_log_marginal(W, x) - log_partition(W)).mean()
    (grad,) = torch.autograd.grad(nll, W)
    return grad
'''},
    "exact gradient: torch.func.grad through a local alias": {"exact_nll_gradient": '''
def exact_nll_gradient(W, x):
    t = torch
    nll = lambda V: -(unnormalized_log_marginal(V, x) - log_partition(V)).mean()  # noqa: E731
    return t.func.grad(nll)(W)
'''},
    "exact gradient: jacrev imported from torch._functorch inside": {"exact_nll_gradient": '''
def exact_nll_gradient(W, x):
    from torch._functorch.eager_transforms import jacrev as derivative

    return derivative(lambda V: -(unnormalized_log_marginal(V, x) - log_partition(V)).mean())(W)
'''},
    "marginal always enumerates y, whatever M and K": {"unnormalized_log_marginal": '''
def unnormalized_log_marginal(W, x):
    A = torch.einsum("ijk,bi->bjk", W, x).transpose(1, 2)  # (B, K, M): y enumerated
    states = all_states(A.shape[2], A.dtype, A.device)
    return torch.logsumexp(F.softplus(-torch.einsum("bjk,sk->bsj", A, states)).sum(-1), dim=1)
'''},
    "marginal always enumerates z, whatever M and K": {"unnormalized_log_marginal": '''
def unnormalized_log_marginal(W, x):
    A = torch.einsum("ijk,bi->bjk", W, x)
    states = all_states(A.shape[2], A.dtype, A.device)
    return torch.logsumexp(F.softplus(-torch.einsum("bjk,sk->bsj", A, states)).sum(-1), dim=1)
'''},
    "marginal enumerates both latent sets": {"unnormalized_log_marginal": '''
def unnormalized_log_marginal(W, x):
    _, m, k = W.shape
    yz = all_states(m + k, W.dtype, W.device)
    energies = torch.einsum("ijk,bi,sj,sk->bs", W, x, yz[:, :m], yz[:, m:])
    return torch.logsumexp(-energies, dim=1)
'''},
}

# The sample class's partial student: the reference with these mutants.
SAMPLE_PARTIAL = ["block Gibbs: parallel update from the old state", "positive mean field: one iteration"]


def _mistake(en: str, fr: str, hint_en: str, hint_fr: str) -> dict[str, str]:
    return {"en": en, "fr": fr, "hint_en": hint_en, "hint_fr": hint_fr}


def _conditional_sign(unit: str, given: str) -> dict[str, str]:
    return _mistake(
        f"P({unit} = 1 | {given}) takes the energy with the wrong sign: it is the probability of {unit} = 0",
        f"P({unit} = 1 | {given}) prend l'énergie avec le mauvais signe : c'est la probabilité que {unit} = 0",
        f"Compare exp(-E) at {unit} = 1 and at {unit} = 0: when the coupling of {unit} is large and positive, which "
        "value should be more likely, and which does your sigmoid favour?",
        f"Comparez exp(-E) en {unit} = 1 et en {unit} = 0 : quand le couplage de {unit} est grand et positif, quelle "
        "valeur doit être la plus probable, et laquelle votre sigmoïde favorise-t-elle ?")


# Descriptions shared by mutants that make the same mistake (in different functions, or with the same outputs).
_WRONG_AXES = _mistake(
    "a conditional contracts W's axes with the wrong variables (W is indexed (i, j, k) for (x, y, z))",
    "une loi conditionnelle contracte les axes de W avec les mauvaises variables (W est indexé (i, j, k) pour "
    "(x, y, z))",
    "W has shape (N, M, K): with which axis of W must x, y and z each be contracted in your einsum?",
    "W est de forme (N, M, K) : avec quel axe de W x, y et z doivent-ils chacun être contractés dans votre einsum ?")
_MARGINAL_OVERFLOW = _mistake(
    "exponentiates the energies directly, so log P(x) + log Z overflows float64 for large weights",
    "prend directement l'exponentielle des énergies : exp(-E) dépasse la capacité de float64 pour de grands poids",
    "With weights of scale 200, which of your intermediate values can float64 not hold?",
    "Avec des poids d'échelle 200, laquelle de vos valeurs intermédiaires sort du domaine de float64 ?")
_SOFTPLUS_SIGN = _mistake(
    "summing a set of units out in closed form uses the energy with the wrong sign (softplus(+field))",
    "la somme sous forme close sur un ensemble d'unités prend l'énergie avec le mauvais signe (softplus(+champ))",
    "Σ over a unit u ∈ {0, 1} of exp(-u a) equals 1 + exp(what)?",
    "La somme sur une unité u ∈ {0, 1} de exp(-u a) vaut 1 + exp(quoi) ?")
_EXACT_AUTOGRAD = _mistake(
    "computes the exact gradient with autograd where Task 8.6 asks for it by enumeration",
    "calcule le gradient exact par différentiation automatique (autograd) alors que la tâche 8.6 le demande par "
    "énumération",
    "What does Task 8.6 say about autograd, and which two expectations of x_i y_j z_k make up ∂(-log P(x))/∂W_ijk?",
    "Que dit la tâche 8.6 de l'autograd, et quelles deux espérances de x_i y_j z_k composent ∂(-log P(x))/∂W_ijk ?")

MISTAKES = {
    # --- energy and conditionals
    "energy: sign flipped": _mistake(
        "the energy has the wrong sign",
        "l'énergie a le mauvais signe",
        "With N = M = K = 1, W = 1 and x = y = z = 1, what does your energy give, and what does the exam's definition give?",
        "Avec N = M = K = 1, W = 1 et x = y = z = 1, que donne votre énergie, et que donne la définition de l'examen ?"),
    "energy: summed over the batch": _mistake(
        "the energy is summed over the batch instead of one value per row, shape (B,)",
        "l'énergie est sommée sur le lot au lieu d'une valeur par ligne, de forme (B,)",
        "What shape does Task 8.1 ask energy to return?",
        "Quelle forme la tâche 8.1 demande-t-elle pour le résultat d'energy ?"),
    "conditional x: sigmoid(+sum) instead of sigmoid(-sum)": _conditional_sign("x_i", "y, z"),
    "conditional y: sigmoid(+sum) instead of sigmoid(-sum)": _conditional_sign("y_j", "x, z"),
    "conditional z: sigmoid(+sum) instead of sigmoid(-sum)": _conditional_sign("z_k", "x, y"),
    "conditional y: W's last two axes swapped": _WRONG_AXES,
    "conditional z: x and y contracted with each other's axes": _WRONG_AXES,
    "conditional z: y ignored": _mistake(
        "P(z_k = 1 | x, y) leaves y out of the coupling of z_k",
        "P(z_k = 1 | x, y) omet y dans le couplage de z_k",
        "In E = Σ_ijk W_ijk x_i y_j z_k, what multiplies z_k, and where does y appear in it?",
        "Dans E = Σ_ijk W_ijk x_i y_j z_k, qu'est-ce qui multiplie z_k, et où y y apparaît-il ?"),
    "conditional x: z ignored": _mistake(
        "P(x_i = 1 | y, z) leaves z out of the coupling of x_i",
        "P(x_i = 1 | y, z) omet z dans le couplage de x_i",
        "In E = Σ_ijk W_ijk x_i y_j z_k, what multiplies x_i, and where does z appear in it?",
        "Dans E = Σ_ijk W_ijk x_i y_j z_k, qu'est-ce qui multiplie x_i, et où z y apparaît-il ?"),
    "conditional y: 1 - sigmoid(-sum), the probability of 0": _conditional_sign("y_j", "x, z"),
    # --- block Gibbs
    "block Gibbs: parallel update from the old state": _mistake(
        "all three blocks are sampled from the old state instead of each from the values just drawn",
        "les trois blocs sont tirés à partir de l'ancien état au lieu de l'être chacun à partir des valeurs qui "
        "viennent d'être tirées",
        "When the sweep samples y, which x does Task 8.2 condition on: the one before the sweep or the one just "
        "drawn?",
        "Quand le balayage tire y, sur quel x la tâche 8.2 conditionne-t-elle : celui d'avant le balayage ou celui qui "
        "vient d'être tiré ?"),
    "block Gibbs: z sampled with the old y": _mistake(
        "z is sampled given the old y instead of the y just drawn",
        "z est tiré sachant l'ancien y au lieu du y qui vient d'être tiré",
        "When the sweep samples z, which y does Task 8.2 condition on?",
        "Quand le balayage tire z, sur quel y la tâche 8.2 conditionne-t-elle ?"),
    "block Gibbs: u > p instead of u < p": _mistake(
        "a unit is set to 1 where its uniform is above its probability, so it fires with probability 1 - p",
        "une unité vaut 1 là où son tirage uniforme dépasse sa probabilité : elle s'active avec probabilité 1 - p",
        "If u is uniform on [0, 1], what is the probability that u > p?",
        "Si u est uniforme sur [0, 1], quelle est la probabilité que u > p ?"),
    "block Gibbs: probabilities returned instead of samples": _mistake(
        "returns the conditional probabilities instead of 0/1 samples",
        "renvoie les probabilités conditionnelles au lieu d'échantillons 0/1",
        "What does a block-Gibbs sweep hand to the next sweep: probabilities or binary states?",
        "Que transmet un balayage de Gibbs par blocs au balayage suivant : des probabilités ou des états binaires ?"),
    "block Gibbs: order z, y, x": _mistake(
        "the blocks are sampled in the order z, y, x instead of the task's order",
        "les blocs sont tirés dans l'ordre z, y, x au lieu de l'ordre de l'énoncé",
        "In which order does Task 8.2 sample the three blocks?",
        "Dans quel ordre la tâche 8.2 tire-t-elle les trois blocs ?"),
    # --- the marginal and log Z
    "marginal: y and z treated as independent given x": _mistake(
        "sums y and z out separately, as if they were independent given x, though the energy couples them",
        "somme sur y et sur z séparément, comme s'ils étaient indépendants sachant x, alors que l'énergie les couple",
        "Given x, does the energy Σ_jk A_jk y_j z_k split into a term in y alone plus a term in z alone?",
        "Sachant x, l'énergie Σ_jk A_jk y_j z_k se sépare-t-elle en un terme en y seul plus un terme en z seul ?"),
    "marginal: plain sum instead of log-sum-exp": _MARGINAL_OVERFLOW,
    "marginal: log(1 + exp(.)) written out instead of softplus": _MARGINAL_OVERFLOW,
    "marginal: softplus(+field)": _SOFTPLUS_SIGN,
    "marginal: the all-zero setting left out": _mistake(
        "the sum over the enumerated latent set leaves out the all-zero setting",
        "la somme sur l'ensemble latent énuméré omet la configuration nulle",
        "all_states(n) has 2^n rows: does your sum use every one of them, the zero vector included?",
        "all_states(n) a 2^n lignes : votre somme les utilise-t-elle toutes, vecteur nul compris ?"),
    "marginal: mean over settings instead of sum (log-mean-exp)": _mistake(
        "averages over the enumerated settings instead of summing them",
        "fait la moyenne sur les configurations énumérées au lieu de leur somme",
        "Is there a 1/2^K in front of the sum in log Σ_{y, z} exp(-E(x, y, z))?",
        "Y a-t-il un 1/2^K devant la somme dans log Σ_{y, z} exp(-E(x, y, z)) ?"),
    "log Z: plain sum instead of log-sum-exp": _mistake(
        "exponentiates directly before summing, so log Z overflows float64 for large weights",
        "prend directement l'exponentielle avant de sommer : exp(-E) dépasse la capacité de float64 pour de grands "
        "poids",
        "With weights of scale 100, which of your intermediate values can float64 not hold?",
        "Avec des poids d'échelle 100, laquelle de vos valeurs intermédiaires sort du domaine de float64 ?"),
    "log Z: x left out (sum over y and z of exp(0))": _mistake(
        "x is left out of Z: every setting of (y, z) counts exp(0), whatever W",
        "x est omis de Z : chaque configuration de (y, z) compte pour exp(0), quel que soit W",
        "Does your log Z change when W changes?",
        "Votre log Z change-t-il quand W change ?"),
    "log Z: softplus(+h)": _SOFTPLUS_SIGN,
    # --- the positive phase
    "positive: summed over the batch, not averaged": _mistake(
        "the positive statistics are summed over the batch instead of averaged",
        "les statistiques positives sont sommées sur le lot au lieu d'être moyennées",
        "Task 8.4 asks for the statistics averaged over the batch: what do you divide by?",
        "La tâche 8.4 demande les statistiques moyennées sur le lot : par quoi divisez-vous ?"),
    "positive exact: E[y|x] E[z|x] (y and z independent given x)": _mistake(
        "the exact positive phase takes E[y_j z_k | x] as E[y_j | x] E[z_k | x], as if y and z were independent "
        "given x",
        "la phase positive exacte remplace E[y_j z_k | x] par E[y_j | x] E[z_k | x], comme si y et z étaient "
        "indépendants sachant x",
        "Given x, the energy couples y and z through A_jk y_j z_k: is E[y_j z_k | x] the product of the two means?",
        "Sachant x, l'énergie couple y et z par A_jk y_j z_k : E[y_j z_k | x] est-elle le produit des deux "
        "moyennes ?"),
    "positive exact: unweighted average over the enumerated settings": _mistake(
        "the enumerated settings are averaged uniformly instead of weighted by their probability given x",
        "les configurations énumérées sont moyennées uniformément au lieu d'être pondérées par leur probabilité "
        "sachant x",
        "Is every setting of the enumerated latent set equally likely given x?",
        "Toutes les configurations de l'ensemble latent énuméré sont-elles équiprobables sachant x ?"),
    "positive mean field: one iteration": _mistake(
        "the mean-field loop runs once instead of `iterations` times",
        "la boucle du champ moyen ne tourne qu'une fois au lieu de `iterations` fois",
        "How many times does your loop run when the option iterations is 10?",
        "Combien de fois votre boucle tourne-t-elle quand l'option iterations vaut 10 ?"),
    "positive mean field: parallel (Jacobi) updates": _mistake(
        "the mean field updates q(z) from the previous q(y) instead of the q(y) just computed",
        "le champ moyen met à jour q(z) à partir de l'ancien q(y) au lieu du q(y) qui vient d'être calculé",
        "When you update q(z), which q(y) does the task use: the previous iteration's or the new one?",
        "Quand vous mettez à jour q(z), quel q(y) l'énoncé utilise-t-il : celui de l'itération précédente ou le "
        "nouveau ?"),
    "positive mean field: starts from q(z) = 0": _mistake(
        "the mean field starts from q(z_k = 1) = 0 instead of the task's starting point",
        "le champ moyen part de q(z_k = 1) = 0 au lieu du point de départ de l'énoncé",
        "Where does Task 8.4's mean field start q(z_k = 1)?",
        "D'où le champ moyen de la tâche 8.4 fait-il partir q(z_k = 1) ?"),
    "positive mean field: sigmoid(+field)": _mistake(
        "the mean-field updates take the energy with the wrong sign inside the sigmoid",
        "les mises à jour du champ moyen prennent l'énergie avec le mauvais signe dans la sigmoïde",
        "The mean-field update of q(y_j) has the form of P(y_j = 1 | x, z): which sign does that sigmoid's argument "
        "carry?",
        "La mise à jour de q(y_j) en champ moyen a la forme de P(y_j = 1 | x, z) : quel signe porte l'argument de "
        "cette sigmoïde ?"),
    "positive gibbs: probabilities averaged instead of samples": _mistake(
        "the Gibbs estimate averages conditional probabilities instead of the sampled y_j z_k",
        "l'estimation par Gibbs moyenne des probabilités conditionnelles au lieu des y_j z_k échantillonnés",
        "Which quantity does Task 8.4 average over the Gibbs steps: the samples' y_j z_k, or probabilities?",
        "Quelle quantité la tâche 8.4 moyenne-t-elle sur les pas de Gibbs : les y_j z_k des échantillons, ou des "
        "probabilités ?"),
    "positive gibbs: divides by all steps, burn-in included": _mistake(
        "the Gibbs average divides by every step, burn-in included, though only the steps after burn-in are summed",
        "la moyenne de Gibbs divise par tous les pas, rodage (burn-in) compris, alors que seuls les pas d'après le "
        "rodage sont sommés",
        "How many terms does your sum hold, and what do you divide it by?",
        "Combien de termes votre somme contient-elle, et par quoi la divisez-vous ?"),
    "positive gibbs: q_z is the last sample, not the average": _mistake(
        "q_z is the last Gibbs sample of z instead of its average over the kept steps",
        "q_z est le dernier échantillon de Gibbs de z au lieu de sa moyenne sur les pas retenus",
        "Is a single 0/1 sample an estimate of P(z_k = 1 | x) as good as the task's?",
        "Un seul échantillon 0/1 est-il une estimation de P(z_k = 1 | x) aussi bonne que celle de l'énoncé ?"),
    "positive exact: q_z from the enumerated set when it is y": _mistake(
        "when y is the enumerated set, q_z is computed from y's enumerated settings, so it estimates the marginal of y",
        "quand y est l'ensemble énuméré, q_z est calculé à partir des configurations énumérées de y : il estime la "
        "marginale de y",
        "When M < K and you enumerate y, which tensor holds E[z_k | x, y] for each enumerated setting?",
        "Quand M < K et que vous énumérez y, quel tenseur contient E[z_k | x, y] pour chaque configuration "
        "énumérée ?"),
    "positive: q_z is P(z_k = 0 | x), not P(z_k = 1 | x)": _mistake(
        "q_z estimates P(z_k = 0 | x) instead of P(z_k = 1 | x)",
        "q_z estime P(z_k = 0 | x) au lieu de P(z_k = 1 | x)",
        "What should q_z be for a unit z_k that is almost surely 1 given x?",
        "Que doit valoir q_z pour une unité z_k qui vaut presque sûrement 1 sachant x ?"),
    # --- gradients
    "CD: sign flipped (negative - positive)": _mistake(
        "the CD gradient has the wrong sign: model statistics minus data statistics",
        "le gradient CD a le mauvais signe : statistiques du modèle moins statistiques des données",
        "The task wants the gradient of -log P(x), used as W ← W - lr · gradient: which statistics carry the plus "
        "sign?",
        "L'énoncé veut le gradient de -log P(x), utilisé comme W ← W - lr · gradient : quelles statistiques portent "
        "le signe plus ?"),
    "CD: negative statistics summed over the batch": _mistake(
        "the negative statistics are summed over the batch instead of averaged like the positive ones",
        "les statistiques négatives sont sommées sur le lot au lieu d'être moyennées comme les positives",
        "The positive statistics are a batch mean: are your chain's statistics on the same scale?",
        "Les statistiques positives sont une moyenne sur le lot : celles de votre chaîne sont-elles à la même "
        "échelle ?"),
    "CD: k ignored (always one sweep)": _mistake(
        "the negative chain runs one sweep whatever k",
        "la chaîne négative fait un seul balayage quel que soit k",
        "How many sweeps does your chain run when k = 2?",
        "Combien de balayages votre chaîne fait-elle quand k = 2 ?"),
    "CD: probabilities of x in the negative statistics": _mistake(
        "the chain's last x enters the negative statistics as probabilities instead of a 0/1 sample",
        "le dernier x de la chaîne entre dans les statistiques négatives sous forme de probabilités au lieu d'un "
        "échantillon 0/1",
        "The chain's statistics are taken at its final samples: is your final x a sample?",
        "Les statistiques de la chaîne sont prises à ses derniers échantillons : votre dernier x est-il un "
        "échantillon ?"),
    "CD: sweeps in the order x, y, z from the data": _mistake(
        "each sweep samples x first, then y and z, instead of the task's order starting from the data",
        "chaque balayage tire d'abord x, puis y et z, au lieu de l'ordre de l'énoncé qui part des données",
        "In which order does each of Task 8.5's sweeps sample the blocks, and what does the chain keep of the data?",
        "Dans quel ordre chaque balayage de la tâche 8.5 tire-t-il les blocs, et que garde la chaîne des données ?"),
    "CD: the chain starts at z = 0, not from the positive phase": _mistake(
        "the negative chain starts at z = 0 instead of a z drawn from the positive phase's q_z",
        "la chaîne négative part de z = 0 au lieu d'un z tiré selon le q_z de la phase positive",
        "Where does Task 8.5's convention start the chain's z?",
        "D'où la convention de la tâche 8.5 fait-elle partir le z de la chaîne ?"),
    "CD: the chain starts at the probabilities q_z, not a sample": _mistake(
        "the negative chain starts at the probabilities q_z instead of a 0/1 sample drawn from them",
        "la chaîne négative part des probabilités q_z au lieu d'un échantillon 0/1 tiré selon elles",
        "Is the chain's starting z a binary state, as the units of the model are?",
        "Le z de départ de la chaîne est-il un état binaire, comme les unités du modèle ?"),
    "CD: the starting z drawn with u0 > q_z": _mistake(
        "the starting z is 1 where u0 is above q_z, so it fires with probability 1 - q_z",
        "le z de départ vaut 1 là où u0 dépasse q_z : il s'active avec probabilité 1 - q_z",
        "If u0 is uniform on [0, 1], what is the probability that u0 > q_z?",
        "Si u0 est uniforme sur [0, 1], quelle est la probabilité que u0 > q_z ?"),
    "CD: the starting z drawn with uz[0] instead of u0": _mistake(
        "the starting z is drawn with the first sweep's uniforms uz[0] instead of u0",
        "le z de départ est tiré avec les tirages uniformes uz[0] du premier balayage au lieu de u0",
        "Which of the four uniforms does Task 8.5 reserve for the chain's starting z?",
        "Lequel des quatre tenseurs de tirages uniformes la tâche 8.5 réserve-t-elle au z de départ de la chaîne ?"),
    "CD: the data overwritten in place": _mistake(
        "the chain writes its samples into the data tensor x in place, modifying the caller's data",
        "la chaîne écrit ses échantillons en place dans le tenseur de données x, modifiant les données de l'appelant",
        "After your function returns, does the caller's x still hold the data?",
        "Après l'appel de votre fonction, le x de l'appelant contient-il encore les données ?"),
    "exact gradient: sign flipped": _mistake(
        "the exact gradient has the wrong sign: model term minus data term",
        "le gradient exact a le mauvais signe : terme du modèle moins terme des données",
        "Gradient descent uses W ← W - lr · gradient of -log P(x): which term carries the plus sign?",
        "La descente de gradient utilise W ← W - lr · gradient de -log P(x) : quel terme porte le signe plus ?"),
    "exact gradient: the model term with uniform P(y, z)": _mistake(
        "the model term weights the latent settings uniformly instead of by their probability P(y, z) under the "
        "model",
        "le terme du modèle pondère les configurations latentes uniformément au lieu de leur probabilité P(y, z) "
        "sous le modèle",
        "In E_P[x_i y_j z_k], is every (y, z) equally likely under the model?",
        "Dans E_P[x_i y_j z_k], tous les (y, z) sont-ils équiprobables sous le modèle ?"),
    "exact gradient: E[x | y, z] with the wrong sign": _mistake(
        "E[x_i | y, z] in the model term takes the energy with the wrong sign: it is the probability of x_i = 0",
        "E[x_i | y, z] dans le terme du modèle prend l'énergie avec le mauvais signe : c'est la probabilité que "
        "x_i = 0",
        "Is E[x_i | y, z] the same quantity as your conditional_x?",
        "E[x_i | y, z] est-elle la même quantité que votre conditional_x ?"),
    "exact gradient: positive phase only": _mistake(
        "returns only the data term, leaving out the model's term that comes from log Z",
        "ne renvoie que le terme des données, sans le terme du modèle qui vient de log Z",
        "-log P(x) = -log Σ_{y, z} exp(-E) + log Z: what does log Z contribute to the gradient?",
        "-log P(x) = -log Σ_{y, z} exp(-E) + log Z : qu'apporte log Z au gradient ?"),
    # Evasions of the rules and of the cost that question 8(b) asks for.
    "exact gradient: autograd of the exact NLL": _EXACT_AUTOGRAD,
    "exact gradient: torch.func.grad through a local alias": _EXACT_AUTOGRAD,
    "exact gradient: jacrev imported from torch._functorch inside": _EXACT_AUTOGRAD,
    "marginal always enumerates y, whatever M and K": _mistake(
        "always enumerates y, even when y is the larger latent set, so it cannot finish when M is large",
        "énumère toujours y, même quand y est le plus grand ensemble latent : le calcul ne peut pas aboutir quand M "
        "est grand",
        "How many settings does your marginal enumerate when M = 48 and K = 3?",
        "Combien de configurations votre marginale énumère-t-elle quand M = 48 et K = 3 ?"),
    "marginal always enumerates z, whatever M and K": _mistake(
        "always enumerates z, even when z is the larger latent set, so it cannot finish when K is large",
        "énumère toujours z, même quand z est le plus grand ensemble latent : le calcul ne peut pas aboutir quand K "
        "est grand",
        "How many settings does your marginal enumerate when M = 3 and K = 48?",
        "Combien de configurations votre marginale énumère-t-elle quand M = 3 et K = 48 ?"),
    "marginal enumerates both latent sets": _mistake(
        "enumerates every joint setting of y and z, 2^(M + K) terms, which Task 8.3 rules out",
        "énumère toutes les configurations conjointes de y et z, 2^(M + K) termes, ce que la tâche 8.3 exclut",
        "Given x and one latent set, can the other set be summed out in closed form, unit by unit?",
        "Sachant x et l'un des ensembles latents, peut-on sommer l'autre sous forme close, unité par unité ?"),
}
