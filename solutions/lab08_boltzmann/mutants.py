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
