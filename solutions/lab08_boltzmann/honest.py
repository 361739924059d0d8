"""Correct implementations of Lab 8's functions in the styles students write: name -> {function: replacement source}.
Every one must keep full marks (the mirror of mutants.py)."""

HONEST = {
    "energy with tensordot and a batched product": {"energy": '''
def energy(W, x, y, z):
    Wx = torch.tensordot(x, W, dims=([1], [0]))  # (B, M, K)
    return (Wx * y[:, :, None] * z[:, None, :]).sum(dim=(1, 2))
'''},
    "conditionals through one helper": {"conditional_x": '''
def _field(W, spec, a, b):
    return torch.einsum(spec, W, a, b)


def conditional_x(W, y, z):
    return 1 / (1 + torch.exp(_field(W, "ijk,bj,bk->bi", y, z)))
'''},
    "Gibbs step with torch.bernoulli-free comparisons and type_as": {"block_gibbs_step": '''
def block_gibbs_step(W, x, y, z, ux, uy, uz):
    x_new = (ux < conditional_x(W, y, z)).type_as(x)
    y_new = (uy < conditional_y(W, x_new, z)).type_as(y)
    z_new = (uz < conditional_z(W, x_new, y_new)).type_as(z)
    return x_new, y_new, z_new
'''},
    "marginal enumerating the smaller set by bit arithmetic, with a local named like a module function": {
        "unnormalized_log_marginal": '''
def unnormalized_log_marginal(W, x):
    import torch.nn.functional as F

    A = torch.einsum("ijk,bi->bjk", W, x)
    if A.shape[1] < A.shape[2]:
        A = A.transpose(1, 2).contiguous()
    n = A.shape[2]
    all_states = ((torch.arange(2**n)[:, None] >> torch.arange(n)) & 1).to(A.dtype)  # the smaller set's settings
    log_terms = F.softplus(-(A @ all_states.T)).sum(dim=1)  # (B, S): the other set summed analytically
    return torch.logsumexp(log_terms, dim=1)
'''},
    "marginal looping over the enumerated settings with a running log-sum-exp": {"unnormalized_log_marginal": '''
def unnormalized_log_marginal(W, x):
    A = torch.einsum("ijk,bi->bjk", W, x)
    if A.shape[2] > A.shape[1]:
        A = A.transpose(1, 2)
    total = None
    for s in all_states(A.shape[2], A.dtype):
        term = F.softplus(-(A @ s)).sum(-1)
        total = term if total is None else torch.logaddexp(total, term)
    return total
'''},
    "log Z with itertools.product over (y, z) in chunks of one": {"log_partition": '''
def log_partition(W, chunk=4096):
    import itertools

    _, m, k = W.shape
    terms = []
    for bits in itertools.product((0.0, 1.0), repeat=m + k):
        s = torch.tensor(bits, dtype=W.dtype)
        h = torch.einsum("ijk,j,k->i", W, s[:m], s[m:])
        terms.append(F.softplus(-h).sum())
    return torch.logsumexp(torch.stack(terms), 0)
'''},
    "exact gradient with the model's expectation through conditional_x and a local named positive_statistics": {
        "exact_nll_gradient": '''
def exact_nll_gradient(W, x):
    _, m, k = W.shape
    yz = all_states(m + k, W.dtype)
    ys, zs = yz[:, :m], yz[:, m:]
    log_weight = F.softplus(torch.einsum("ijk,sj,sk->si", W, ys, zs).neg()).sum(1)
    p = (log_weight - torch.logsumexp(log_weight, 0)).exp()
    ex = conditional_x(W, ys, zs)  # E[x | y, z], (S, N)
    model = torch.einsum("s,si,sj,sk->ijk", p, ex, ys, zs)
    positive_statistics_, _ = positive_statistics(W, x)
    return positive_statistics_ - model
'''},
    "CD-k with the chain in a while loop and float32-safe casts": {"cd_gradient": '''
def cd_gradient(W, x, k, positive, q_z, uniforms):
    u0, ux, uy, uz = uniforms
    xs, z = x.clone(), (u0 < q_z).to(x.dtype)
    t = 0
    while t < k:
        y = (uy[t] < conditional_y(W, xs, z)).to(x.dtype)
        z = (uz[t] < conditional_z(W, xs, y)).to(x.dtype)
        xs = (ux[t] < conditional_x(W, y, z)).to(x.dtype)
        t += 1
    return positive - torch.einsum("bi,bj,bk->ijk", xs, y, z) / len(xs)
'''},
}
