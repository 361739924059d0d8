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
}
