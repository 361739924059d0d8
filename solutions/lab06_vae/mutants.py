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


def _mistake(en: str, fr: str, hint_en: str, hint_fr: str) -> dict[str, str]:
    return {"en": en, "fr": fr, "hint_en": hint_en, "hint_fr": hint_fr}


# Descriptions shared by mutants that make the same mistake.
_KL_LIBRARY = _mistake(
    "computes the KL with torch.distributions where Task 6.1 asks to build the closed form by hand",
    "calcule la KL avec torch.distributions alors que la tâche 6.1 demande d'écrire la forme close à la main",
    "What does Task 6.1 say about torch.distributions, and what is the closed form of KL(N(μ, σ²) || N(0, 1))?",
    "Que dit la tâche 6.1 de torch.distributions, et quelle est la forme close de KL(N(μ, σ²) || N(0, 1)) ?")
_FULL_KL_LIBRARY = _mistake(
    "computes the KL between full-covariance Gaussians with torch.distributions where Task 6.1 asks to build it by "
    "hand",
    "calcule la KL entre gaussiennes à covariance pleine avec torch.distributions alors que la tâche 6.1 demande de "
    "l'écrire à la main",
    "What does Task 6.1 say about torch.distributions, and which terms make up KL(N(m_q, Σ_q) || N(m_p, Σ_p))?",
    "Que dit la tâche 6.1 de torch.distributions, et de quels termes se compose KL(N(m_q, Σ_q) || N(m_p, Σ_p)) ?")
_MARGINAL_LIBRARY = _mistake(
    "computes the Gaussian log-density with torch.distributions where Task 6.3 asks to build it by hand",
    "calcule la log-densité gaussienne avec torch.distributions alors que la tâche 6.3 demande de l'écrire à la main",
    "What does the lab say about torch.distributions, and which terms make up log N(x; μ, C)?",
    "Que dit le lab de torch.distributions, et de quels termes se compose log N(x; μ, C) ?")

