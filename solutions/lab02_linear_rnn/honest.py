"""Correct implementations of Lab 2's functions in the styles students write: name -> {function: replacement source}.
Every one must keep full marks (the mirror of mutants.py)."""

HONEST = {
    "unroll into a preallocated tensor with addmv": {"rnn_unroll": '''
def rnn_unroll(W, U, b, h0, xs):
    out = torch.empty(xs.shape[0] + 1, h0.shape[0], dtype=h0.dtype)
    out[0] = h0
    for t in range(xs.shape[0]):
        out[t + 1] = torch.addmv(U @ xs[t] + b, W, out[t])
    return out
'''},
    "closed form with the Tensor method W.matrix_power": {"rnn_closed_form": '''
def rnn_closed_form(W, U, b, h0, xs):
    T = len(xs)
    h = W.matrix_power(T) @ h0
    for k in range(1, T + 1):
        h += W.matrix_power(T - k) @ (U @ xs[k - 1] + b)
    return h
'''},
    "closed form vectorised: stacked powers and one einsum": {"rnn_closed_form": '''
def rnn_closed_form(W, U, b, h0, xs):
    T = xs.shape[0]
    powers = torch.stack([torch.linalg.matrix_power(W, T - k) for k in range(1, T + 1)]) if T else None
    h = torch.linalg.matrix_power(W, T) @ h0
    if T:
        drive = xs @ U.T + b  # (T, n): U x_k + b for every k
        h = h + torch.einsum("kij,kj->i", powers, drive)
    return h
'''},
    "closed form with matrix_power imported inside the function": {"rnn_closed_form": '''
def rnn_closed_form(W, U, b, h0, xs):
    from torch.linalg import matrix_power as mpow

    T = xs.shape[0]
    terms = [mpow(W, T) @ h0] + [mpow(W, T - k) @ (U @ xs[k - 1] + b) for k in range(1, T + 1)]
    return torch.stack(terms).sum(dim=0)
'''},
    "closed form through a helper for each term": {"rnn_closed_form": '''
def _term(W, k, v):
    return torch.matrix_power(W, k) @ v


def rnn_closed_form(W, U, b, h0, xs):
    T = xs.shape[0]
    total = _term(W, T, h0)
    for k, x in enumerate(xs, start=1):
        total = total + _term(W, T - k, U @ x + b)
    return total
'''},
    "Jacobian with matrix_power imported inside and the error first": {"jacobian_h_t_h0": '''
def jacobian_h_t_h0(W, t):
    from torch.linalg import matrix_power

    if t >= 0:
        return matrix_power(W, t)
    raise ValueError(f"t must be non-negative, got {t} / t doit être positif ou nul, reçu {t}")
'''},
    "regime with the eigenvalues inline and a local named spectral_radius": {"asymptotic_regime": '''
def asymptotic_regime(W, tol=1e-6):
    spectral_radius = float(torch.linalg.eigvals(W).abs().max())
    if abs(spectral_radius - 1) <= tol:
        return "marginal"
    return "vanishing" if spectral_radius < 1 else "exploding"
'''},
    "batched states with addmm into a preallocated tensor": {"LinearRNN.hidden_states": '''
def hidden_states(self, xs, h0=None):
    B, T = xs.shape[0], xs.shape[1]
    out = xs.new_zeros(B, T + 1, self.W.shape[0])
    if h0 is not None:
        out[:, 0] = h0
    for t in range(T):
        out[:, t + 1] = torch.addmm(self.b, out[:, t], self.W.T) + xs[:, t] @ self.U.T
    return out
'''},
}
