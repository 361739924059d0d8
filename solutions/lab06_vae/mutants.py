"""Plausible wrong implementations of Lab 6's functions: name -> {function: replacement source}.
Every one must lose points."""


def _kl(body: str) -> dict[str, str]:
    return {"kl_diag_gaussian_std_normal": f'''
def kl_diag_gaussian_std_normal(mu, logvar):
    return {body}
'''}


def _elbo(body: str) -> dict[str, str]:
    return {"elbo": f'''
def elbo(x, mu, logvar, decoder, eps):
    logits = decoder(reparameterize(mu, logvar, eps))
{body}
'''}


def _iaf_forward(update: str = "s * z + (1 - s) * self.mean(a)", log_det: str = "F.logsigmoid(gate).sum(-1)",
                 act: str = "F.elu", gate: str = "self.gate(a) + self.forget_bias", context: str = "a + self.context(h)",
                 context_after: bool = False) -> dict[str, str]:
    pre = "a = act(a)\n    " if context_after else ""
    post = "" if context_after else "a = act(a)\n    "
    return {"IAFStep.forward": f'''
def forward(self, z, h):
    act = {act}
    a = self.hidden[0](z)
    {pre}if self.context is not None:
        a = {context}
    {post}for layer in self.hidden[1:]:
        a = act(layer(a))
    gate = {gate}
    s = torch.sigmoid(gate)
    return {update}, {log_det}
'''}


def _masks(hidden_degree: str = "1 + torch.arange(size) % max(dim - 1, 1)", hidden_cmp: str = ">=",
           out_cmp: str = ">") -> dict[str, str]:
    return {"made_masks": f'''
def made_masks(dim, hidden_sizes):
    degrees = [torch.arange(1, dim + 1)]
    for size in hidden_sizes:
        degrees.append({hidden_degree})
    masks = [(d_out[:, None] {hidden_cmp} d_in[None, :]).float() for d_in, d_out in itertools.pairwise(degrees)]
    masks.append((torch.arange(1, dim + 1)[:, None] {out_cmp} degrees[-1][None, :]).float())
    return masks
'''}


_PPCA_ELBO = '''
def ppca_elbo(x, W, mu, sigma2, m, logvar):
    d = x.shape[-1]
    residual = x - mu - m @ W.T
    spread = {spread}
    expected_ll = -0.5 * (d * math.log(2 * math.pi * sigma2) + ((residual**2).sum(-1) + spread) / sigma2)
    return expected_ll - kl_diag_gaussian_std_normal(m, logvar)
'''


def _ppca_elbo(spread: str) -> dict[str, str]:
    return {"ppca_elbo": _PPCA_ELBO.format(spread=spread)}


_MARGINAL = '''
def ppca_log_marginal(x, W, mu, sigma2):
    d = x.shape[-1]
    cov = {cov}
    chol = torch.linalg.cholesky(cov)
    white = torch.linalg.solve_triangular(chol, (x - mu).T, upper=False)
    logdet = 2 * chol.diagonal().log().sum()
    return {value}
'''


def _marginal(cov: str = "W @ W.T + sigma2 * torch.eye(d, dtype=x.dtype)",
              value: str = "-0.5 * ((white**2).sum(0) + logdet + d * LOG_2PI)") -> dict[str, str]:
    return {"ppca_log_marginal": _MARGINAL.format(cov=cov, value=value)}