MISTAKES = {
    # --- Task 6.1
    "KL: sign flipped": _mistake(
        "the KL divergence has the wrong sign",
        "la divergence KL a le mauvais signe",
        "Can a KL divergence be negative, and what sign does yours take?",
        "Une divergence KL peut-elle être négative, et quel signe prend la vôtre ?"),
    "KL: sigma^2 in place of log sigma^2": _mistake(
        "the KL's -log σ² term uses the variance σ² itself instead of its logarithm",
        "le terme -log σ² de la KL utilise la variance σ² elle-même au lieu de son logarithme",
        "In KL(N(μ, σ²) || N(0, 1)) = ½(μ² + σ² - 1 - log σ²), which term holds a logarithm, and what does logvar "
        "already hold?",
        "Dans KL(N(μ, σ²) || N(0, 1)) = ½(μ² + σ² - 1 - log σ²), quel terme contient un logarithme, et que contient "
        "déjà logvar ?"),
    "KL: logvar read as the variance": _mistake(
        "logvar is read as the variance σ² instead of its logarithm",
        "logvar est lu comme la variance σ² au lieu de son logarithme",
        "logvar holds log σ²: how do you get σ² from it?",
        "logvar contient log σ² : comment en obtenir σ² ?"),
    "KL: without the -1": _mistake(
        "the constant -1 of each latent dimension is missing from the KL",
        "la constante -1 de chaque dimension latente manque dans la KL",
        "What does your KL give when q is exactly the prior N(0, I)?",
        "Que vaut votre KL quand q est exactement la loi a priori N(0, I) ?"),
    "KL: without the factor 1/2": _mistake(
        "the factor 1/2 of the closed form is missing from the KL",
        "le facteur 1/2 de la forme close manque dans la KL",
        "Deriving KL(N(μ, σ²) || N(0, 1)) from the two log-densities, what factor multiplies (μ² + σ² - 1 - log σ²)?",
        "En dérivant KL(N(μ, σ²) || N(0, 1)) à partir des deux log-densités, quel facteur multiplie "
        "(μ² + σ² - 1 - log σ²) ?"),
    "KL: mean over latent dimensions": _mistake(
        "the KL is averaged over the latent dimensions instead of summed",
        "la KL est moyennée sur les dimensions latentes au lieu d'être sommée",
        "For a factorised q and prior, is the KL of the product the sum or the mean of the per-dimension KLs?",
        "Pour q et une loi a priori factorisées, la KL du produit est-elle la somme ou la moyenne des KL par "
        "dimension ?"),
    "KL: torch.distributions": _KL_LIBRARY,
    "full KL: torch.distributions": _FULL_KL_LIBRARY,
    "full KL: KL(p || q) instead of KL(q || p)": _mistake(
        "computes KL(p || q) instead of KL(q || p)",
        "calcule KL(p || q) au lieu de KL(q || p)",
        "The KL is not symmetric: in KL(q || p), whose covariance is inverted in the trace and Mahalanobis terms?",
        "La KL n'est pas symétrique : dans KL(q || p), quelle covariance est inversée dans les termes de trace et de "
        "Mahalanobis ?"),
    "full KL: log-determinants swapped": _mistake(
        "the two log-determinants enter the KL with swapped signs",
        "les deux log-déterminants entrent dans la KL avec des signes échangés",
        "In KL(q || p), which log-determinant carries the plus sign: log det Σ_p or log det Σ_q?",
        "Dans KL(q || p), quel log-déterminant porte le signe plus : log det Σ_p ou log det Σ_q ?"),
    "full KL: trace of cov_p^-1 cov_q taken as tr(cov_q) / tr(cov_p)": _mistake(
        "the trace tr(Σ_p^-1 Σ_q) is replaced by a ratio of traces, which agrees only when Σ_p is a multiple of the "
        "identity",
        "la trace tr(Σ_p^-1 Σ_q) est remplacée par un rapport de traces, qui ne coïncide que si Σ_p est un multiple "
        "de l'identité",
        "Is tr(Σ_p^-1 Σ_q) determined by tr(Σ_p) and tr(Σ_q) alone when Σ_p is not a multiple of the identity?",
        "tr(Σ_p^-1 Σ_q) est-elle déterminée par tr(Σ_p) et tr(Σ_q) seules quand Σ_p n'est pas un multiple de "
        "l'identité ?"),
    # --- Task 6.2
    "reparameterize: exp(logvar) instead of exp(logvar / 2)": _mistake(
        "the noise eps is scaled by the variance σ² where the standard deviation σ belongs",
        "le bruit eps est multiplié par la variance σ² là où il faut l'écart-type σ",
        "z = μ + σ ε: from logvar = log σ², which quantity do you get with exp(logvar), σ or σ²?",
        "z = μ + σ ε : à partir de logvar = log σ², quelle quantité exp(logvar) donne-t-il, σ ou σ² ?"),
    "reparameterize: logvar used as the standard deviation": _mistake(
        "the noise eps is scaled by logvar itself, taken as the standard deviation",
        "le bruit eps est multiplié par logvar lui-même, pris pour l'écart-type",
        "logvar holds log σ²: can it be negative, and can a standard deviation?",
        "logvar contient log σ² : peut-il être négatif, et un écart-type le peut-il ?"),
    "reparameterize: gradient cut from mu and sigma": _mistake(
        "the sample is detached from the graph, so no gradient reaches μ and σ: the reparameterization loses its purpose",
        "l'échantillon est détaché du graphe : aucun gradient n'atteint μ et σ, et le reparamétrage perd sa raison "
        "d'être",
        "Why write z = μ + σ ε instead of sampling z directly: what must flow back through z to the encoder?",
        "Pourquoi écrire z = μ + σ ε plutôt que tirer z directement : qu'est-ce qui doit remonter à travers z vers "
        "l'encodeur ?"),
    "ELBO: reconstruction averaged over pixels": _mistake(
        "the reconstruction term averages log p(x|z) over the pixels instead of summing it",
        "le terme de reconstruction moyenne log p(x|z) sur les pixels au lieu de le sommer",
        "With independent Bernoulli pixels, p(x|z) is a product over pixels: what does the log turn it into?",
        "Avec des pixels de Bernoulli indépendants, p(x|z) est un produit sur les pixels : qu'en fait le logarithme ?"),
    "ELBO: KL added instead of subtracted": _mistake(
        "the KL term is added to the reconstruction term instead of subtracted",
        "le terme KL est ajouté au terme de reconstruction au lieu d'en être soustrait",
        "ELBO = E_q[log p(x|z)] - KL(q(z|x) || p(z)): which sign does the KL take in yours?",
        "ELBO = E_q[log p(x|z)] - KL(q(z|x) || p(z)) : quel signe la KL prend-elle dans la vôtre ?"),
    "ELBO: samples summed instead of averaged": _mistake(
        "the Monte Carlo estimate sums over the S samples instead of averaging them",
        "l'estimation de Monte Carlo somme sur les S échantillons au lieu d'en faire la moyenne",
        "Does your estimate of E_q[log p(x|z)] change when you double S with the same kind of samples?",
        "Votre estimation de E_q[log p(x|z)] change-t-elle quand on double S avec des échantillons de même loi ?"),
    "ELBO: sigmoid of the logits fed to BCE-with-logits": _mistake(
        "the sigmoid is applied twice: probabilities are passed where binary_cross_entropy_with_logits expects logits",
        "la sigmoïde est appliquée deux fois : des probabilités sont passées là où "
        "binary_cross_entropy_with_logits attend des logits",
        "What does binary_cross_entropy_with_logits expect as input, and what does the decoder already return?",
        "Qu'attend binary_cross_entropy_with_logits en entrée, et que renvoie déjà le décodeur ?"),
    "ELBO: decoder at the mean only, eps ignored": _mistake(
        "the reconstruction term decodes the mean μ only and ignores the samples of q",
        "le terme de reconstruction ne décode que la moyenne μ et ignore les échantillons de q",
        "E_q[log p(x|z)] is an expectation over z ~ q(z|x): where do your samples z enter?",
        "E_q[log p(x|z)] est une espérance sur z ~ q(z|x) : où vos échantillons z interviennent-ils ?"),
    "ELBO: batch mean returned instead of one value per example": _mistake(
        "returns the batch mean instead of one ELBO per example, shape (B,)",
        "renvoie la moyenne sur le lot au lieu d'une ELBO pour chaque exemple, de forme (B,)",
        "What shape does Task 6.2 ask elbo to return?",
        "Quelle forme la tâche 6.2 demande-t-elle pour le résultat d'elbo ?"),
    "IWAE: log-mean-exp that overflows": _mistake(
        "exponentiates the log weights directly, so the bound overflows or underflows for large log weights",
        "prend directement l'exponentielle des log-poids : elle déborde ou s'annule (overflow ou underflow) pour de "
        "grands log-poids",
        "What do exp(1e4) and exp(-1e4) give in floating point, and how can log Σ_s exp(a_s) avoid computing them?",
        "Que donnent exp(1e4) et exp(-1e4) en virgule flottante, et comment log Σ_s exp(a_s) peut-il éviter de les "
        "calculer ?"),
    "IWAE: mean of the log weights (the ELBO)": _mistake(
        "returns the mean of the log weights, the ELBO's estimate, instead of the importance-weighted bound",
        "renvoie la moyenne des log-poids, l'estimation de l'ELBO, au lieu de la borne pondérée par importance",
        "Does your value take the log of the mean of the weights, or the mean of their logs?",
        "Votre valeur prend-elle le logarithme de la moyenne des poids, ou la moyenne de leurs logarithmes ?"),
    "IWAE: log-sum-exp without the -log S": _mistake(
        "takes the log of the sum of the weights instead of the log of their mean",
        "prend le logarithme de la somme des poids au lieu du logarithme de leur moyenne",
        "The bound is log (1/S) Σ_s w_s: what does the 1/S become outside the logarithm?",
        "La borne est log (1/S) Σ_s w_s : que devient le 1/S hors du logarithme ?"),
    "IWAE: max shift, but shifted by the global max": _mistake(
        "shifts by the maximum over the whole batch instead of each example's own maximum, so examples far below it "
        "underflow",
        "décale par le maximum du lot entier au lieu du maximum propre à chaque exemple : pour les exemples très en "
        "dessous, l'exponentielle s'annule (underflow)",
        "If one example's log weights are near +1e4 and another's near -1e4, what does your shift leave of the second?",
        "Si les log-poids d'un exemple sont proches de +1e4 et ceux d'un autre de -1e4, que laisse votre décalage du "
        "second ?"),
    # --- Task 6.3
    "PPCA marginal: covariance without sigma^2": _mistake(
        "the marginal covariance leaves out the noise σ² I",
        "la covariance marginale omet le bruit σ² I",
        "x = Wz + μ + noise: what does the noise add to the covariance of x?",
        "x = Wz + μ + bruit : qu'ajoute le bruit à la covariance de x ?"),
    "PPCA marginal: W^T W instead of W W^T": _mistake(
        "uses W^T W (K × K) where the covariance of Wz is W W^T (D × D)",
        "utilise W^T W (K × K) alors que la covariance de Wz est W W^T (D × D)",
        "x has D coordinates: which of W W^T and W^T W is its covariance's (D, D) part?",
        "x a D coordonnées : lequel de W W^T et W^T W est la partie (D, D) de sa covariance ?"),
    "PPCA marginal: sigma^2 used as the standard deviation": _mistake(
        "σ² is treated as a standard deviation, so the noise covariance becomes σ⁴ I",
        "σ² est traité comme un écart-type : la covariance du bruit devient σ⁴ I",
        "sigma2 is the noise's variance: what goes on the diagonal of its covariance?",
        "sigma2 est la variance du bruit : que met-on sur la diagonale de sa covariance ?"),
    "PPCA marginal: without the log-determinant": _mistake(
        "the log-density leaves out the log-determinant of the covariance",
        "la log-densité omet le log-déterminant de la covariance",
        "What does the normalising constant of N(x; μ, C) contain besides (2π)^(D/2)?",
        "Que contient la constante de normalisation de N(x; μ, C) en plus de (2π)^(D/2) ?"),
    "PPCA marginal: torch.distributions": _MARGINAL_LIBRARY,
    "PPCA posterior: precision without 1/sigma^2": _mistake(
        "the posterior's precision and mean leave out the noise variance σ²",
        "la précision et la moyenne a posteriori omettent la variance du bruit σ²",
        "Where does the noise variance σ² enter the precision I + W^T W / σ² and the posterior mean?",
        "Où la variance du bruit σ² intervient-elle dans la précision I + W^T W / σ² et dans la moyenne a "
        "posteriori ?"),
    "PPCA posterior: mean not centred on mu": _mistake(
        "the posterior mean is computed from x instead of the centred x - μ",
        "la moyenne a posteriori est calculée à partir de x au lieu de x - μ centré",
        "p(x|z) has mean Wz + μ: which part of x is z asked to explain?",
        "p(x|z) a pour moyenne Wz + μ : quelle part de x la variable z doit-elle expliquer ?"),
    "PPCA posterior: mean from the pseudo-inverse of W (sigma^2 -> 0)": _mistake(
        "the posterior mean is the noiseless projection of x - μ (the limit σ² → 0), without the prior's pull toward 0",
        "la moyenne a posteriori est la projection sans bruit de x - μ (la limite σ² → 0), sans l'attraction de la loi "
        "a priori vers 0",
        "With noise σ² > 0 and the prior N(0, I), should the posterior mean be shrunk toward 0 compared with W⁺(x - μ)?",
        "Avec un bruit σ² > 0 et la loi a priori N(0, I), la moyenne a posteriori doit-elle être ramenée vers 0 par "
        "rapport à W⁺(x - μ) ?"),
    "PPCA ELBO: the variance term of E_q dropped": _mistake(
        "the expected log-likelihood is evaluated at z = m only, leaving out the contribution of q's variances",
        "l'espérance de la log-vraisemblance est évaluée en z = m seulement, sans la contribution des variances de q",
        "For z ~ N(m, diag v), is E_q[||x - μ - Wz||²] equal to ||x - μ - Wm||² alone?",
        "Pour z ~ N(m, diag v), E_q[||x - μ - Wz||²] vaut-elle seulement ||x - μ - Wm||² ?"),
    "PPCA ELBO: the variance term with sum(v) instead of tr(W diag(v) W^T)": _mistake(
        "q's variances enter the expected log-likelihood without W: they are summed as if W's columns had unit norm",
        "les variances de q entrent dans l'espérance de la log-vraisemblance sans W : elles sont sommées comme si "
        "les colonnes de W étaient de norme 1",
        "For z - m ~ N(0, diag v), how do the columns of W weight each v_k in E[||W(z - m)||²]?",
        "Pour z - m ~ N(0, diag v), comment les colonnes de W pondèrent-elles chaque v_k dans E[||W(z - m)||²] ?"),
    "PPCA ELBO: standard deviations in place of variances": _mistake(
        "the expected log-likelihood uses q's standard deviations where its variances belong",
        "l'espérance de la log-vraisemblance utilise les écarts-types de q là où il faut ses variances",
        "Under q, is E[(z_k - m_k)²] equal to σ_k or to σ_k²?",
        "Sous q, E[(z_k - m_k)²] vaut-elle σ_k ou σ_k² ?"),
    "mean field: variances from the posterior covariance's diagonal": _mistake(
        "takes the mean-field variances from the diagonal of the exact posterior covariance, which does not maximise "
        "the ELBO of a factorised q",
        "prend les variances du mean-field sur la diagonale de la covariance a posteriori exacte, qui ne maximise pas "
        "l'ELBO d'un q factorisé",
        "Setting ∂ELBO/∂v_k to zero, does 1/v_k come out as a diagonal entry of the covariance or of the precision?",
        "En annulant ∂ELBO/∂v_k, 1/v_k s'obtient-il comme un coefficient diagonal de la covariance ou de la "
        "précision ?"),
    "mean field: log of the precision's diagonal, sign dropped": _mistake(
        "the log-variances have the wrong sign: they are the logarithms of the precisions, not of the variances",
        "les log-variances ont le mauvais signe : ce sont les logarithmes des précisions, pas des variances",
        "Variance and precision are inverses: how does log(1/p) relate to log p?",
        "Variance et précision sont inverses l'une de l'autre : quel lien entre log(1/p) et log p ?"),
    "mean field: the prior's variance (logvar 0)": _mistake(
        "the mean-field variances are left at the prior's (logvar = 0) instead of maximising the ELBO",
        "les variances du mean-field sont laissées à celles de la loi a priori (logvar = 0) au lieu de maximiser "
        "l'ELBO",
        "Setting the ELBO's gradient with respect to v_k to zero, does the likelihood term leave v_k at 1?",
        "En annulant le gradient de l'ELBO par rapport à v_k, le terme de vraisemblance laisse-t-il v_k à 1 ?"),
    # --- Task 6.4
    "MADE: output mask lets z_i see itself": _mistake(
        "the output mask lets output i see input i, so the network is no longer autoregressive",
        "le masque de sortie laisse la sortie i voir l'entrée i : le réseau n'est plus autorégressif",
        "Can output i of your network change when only input i changes?",
        "La sortie i de votre réseau peut-elle changer quand seule l'entrée i change ?"),
    "MADE: hidden units see only strictly lower degrees": _mistake(
        "hidden units are cut from the units of equal degree in the layer below",
        "les unités cachées sont coupées des unités de même degré de la couche du dessous",
        "Which units below may a hidden unit of degree d see, by the task: degree ≤ d, or < d?",
        "Quelles unités du dessous une unité cachée de degré d peut-elle voir, selon l'énoncé : de degré ≤ d, ou < d ?"),
    "MADE: hidden degrees from 0": _mistake(
        "hidden units' degrees start at 0 instead of the task's 1 + (j mod (dim - 1))",
        "les degrés des unités cachées commencent à 0 au lieu du 1 + (j mod (dim - 1)) de l'énoncé",
        "Which degree does the first hidden unit get, and what can a unit of degree 0 see?",
        "Quel degré reçoit la première unité cachée, et que peut voir une unité de degré 0 ?"),
    "MADE: hidden degrees cycle over 1..dim": _mistake(
        "hidden degrees run up to dim, though a hidden unit of degree dim can feed no output",
        "les degrés cachés vont jusqu'à dim, alors qu'une unité cachée de degré dim ne peut alimenter aucune sortie",
        "Which output can a hidden unit of degree dim feed, and what modulus does the task's formula use?",
        "Quelle sortie une unité cachée de degré dim peut-elle alimenter, et quel modulo la formule de l'énoncé "
        "utilise-t-elle ?"),
    "MADE: masks in (in, out) layout": _mistake(
        "the masks are in (in_features, out_features) layout instead of nn.Linear's (out_features, in_features)",
        "les masques sont au format (in_features, out_features) au lieu du format (out_features, in_features) de "
        "nn.Linear",
        "nn.Linear's weight has shape (out_features, in_features): what shape does your first mask have?",
        "Le poids de nn.Linear est de forme (out_features, in_features) : quelle forme a votre premier masque ?"),
    "IAF: log_det from s instead of log s": _mistake(
        "the log-determinant sums the gates s instead of their logarithms",
        "le log-déterminant somme les portes s au lieu de leurs logarithmes",
        "The Jacobian ∂z_new/∂z is triangular with diagonal s: what is the log of its determinant?",
        "La jacobienne ∂z_new/∂z est triangulaire, de diagonale s : quel est le logarithme de son déterminant ?"),
    "IAF: log_det with the wrong sign": _mistake(
        "the log-determinant has the wrong sign",
        "le log-déterminant a le mauvais signe",
        "Since 0 < s < 1, should log_det = log |det ∂z_new/∂z| be positive or negative?",
        "Puisque 0 < s < 1, log_det = log |det ∂z_new/∂z| doit-il être positif ou négatif ?"),
    "IAF: log_det of 1 - s": _mistake(
        "the log-determinant uses the factor 1 - s, which multiplies m, instead of s, which multiplies z",
        "le log-déterminant utilise le facteur 1 - s, qui multiplie m, au lieu de s, qui multiplie z",
        "In z_new = s ⊙ z + (1 - s) ⊙ m, which factor multiplies z?",
        "Dans z_new = s ⊙ z + (1 - s) ⊙ m, quel facteur multiplie z ?"),
    "IAF: s and 1 - s swapped in the update": _mistake(
        "s and 1 - s are swapped in the gated update: s weights m instead of z",
        "s et 1 - s sont échangés dans la mise à jour à porte : s pondère m au lieu de z",
        "The forget bias starts the gate near \"keep z\": with s close to 1, does your update keep z?",
        "Le biais d'oubli fait démarrer la porte près de « garder z » : avec s proche de 1, votre mise à jour "
        "garde-t-elle z ?"),
    "IAF: context ignored": _mistake(
        "the encoder's context h is never added to the first hidden layer",
        "le contexte h de l'encodeur n'est jamais ajouté à la première couche cachée",
        "Where does h enter the step's first hidden layer?",
        "Où h intervient-il dans la première couche cachée de l'étape ?"),
    "IAF: context added after the activation": _mistake(
        "the context is added after the ELU instead of inside it",
        "le contexte est ajouté après l'ELU au lieu de l'être à l'intérieur",
        "In a = elu(hidden[0](z) + context(h)), is the context inside or outside the elu?",
        "Dans a = elu(hidden[0](z) + context(h)), le contexte est-il dans l'elu ou à l'extérieur ?"),
    "IAF: forget bias left out": _mistake(
        "the gate leaves out the forget bias",
        "la porte omet le biais d'oubli (forget_bias)",
        "Where does forget_bias enter s = sigmoid(gate(a) + forget_bias)?",
        "Où forget_bias intervient-il dans s = sigmoid(gate(a) + forget_bias) ?"),
    "IAF: ReLU instead of ELU": _mistake(
        "the hidden layers use ReLU where the task asks for ELU",
        "les couches cachées utilisent ReLU là où l'énoncé demande ELU",
        "Which activation does Task 6.4's formula for a use?",
        "Quelle activation la formule de a dans la tâche 6.4 utilise-t-elle ?"),
    "IAF: affine update z * s + m": _mistake(
        "the update adds m unweighted (s z + m) instead of the gated update of Kingma et al.",
        "la mise à jour ajoute m sans pondération (s z + m) au lieu de la mise à jour à porte de Kingma et al.",
        "In the gated update z_new = s ⊙ z + (1 - s) ⊙ m, what multiplies m?",
        "Dans la mise à jour à porte z_new = s ⊙ z + (1 - s) ⊙ m, qu'est-ce qui multiplie m ?"),
    # Evasions of the by-hand rule.
    "full KL: MultivariateNormal and the private KL function, imported inside": _FULL_KL_LIBRARY,
    "KL: the private Normal-Normal KL through a local alias": _KL_LIBRARY,
    "PPCA marginal: the library Gaussian through sys.modules": _MARGINAL_LIBRARY,
    "mean-field optimum by gradient ascent on the ELBO": _mistake(
        "finds the mean-field optimum numerically with autograd and torch.optim where Task 6.3 asks for the closed "
        "form",
        "trouve l'optimum du mean-field numériquement, avec l'autograd et torch.optim, alors que la tâche 6.3 demande "
        "la forme close",
        "What does Task 6.3 say about autograd and torch.optim, and what do you get by setting ∂ELBO/∂m and "
        "∂ELBO/∂v_k to zero by hand?",
        "Que dit la tâche 6.3 de l'autograd et de torch.optim, et qu'obtenez-vous en annulant ∂ELBO/∂m et "
        "∂ELBO/∂v_k à la main ?"),
}
