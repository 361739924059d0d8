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