MUTANTS = {
    # --- Task 6.1
    "KL: sign flipped": _kl("-0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(-1)"),
    "KL: sigma^2 in place of log sigma^2": _kl("0.5 * (mu**2 + logvar.exp() - 1 - logvar.exp()).sum(-1)"),
    "KL: logvar read as the variance": _kl("0.5 * (mu**2 + logvar - 1 - logvar.clamp(min=1e-12).log()).sum(-1)"),
    "KL: without the -1": _kl("0.5 * (mu**2 + logvar.exp() - logvar).sum(-1)"),
    "KL: without the factor 1/2": _kl("(mu**2 + logvar.exp() - 1 - logvar).sum(-1)"),
    "KL: mean over latent dimensions": _kl("0.5 * (mu**2 + logvar.exp() - 1 - logvar).mean(-1)"),
    "KL: torch.distributions": _kl("torch.distributions.kl_divergence(torch.distributions.Normal(mu, (0.5 * logvar)"
                                   ".exp()), torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu)))"
                                   ".sum(-1)"),
    "full KL: torch.distributions": {"gaussian_kl": '''
def gaussian_kl(mean_q, cov_q, mean_p, cov_p):
    from torch.distributions import MultivariateNormal, kl_divergence
    return kl_divergence(MultivariateNormal(mean_q, cov_q), MultivariateNormal(mean_p, cov_p))
'''},
    "full KL: KL(p || q) instead of KL(q || p)": {"gaussian_kl": '''
def gaussian_kl(mean_q, cov_q, mean_p, cov_p):
    k = mean_q.shape[-1]
    inv_q = torch.linalg.inv(cov_q)
    diff = (mean_p - mean_q).unsqueeze(-1)
    trace = (inv_q @ cov_p).diagonal(dim1=-2, dim2=-1).sum(-1)
    maha = (diff.transpose(-1, -2) @ inv_q @ diff)[..., 0, 0]
    return 0.5 * (trace + maha - k + torch.logdet(cov_q) - torch.logdet(cov_p))
'''},
    "full KL: log-determinants swapped": {"gaussian_kl": '''
def gaussian_kl(mean_q, cov_q, mean_p, cov_p):
    k = mean_q.shape[-1]
    inv_p = torch.linalg.inv(cov_p)
    diff = (mean_p - mean_q).unsqueeze(-1)
    trace = (inv_p @ cov_q).diagonal(dim1=-2, dim2=-1).sum(-1)
    maha = (diff.transpose(-1, -2) @ inv_p @ diff)[..., 0, 0]
    return 0.5 * (trace + maha - k + torch.logdet(cov_q) - torch.logdet(cov_p))
'''},
    "full KL: trace of cov_p^-1 cov_q taken as tr(cov_q) / tr(cov_p)": {"gaussian_kl": '''
def gaussian_kl(mean_q, cov_q, mean_p, cov_p):
    k = mean_q.shape[-1]
    inv_p = torch.linalg.inv(cov_p)
    diff = (mean_p - mean_q).unsqueeze(-1)
    trace = cov_q.diagonal(dim1=-2, dim2=-1).sum(-1) / cov_p.diagonal(dim1=-2, dim2=-1).sum(-1) * k
    maha = (diff.transpose(-1, -2) @ inv_p @ diff)[..., 0, 0]
    return 0.5 * (trace + maha - k + torch.logdet(cov_p) - torch.logdet(cov_q))
'''},
    # --- Task 6.2
    "reparameterize: exp(logvar) instead of exp(logvar / 2)": {"reparameterize": '''
def reparameterize(mu, logvar, eps):
    return mu + torch.exp(logvar) * eps
'''},
    "reparameterize: logvar used as the standard deviation": {"reparameterize": '''
def reparameterize(mu, logvar, eps):
    return mu + logvar * eps
'''},
    "reparameterize: gradient cut from mu and sigma": {"reparameterize": '''
def reparameterize(mu, logvar, eps):
    return (mu + torch.exp(0.5 * logvar) * eps).detach()
'''},
    "ELBO: reconstruction averaged over pixels": _elbo('''    log_px_z = -F.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction="none").mean(-1)
    return log_px_z.mean(0) - kl_diag_gaussian_std_normal(mu, logvar)'''),
    "ELBO: KL added instead of subtracted": _elbo('''    log_px_z = -F.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction="none").sum(-1)
    return log_px_z.mean(0) + kl_diag_gaussian_std_normal(mu, logvar)'''),
    "ELBO: samples summed instead of averaged": _elbo('''    log_px_z = -F.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction="none").sum(-1)
    return log_px_z.sum(0) - kl_diag_gaussian_std_normal(mu, logvar)'''),
    "ELBO: sigmoid of the logits fed to BCE-with-logits": _elbo(
        '''    log_px_z = -F.binary_cross_entropy_with_logits(torch.sigmoid(logits), x.expand_as(logits),
                                                   reduction="none").sum(-1)
    return log_px_z.mean(0) - kl_diag_gaussian_std_normal(mu, logvar)'''),
    "ELBO: decoder at the mean only, eps ignored": {"elbo": '''
def elbo(x, mu, logvar, decoder, eps):
    logits = decoder(mu)
    log_px_z = -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1)
    return log_px_z - kl_diag_gaussian_std_normal(mu, logvar)
'''},
    "ELBO: batch mean returned instead of one value per example": _elbo(
        '''    log_px_z = -F.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction="none").sum(-1)
    return (log_px_z.mean(0) - kl_diag_gaussian_std_normal(mu, logvar)).mean()'''),
    "IWAE: log-mean-exp that overflows": {"iwae_bound": '''
def iwae_bound(log_weights):
    return log_weights.exp().mean(0).log()
'''},
    "IWAE: mean of the log weights (the ELBO)": {"iwae_bound": '''
def iwae_bound(log_weights):
    return log_weights.mean(0)
'''},
    "IWAE: log-sum-exp without the -log S": {"iwae_bound": '''
def iwae_bound(log_weights):
    return torch.logsumexp(log_weights, dim=0)
'''},
    "IWAE: max shift, but shifted by the global max": {"iwae_bound": '''
def iwae_bound(log_weights):
    top = log_weights.max()
    return (log_weights - top).exp().mean(0).log() + top
'''},
    # --- Task 6.3
    "PPCA marginal: covariance without sigma^2": _marginal(
        cov="W @ W.T + 1e-6 * torch.eye(d, dtype=x.dtype)"),
    "PPCA marginal: W^T W instead of W W^T": _marginal(
        cov="W.T @ W + sigma2 * torch.eye(W.shape[1], dtype=x.dtype)"),
    "PPCA marginal: sigma^2 used as the standard deviation": _marginal(
        cov="W @ W.T + sigma2**2 * torch.eye(d, dtype=x.dtype)"),
    "PPCA marginal: without the log-determinant": _marginal(value="-0.5 * ((white**2).sum(0) + d * LOG_2PI)"),
    "PPCA marginal: torch.distributions": {"ppca_log_marginal": '''
def ppca_log_marginal(x, W, mu, sigma2):
    cov = W @ W.T + sigma2 * torch.eye(x.shape[-1], dtype=x.dtype)
    return torch.distributions.MultivariateNormal(mu, cov).log_prob(x)
'''},
    "PPCA posterior: precision without 1/sigma^2": {"ppca_posterior": '''
def ppca_posterior(x, W, mu, sigma2):
    cov = torch.linalg.inv(torch.eye(W.shape[1], dtype=W.dtype) + W.T @ W)
    return (x - mu) @ W @ cov, cov
'''},
    "PPCA posterior: mean not centred on mu": {"ppca_posterior": '''
def ppca_posterior(x, W, mu, sigma2):
    cov = torch.linalg.inv(torch.eye(W.shape[1], dtype=W.dtype) + W.T @ W / sigma2)
    return x @ W @ cov / sigma2, cov
'''},
    "PPCA posterior: mean from the pseudo-inverse of W (sigma^2 -> 0)": {"ppca_posterior": '''
def ppca_posterior(x, W, mu, sigma2):
    cov = torch.linalg.inv(torch.eye(W.shape[1], dtype=W.dtype) + W.T @ W / sigma2)
    return (x - mu) @ torch.linalg.pinv(W).T, cov
'''},
    "PPCA ELBO: the variance term of E_q dropped": _ppca_elbo("0.0"),
    "PPCA ELBO: the variance term with sum(v) instead of tr(W diag(v) W^T)": _ppca_elbo("logvar.exp().sum(-1)"),
    "PPCA ELBO: standard deviations in place of variances": _ppca_elbo("((0.5 * logvar).exp() * (W**2).sum(0)).sum(-1)"),
    "mean field: variances from the posterior covariance's diagonal": {"mean_field_optimum_ppca": '''
def mean_field_optimum_ppca(x, W, mu, sigma2):
    mean, cov = ppca_posterior(x, W, mu, sigma2)
    return mean, cov.diagonal().log().expand_as(mean).clone()
'''},
    "mean field: log of the precision's diagonal, sign dropped": {"mean_field_optimum_ppca": '''
def mean_field_optimum_ppca(x, W, mu, sigma2):
    mean, _ = ppca_posterior(x, W, mu, sigma2)
    return mean, (1 + (W**2).sum(0) / sigma2).log().expand_as(mean).clone()
'''},
    "mean field: the prior's variance (logvar 0)": {"mean_field_optimum_ppca": '''
def mean_field_optimum_ppca(x, W, mu, sigma2):
    mean, _ = ppca_posterior(x, W, mu, sigma2)
    return mean, torch.zeros_like(mean)
'''},
    # --- Task 6.4
    "MADE: output mask lets z_i see itself": _masks(out_cmp=">="),
    "MADE: hidden units see only strictly lower degrees": _masks(hidden_cmp=">"),
    "MADE: hidden degrees from 0": _masks(hidden_degree="torch.arange(size) % max(dim - 1, 1)"),
    "MADE: hidden degrees cycle over 1..dim": _masks(hidden_degree="1 + torch.arange(size) % dim"),
    "MADE: masks in (in, out) layout": {"made_masks": '''
def made_masks(dim, hidden_sizes):
    degrees = [torch.arange(1, dim + 1)]
    for size in hidden_sizes:
        degrees.append(1 + torch.arange(size) % max(dim - 1, 1))
    masks = [(d_out[None, :] >= d_in[:, None]).float() for d_in, d_out in itertools.pairwise(degrees)]
    masks.append((torch.arange(1, dim + 1)[None, :] > degrees[-1][:, None]).float())
    return masks
'''},
    "IAF: log_det from s instead of log s": _iaf_forward(log_det="s.sum(-1)"),
    "IAF: log_det with the wrong sign": _iaf_forward(log_det="-F.logsigmoid(gate).sum(-1)"),
    "IAF: log_det of 1 - s": _iaf_forward(log_det="F.logsigmoid(-gate).sum(-1)"),
    "IAF: s and 1 - s swapped in the update": _iaf_forward(update="(1 - s) * z + s * self.mean(a)"),
    "IAF: context ignored": _iaf_forward(context="a"),
    "IAF: context added after the activation": _iaf_forward(context_after=True),
    "IAF: forget bias left out": _iaf_forward(gate="self.gate(a)"),
    "IAF: ReLU instead of ELU": _iaf_forward(act="F.relu"),
    "IAF: affine update z * s + m": _iaf_forward(update="s * z + self.mean(a)"),
    # Evasions of the by-hand rule, as students write them.
    "full KL: MultivariateNormal and the private KL function, imported inside": {"gaussian_kl": '''
def gaussian_kl(mean_q, cov_q, mean_p, cov_p):
    from torch.distributions.kl import _kl_multivariatenormal_multivariatenormal as kl
    from torch.distributions.multivariate_normal import MultivariateNormal as Gaussian

    return kl(Gaussian(mean_q, covariance_matrix=cov_q), Gaussian(mean_p, covariance_matrix=cov_p))
'''},
    "KL: the private Normal-Normal KL through a local alias": {"kl_diag_gaussian_std_normal": '''
def kl_diag_gaussian_std_normal(mu, logvar):
    d = torch.distributions
    q = d.normal.Normal(mu, (0.5 * logvar).exp())
    p = d.normal.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    return d.kl._kl_normal_normal(q, p).sum(-1)
'''},
    "PPCA marginal: the library Gaussian through sys.modules": {"ppca_log_marginal": '''
def ppca_log_marginal(x, W, mu, sigma2):
    import sys

    mvn = sys.modules["torch.distributions.multivariate_normal"].MultivariateNormal
    cov = W @ W.T + sigma2 * torch.eye(x.shape[-1], dtype=x.dtype)
    return mvn(mu, covariance_matrix=cov).log_prob(x)
'''},
    "mean-field optimum by gradient ascent on the ELBO": {"mean_field_optimum_ppca": '''
def mean_field_optimum_ppca(x, W, mu, sigma2):
    mean, _ = ppca_posterior(x, W, mu, sigma2)
    logvar = torch.zeros_like(mean, requires_grad=True)
    opt = torch.optim.LBFGS([logvar], lr=1, max_iter=200, tolerance_grad=1e-14, tolerance_change=1e-16,
                            line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = -ppca_elbo(x, W, mu, sigma2, mean, logvar).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return mean, logvar.detach()
'''},
}

# The sample class's partial student: the reference with these mutants.
SAMPLE_PARTIAL = ["ELBO: reconstruction averaged over pixels", "mean field: variances from the posterior covariance's "
                  "diagonal"]
