"""Correct implementations of Lab 6's functions in the styles students write: name -> {function: replacement source}.
Every one must keep full marks (the mirror of mutants.py)."""

HONEST = {
    "KL with torch.sum and exp of logvar in a local": {"kl_diag_gaussian_std_normal": '''
def kl_diag_gaussian_std_normal(mu, logvar):
    var = torch.exp(logvar)
    return torch.sum(mu.pow(2) + var - logvar - 1, dim=-1) / 2
'''},
    "full KL with cholesky_solve, logdet and a trace": {"gaussian_kl": '''
def gaussian_kl(mean_q, cov_q, mean_p, cov_p):
    k = mean_q.shape[-1]
    L = torch.linalg.cholesky(cov_p)
    cov_q_b, L_b = torch.broadcast_tensors(cov_q, L)
    trace = torch.cholesky_solve(cov_q_b, L_b).diagonal(dim1=-2, dim2=-1).sum(-1)
    diff = (mean_p - mean_q).unsqueeze(-1)
    diff_b, L_d = torch.broadcast_tensors(diff, L[..., :1].expand(*L.shape[:-1], 1))
    L_full = L.expand(*diff_b.shape[:-2], k, k)
    maha = (diff_b * torch.cholesky_solve(diff_b, L_full)).sum((-2, -1))
    return 0.5 * (trace + maha - k + torch.logdet(cov_p) - torch.logdet(cov_q))
'''},
    "reparameterize with addcmul": {"reparameterize": '''
def reparameterize(mu, logvar, eps):
    return torch.addcmul(mu, (0.5 * logvar).exp(), eps)
'''},
    "ELBO with the Bernoulli log-likelihood written out (logsigmoid) and a local named like a module function": {
        "elbo": '''
def elbo(x, mu, logvar, decoder, eps):
    import torch.nn.functional as F

    logits = decoder(mu + torch.exp(0.5 * logvar) * eps)
    log_px = (x * F.logsigmoid(logits) + (1 - x) * F.logsigmoid(-logits)).sum(-1).mean(0)
    kl_diag_gaussian_std_normal = 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(-1)
    return log_px - kl_diag_gaussian_std_normal
'''},
    "IWAE bound by hand: max-shifted log-sum-exp": {"iwae_bound": '''
def iwae_bound(log_weights):
    top = log_weights.max(dim=0, keepdim=True).values
    return (log_weights - top).exp().mean(dim=0).log() + top.squeeze(0)
'''},
    "PPCA marginal with slogdet and a linear solve": {"ppca_log_marginal": '''
def ppca_log_marginal(x, W, mu, sigma2):
    d = x.shape[1]
    C = W @ W.T + sigma2 * torch.eye(d, dtype=x.dtype)
    centred = x - mu
    quad = (centred * torch.linalg.solve(C, centred.T).T).sum(1)
    return -0.5 * (quad + torch.linalg.slogdet(C).logabsdet + d * math.log(2 * math.pi))
'''},
    "PPCA ELBO with the expected log-likelihood through a helper": {"ppca_elbo": '''
def _expected_gaussian_ll(x, W, mu, sigma2, m, var):
    d = x.shape[-1]
    sq = ((x - mu - m @ W.T) ** 2).sum(-1) + var @ (W * W).sum(0)
    return -0.5 * d * math.log(2 * math.pi * sigma2) - 0.5 * sq / sigma2


def ppca_elbo(x, W, mu, sigma2, m, logvar):
    return _expected_gaussian_ll(x, W, mu, sigma2, m, logvar.exp()) - kl_diag_gaussian_std_normal(m, logvar)
'''},
    "mean-field optimum with a linear solve for the mean": {"mean_field_optimum_ppca": '''
def mean_field_optimum_ppca(x, W, mu, sigma2):
    k = W.shape[1]
    precision = torch.eye(k, dtype=W.dtype) + W.T @ W / sigma2
    mean = torch.linalg.solve(precision, W.T @ (x - mu).T / sigma2).T
    logvar = -torch.log(torch.diagonal(precision)).expand(x.shape[0], k)
    return mean, logvar.clone()
'''},
}
