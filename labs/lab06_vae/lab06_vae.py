"""Lab 6: the gap between log p(x) and the ELBO, and IAF against per-example mean-field (exam question 6).

Fill in every function that raises NotImplementedError (Tasks 6.1-6.4). The probabilistic-PCA fit, `VAE`, its
per-example refinement and the log-likelihood estimators are given: they run on your functions.

FR: Lab 6 : l'écart entre log p(x) et la borne inférieure (ELBO), et l'IAF face au mean-field optimisé exemple par
exemple (question 6 de l'examen).

Complétez chaque fonction qui lève NotImplementedError (tâches 6.1 à 6.4). L'ajustement de l'ACP probabiliste, `VAE`,
son optimisation exemple par exemple et les estimateurs de la log-vraisemblance sont fournis : ils utilisent vos
fonctions.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import lightning as L
import torch
import torch.nn.functional as F
from torch import nn
from torchmetrics.classification import BinaryAccuracy

from labkit import training
from labkit.data import DigitsDataModule

LOG_2PI = math.log(2 * math.pi)


# --- Task 6.1: KL divergences --------------------------------------------------------------------------------------


def kl_diag_gaussian_std_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Task 6.1: KL(N(mu, diag exp(logvar)) || N(0, I)) in closed form, summed over the last dimension: (B, K) -> (B,).

    FR: Tâche 6.1 : KL(N(mu, diag exp(logvar)) || N(0, I)) sous forme close, sommée sur la dernière dimension :
    (B, K) -> (B,)."""
    # YOUR CODE HERE
    raise NotImplementedError("kl_diag_gaussian_std_normal: not implemented yet / pas encore implémenté")


def gaussian_kl(mean_q: torch.Tensor, cov_q: torch.Tensor, mean_p: torch.Tensor,
                cov_p: torch.Tensor) -> torch.Tensor:
    """Task 6.1: KL(N(mean_q, cov_q) || N(mean_p, cov_p)) between full-covariance Gaussians. Means are (..., K),
    covariances (..., K, K) (symmetric positive definite); batch dimensions broadcast. Returns shape (...).
    Build it yourself (Cholesky factors help); torch.distributions is not allowed here.

    FR: Tâche 6.1 : KL(N(mean_q, cov_q) || N(mean_p, cov_p)) entre deux gaussiennes à covariance pleine. Les moyennes
    sont de forme (..., K), les covariances (..., K, K) (symétriques définies positives) ; les dimensions de lot sont
    diffusées (broadcasting). Renvoie un tenseur de forme (...). Écrivez-la vous-même (les facteurs de Cholesky
    aident) ; torch.distributions n'est pas autorisé ici."""
    # YOUR CODE HERE
    raise NotImplementedError("gaussian_kl: not implemented yet / pas encore implémenté")


# --- Task 6.2: the Monte Carlo ELBO and the importance-weighted bound ------------------------------------------------


def reparameterize(mu: torch.Tensor, logvar: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """Task 6.2: the reparameterized sample z = mu + sigma * eps of N(mu, diag exp(logvar)); eps ~ N(0, I) is given,
    of shape (B, K) or (S, B, K) (S samples per example).

    FR: Tâche 6.2 : l'échantillon reparamétré z = mu + sigma * eps de N(mu, diag exp(logvar)) ; eps ~ N(0, I) est
    donné, de forme (B, K) ou (S, B, K) (S échantillons pour chaque exemple)."""
    # YOUR CODE HERE
    raise NotImplementedError("reparameterize: not implemented yet / pas encore implémenté")


def elbo(x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor, decoder: Callable[[torch.Tensor], torch.Tensor],
         eps: torch.Tensor) -> torch.Tensor:
    """Task 6.2: the ELBO of each example, shape (B,), for q(z|x) = N(mu, diag exp(logvar)) (mu, logvar: (B, K)),
    prior N(0, I) and a Bernoulli decoder: `decoder` maps z of shape (..., K) to logits of shape (..., D), and x is
    (B, D) in {0, 1}. The reconstruction term E_q[log p(x|z)] is the Monte Carlo average over the S samples
    z = reparameterize(mu, logvar, eps[s]) (eps: (S, B, K)) of log p(x|z) summed over the D pixels; the KL term is
    the closed form of Task 6.1. ELBO = reconstruction - KL.

    FR: Tâche 6.2 : l'ELBO de chaque exemple, de forme (B,), pour q(z|x) = N(mu, diag exp(logvar)) (mu, logvar :
    (B, K)), la loi a priori N(0, I) et un décodeur de Bernoulli : `decoder` envoie z de forme (..., K) sur des logits
    de forme (..., D), et x, de forme (B, D), est dans {0, 1}. Le terme de reconstruction E_q[log p(x|z)] est la
    moyenne de Monte Carlo, sur les S échantillons z = reparameterize(mu, logvar, eps[s]) (eps : (S, B, K)), de
    log p(x|z) sommé sur les D pixels ; le terme KL est la forme close de la tâche 6.1. ELBO = reconstruction - KL."""
    # YOUR CODE HERE
    raise NotImplementedError("elbo: not implemented yet / pas encore implémenté")


def iwae_bound(log_weights: torch.Tensor) -> torch.Tensor:
    """Task 6.2: the importance-weighted bound log (1/S) sum_s exp(log_weights[s]) of each example, (S, B) -> (B,).
    It must stay finite for log weights of any size (-1e4 or +1e4 included).

    FR: Tâche 6.2 : la borne pondérée par importance log (1/S) sum_s exp(log_weights[s]) de chaque exemple,
    (S, B) -> (B,). Elle doit rester finie pour des log-poids de n'importe quelle taille (-1e4 et +1e4 compris)."""
    # YOUR CODE HERE
    raise NotImplementedError("iwae_bound: not implemented yet / pas encore implémenté")


# --- Task 6.3: probabilistic PCA, where everything is tractable ------------------------------------------------------
# p(z) = N(0, I_K), p(x|z) = N(W z + mu, sigma2 I_D); x: (B, D), W: (D, K), mu: (D,), sigma2 a positive number.


def ppca_log_marginal(x: torch.Tensor, W: torch.Tensor, mu: torch.Tensor, sigma2: float) -> torch.Tensor:
    """Task 6.3: log p(x) = log N(x; mu, W W^T + sigma2 I) of each row of x, shape (B,). The model: p(z) = N(0, I_K),
    p(x|z) = N(W z + mu, sigma2 I_D); x: (B, D), W: (D, K), mu: (D,), sigma2 a positive number.

    FR: Tâche 6.3 : log p(x) = log N(x; mu, W W^T + sigma2 I) pour chaque ligne de x, de forme (B,). Le modèle :
    p(z) = N(0, I_K), p(x|z) = N(W z + mu, sigma2 I_D) ; x : (B, D), W : (D, K), mu : (D,), sigma2 un nombre
    positif."""
    # YOUR CODE HERE
    raise NotImplementedError("ppca_log_marginal: not implemented yet / pas encore implémenté")


def ppca_posterior(x: torch.Tensor, W: torch.Tensor, mu: torch.Tensor,
                   sigma2: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Task 6.3: the exact posterior p(z|x) = N(mean, cov): its precision is I + W^T W / sigma2. Returns (mean of
    shape (B, K), cov of shape (K, K), the same for every x).

    FR: Tâche 6.3 : la loi a posteriori exacte p(z|x) = N(mean, cov), de précision I + W^T W / sigma2. Renvoie (mean,
    de forme (B, K), cov, de forme (K, K), la même pour tout x)."""
    # YOUR CODE HERE
    raise NotImplementedError("ppca_posterior: not implemented yet / pas encore implémenté")


def ppca_elbo(x: torch.Tensor, W: torch.Tensor, mu: torch.Tensor, sigma2: float, m: torch.Tensor,
              logvar: torch.Tensor) -> torch.Tensor:
    """Task 6.3: the ELBO of q(z|x) = N(m, diag exp(logvar)) (m, logvar: (B, K)) in closed form, shape (B,): the
    expected Gaussian log-likelihood E_q[log p(x|z)] (no sampling) minus KL(q || p(z)).

    FR: Tâche 6.3 : l'ELBO de q(z|x) = N(m, diag exp(logvar)) (m, logvar : (B, K)) sous forme close, de forme (B,) :
    l'espérance de la log-vraisemblance gaussienne E_q[log p(x|z)] (sans échantillonnage) moins KL(q || p(z))."""
    # YOUR CODE HERE
    raise NotImplementedError("ppca_elbo: not implemented yet / pas encore implémenté")


def mean_field_optimum_ppca(x: torch.Tensor, W: torch.Tensor, mu: torch.Tensor,
                            sigma2: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Task 6.3: the diagonal Gaussian q(z|x) = N(m, diag exp(logvar)) with the largest ELBO, in closed form.
    Returns (m, logvar), both (B, K).

    FR: Tâche 6.3 : la gaussienne diagonale q(z|x) = N(m, diag exp(logvar)) de plus grande ELBO, sous forme close.
    Renvoie (m, logvar), tous deux de forme (B, K)."""
    # YOUR CODE HERE
    raise NotImplementedError("mean_field_optimum_ppca: not implemented yet / pas encore implémenté")


def ppca_fit(x: torch.Tensor, latent_dim: int, angle: float = 0.0) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Maximum-likelihood probabilistic PCA (Tipping and Bishop, 1999): W = U (Lambda - sigma2 I)^(1/2) R, where R
    rotates the plane of the first and last latent axes by `angle` (radians). Every R gives the same p(x); only
    R = I (up to signs and order) makes W^T W diagonal. Returns (W, mu, sigma2).

    FR: ACP probabiliste par maximum de vraisemblance (Tipping et Bishop, 1999) : W = U (Lambda - sigma2 I)^(1/2) R,
    où R est une rotation d'angle `angle` (radians) du plan des premier et dernier axes latents. Tout R donne le même
    p(x) ; seul R = I (aux signes et à l'ordre près) rend W^T W diagonale. Renvoie (W, mu, sigma2)."""
    x = x.double()
    mu = x.mean(0)
    evals, evecs = torch.linalg.eigh(torch.cov((x - mu).T, correction=0))
    evals, evecs = evals.flip(0), evecs.flip(1)
    sigma2 = float(evals[latent_dim:].mean())
    W = evecs[:, :latent_dim] * (evals[:latent_dim] - sigma2).sqrt()
    R = torch.eye(latent_dim, dtype=torch.float64)
    c, s = math.cos(angle), math.sin(angle)
    last = latent_dim - 1
    if last > 0:
        R[0, 0], R[0, last], R[last, 0], R[last, last] = c, -s, s, c
    return W @ R, mu, sigma2


# --- Task 6.4: inverse autoregressive flow --------------------------------------------------------------------------


def made_masks(dim: int, hidden_sizes: Sequence[int]) -> list[torch.Tensor]:
    """Task 6.4: MADE's masks (Germain et al., 2015) for an autoregressive network dim -> hidden_sizes -> dim, in
    nn.Linear's weight layout (out_features, in_features), as float tensors, one per layer. Degrees: input and
    output unit i (0-based) has degree i + 1; hidden unit j of every hidden layer has degree 1 + (j mod (dim - 1))
    (1 when dim = 1). A hidden unit sees the units of the layer below whose degree is <= its own; an output unit sees
    the hidden units whose degree is strictly < its own, so output i depends on inputs 0..i-1 only.

    FR: Tâche 6.4 : les masques de MADE (Germain et al., 2015) pour un réseau autorégressif dim -> hidden_sizes -> dim,
    au format des poids de nn.Linear (out_features, in_features), en tenseurs flottants, un par couche. Degrés :
    l'unité d'entrée et l'unité de sortie i (numérotées à partir de 0) ont le degré i + 1 ; l'unité cachée j de chaque
    couche cachée a le degré 1 + (j mod (dim - 1)) (1 quand dim = 1). Une unité cachée voit les unités de la couche
    du dessous dont le degré est <= au sien ; une unité de sortie voit les unités cachées dont le degré est
    strictement < au sien : la sortie i ne dépend donc que des entrées 0..i-1."""
    # YOUR CODE HERE
    raise NotImplementedError("made_masks: not implemented yet / pas encore implémenté")


class MaskedLinear(nn.Linear):
    """nn.Linear whose weight is multiplied by a fixed 0/1 mask (a buffer).

    FR: nn.Linear dont le poids est multiplié par un masque fixe de 0 et de 1 (un buffer)."""

    def __init__(self, n_in: int, n_out: int, mask: torch.Tensor) -> None:
        super().__init__(n_in, n_out)
        self.register_buffer("mask", mask.to(self.weight.dtype))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.mask, self.bias)


class IAFStep(nn.Module):
    """One step of inverse autoregressive flow (Kingma et al., 2016), with the gated update of their paper.

    The layers are given: `hidden` (MaskedLinear layers with your made_masks(dim, hidden_sizes)), `context` (an
    nn.Linear from the encoder's context h to the first hidden layer, None when context_dim is 0), and the two
    output heads `mean` and `gate` (MaskedLinear, both with the last mask). `forget_bias` starts the gate near
    "keep z" (s = sigmoid(gate + forget_bias)).

    FR: Une étape de flot autorégressif inverse (Kingma et al., 2016), avec la mise à jour à porte de l'article. Les
    couches sont fournies : `hidden` (des MaskedLinear avec vos made_masks(dim, hidden_sizes)), `context` (un
    nn.Linear du contexte h de l'encodeur vers la première couche cachée, None si context_dim vaut 0) et les deux
    têtes de sortie `mean` et `gate` (des MaskedLinear avec le dernier masque). `forget_bias` fait démarrer la porte
    près de « garder z » (s = sigmoid(gate + forget_bias))."""

    def __init__(self, dim: int, context_dim: int, hidden_sizes: Sequence[int] = (32,),
                 forget_bias: float = 1.0) -> None:
        super().__init__()
        if not hidden_sizes:
            raise ValueError("an IAF step needs at least one hidden layer / une étape d'IAF demande au moins une "
                             "couche cachée")
        masks = made_masks(dim, hidden_sizes)
        sizes = [dim, *hidden_sizes]
        self.hidden = nn.ModuleList(MaskedLinear(sizes[i], sizes[i + 1], masks[i]) for i in range(len(hidden_sizes)))
        self.context = nn.Linear(context_dim, hidden_sizes[0]) if context_dim else None
        self.mean = MaskedLinear(sizes[-1], dim, masks[-1])
        self.gate = MaskedLinear(sizes[-1], dim, masks[-1])
        self.forget_bias = forget_bias

    def forward(self, z: torch.Tensor, h: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """Task 6.4: z (..., dim), h (..., context_dim) or None -> (z_new (..., dim), log_det (...)).
        a = elu(hidden[0](z) + context(h)) (no context term when self.context is None), then a = elu(layer(a)) for
        each further hidden layer; m = mean(a), s = sigmoid(gate(a) + forget_bias); z_new = s * z + (1 - s) * m and
        log_det = log |det d z_new / d z| = sum of log s.

        FR: Tâche 6.4 : z (..., dim), h (..., context_dim) ou None -> (z_new (..., dim), log_det (...)).
        a = elu(hidden[0](z) + context(h)) (sans terme de contexte si self.context vaut None), puis a = elu(layer(a))
        pour chaque couche cachée suivante ; m = mean(a), s = sigmoid(gate(a) + forget_bias) ; z_new = s * z
        + (1 - s) * m et log_det = log |det d z_new / d z| = somme des log s."""
        # YOUR CODE HERE
        raise NotImplementedError("IAFStep.forward: not implemented yet / pas encore implémenté")


# --- the VAE: given -------------------------------------------------------------------------------------------------


def mlp(n_in: int, hidden: int, n_out: int, layers: int = 2) -> nn.Sequential:
    """An MLP with `layers` hidden layers of width `hidden` and ELU.

    FR: un MLP à `layers` couches cachées de largeur `hidden`, avec ELU."""
    modules: list[nn.Module] = []
    for i in range(layers):
        modules += [nn.Linear(n_in if i == 0 else hidden, hidden), nn.ELU()]
    return nn.Sequential(*modules, nn.Linear(hidden if layers else n_in, n_out))


def binarize(x: torch.Tensor) -> torch.Tensor:
    """Digits in [0, 1] -> fixed binary images, flattened to (B, 64).

    FR: chiffres dans [0, 1] -> images binaires fixes, aplaties en (B, 64)."""
    return (x.flatten(1) > 0.5).to(x.dtype)


@dataclass
class Posterior:
    """q(z|x) for a batch: the base diagonal Gaussian (mu, logvar), the encoder's context h, and the flow's
    parameters, one copy per example when they were optimized per example (None: the model's shared flow).
    use_flow=False is a plain diagonal Gaussian, even on a model with a flow.

    FR: q(z|x) pour un lot : la gaussienne diagonale de base (mu, logvar), le contexte h de l'encodeur et les
    paramètres du flot, une copie pour chaque exemple s'ils ont été optimisés exemple par exemple (None : le flot
    partagé du modèle). use_flow=False donne une simple gaussienne diagonale, même sur un modèle avec flot."""

    mu: torch.Tensor
    logvar: torch.Tensor
    h: torch.Tensor
    use_flow: bool = True
    flow_params: list[dict[str, torch.Tensor]] | None = None

    def detach(self) -> Posterior:
        params = None if self.flow_params is None else [{k: v.detach() for k, v in p.items()}
                                                        for p in self.flow_params]
        return Posterior(self.mu.detach(), self.logvar.detach(), self.h.detach(), self.use_flow, params)


def _per_example_step(step: IAFStep, params: dict[str, torch.Tensor], z: torch.Tensor,
                      h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """One IAF step with its own parameters for each example: params (B, ...), z (S, B, K), h (B, C).

    FR: une étape d'IAF avec des paramètres propres à chaque exemple."""
    buffers = dict(step.named_buffers())

    def one(p, zz, hh):
        return torch.func.functional_call(step, (p, buffers), (zz, hh))

    return torch.func.vmap(one, in_dims=(0, 1, 0), out_dims=(1, 1))(params, z, h)


class VAE(L.LightningModule):
    """A VAE for binarized 8x8 digits: MLP encoder and Bernoulli decoder, prior N(0, I).

    posterior="diagonal": q(z|x) = N(mu, diag sigma^2), trained with your `elbo` (one sample per example).
    posterior="iaf": that Gaussian followed by `iaf_steps` IAFStep layers (the order of z reversed between steps),
    the ELBO estimated by Monte Carlo. `refine` optimizes q's parameters for each example separately, from the
    encoder's output (Cremer et al., 2018), with the decoder fixed.

    FR: un VAE pour les chiffres 8x8 binarisés : encodeur MLP, décodeur de Bernoulli, loi a priori N(0, I).
    posterior="diagonal" : q(z|x) = N(mu, diag sigma^2), entraîné avec votre `elbo` (un échantillon pour chaque
    exemple). posterior="iaf" : cette gaussienne suivie de `iaf_steps` couches IAFStep (l'ordre de z inversé entre deux
    étapes), l'ELBO estimée par Monte Carlo. `refine` optimise les paramètres de q pour chaque exemple séparément,
    depuis la sortie de l'encodeur (Cremer et al., 2018), le décodeur fixé."""

    def __init__(self, data_dim: int = 64, latent_dim: int = 2, hidden: int = 128, posterior: str = "diagonal",
                 iaf_steps: int = 2, iaf_hidden: Sequence[int] = (32,), context_dim: int = 16, lr: float = 3e-3,
                 n_samples: int = 1) -> None:
        super().__init__()
        if posterior not in ("diagonal", "iaf"):
            raise ValueError(f"posterior must be 'diagonal' or 'iaf', got {posterior!r} / posterior doit valoir "
                             f"'diagonal' ou 'iaf' (valeur reçue : {posterior!r})")
        self.save_hyperparameters()
        iaf = posterior == "iaf"
        self.context_dim = context_dim if iaf else 0
        self.encoder = mlp(data_dim, hidden, 2 * latent_dim + self.context_dim)
        self.decoder = mlp(latent_dim, hidden, data_dim)
        self.flow = nn.ModuleList(IAFStep(latent_dim, context_dim, tuple(iaf_hidden)) for _ in range(iaf_steps)
                                  ) if iaf else nn.ModuleList()
        self.val_recon_acc = BinaryAccuracy()

    def amortized(self, x: torch.Tensor) -> Posterior:
        out = self.encoder(x)
        k = self.hparams.latent_dim
        return Posterior(out[:, :k], out[:, k:2 * k], out[:, 2 * k:])

    def sample_q(self, q: Posterior, eps: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """z ~ q from eps (S, B, K), and log q(z|x) (S, B).

        FR: z ~ q à partir de eps (S, B, K), et log q(z|x) (S, B)."""
        z = reparameterize(q.mu, q.logvar, eps)
        log_q = -0.5 * (eps**2 + q.logvar + LOG_2PI).sum(-1)
        if q.use_flow:
            for i, step in enumerate(self.flow):
                if q.flow_params is None:
                    z, log_det = step(z, q.h)
                else:
                    z, log_det = _per_example_step(step, q.flow_params[i], z, q.h)
                log_q = log_q - log_det
                z = z.flip(-1)
        return z, log_q

    def log_px_z(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        logits = self.decoder(z)
        return -F.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction="none").sum(-1)

    def log_weights(self, x: torch.Tensor, eps: torch.Tensor, q: Posterior | None = None) -> torch.Tensor:
        """log p(x, z_s) - log q(z_s|x) for z_s drawn from eps (S, B, K): (S, B).

        FR: les log-poids log p(x, z_s) - log q(z_s|x), pour z_s tiré à partir de eps."""
        q = self.amortized(x) if q is None else q
        z, log_q = self.sample_q(q, eps)
        return self.log_px_z(x, z) - 0.5 * (z**2 + LOG_2PI).sum(-1) - log_q

    def _terms(self, x: torch.Tensor, eps: torch.Tensor) -> dict[str, torch.Tensor]:
        q = self.amortized(x)
        if self.hparams.posterior == "diagonal":
            value = elbo(x, q.mu, q.logvar, self.decoder, eps)
            kl = kl_diag_gaussian_std_normal(q.mu, q.logvar)
        else:
            z, log_q = self.sample_q(q, eps)
            recon = self.log_px_z(x, z).mean(0)
            kl = (log_q + 0.5 * (z**2 + LOG_2PI).sum(-1)).mean(0)
            value = recon - kl
        return {"elbo": value.mean(), "kl": kl.mean(), "recon": (value + kl).mean(), "mu": q.mu}

    def _eps(self, x: torch.Tensor, n: int) -> torch.Tensor:
        return torch.randn(n, x.shape[0], self.hparams.latent_dim, device=x.device, dtype=x.dtype)

    def training_step(self, batch, batch_idx: int) -> torch.Tensor:
        x = binarize(batch[0])
        terms = self._terms(x, self._eps(x, self.hparams.n_samples))
        self.log_dict({f"train/{k}": terms[k] for k in ("elbo", "kl", "recon")}, on_step=False, on_epoch=True)
        return -terms["elbo"]

    def validation_step(self, batch, batch_idx: int) -> None:
        x = binarize(batch[0])
        terms = self._terms(x, self._eps(x, 1))
        self.val_recon_acc(torch.sigmoid(self.decoder(terms["mu"])), x.long())
        self.log_dict({f"val/{k}": terms[k] for k in ("elbo", "kl", "recon")}, on_epoch=True)
        self.log("val/recon_acc", self.val_recon_acc, on_epoch=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)

    # --- evaluation: the ELBO of any q, IWAE, exact log p(x) by quadrature, per-example refinement ---------------

    @torch.no_grad()
    def elbo_of(self, x: torch.Tensor, q: Posterior, n_samples: int, seed: int = 0) -> torch.Tensor:
        """The ELBO of q for each example, averaged over n_samples samples: (B,).

        FR: l'ELBO de q pour chaque exemple, moyennée sur n_samples échantillons."""
        g = torch.Generator(device=x.device).manual_seed(seed)
        eps = torch.randn(n_samples, x.shape[0], self.hparams.latent_dim, generator=g, device=x.device, dtype=x.dtype)
        return self.log_weights(x, eps, q).mean(0)

    @torch.no_grad()
    def iwae(self, x: torch.Tensor, n_samples: int, q: Posterior | None = None, seed: int = 0,
             chunk: int = 500) -> torch.Tensor:
        """The importance-weighted bound with n_samples samples from q (default: the encoder's).

        FR: la borne pondérée par importance avec n_samples échantillons de q (par défaut, celui de l'encodeur)."""
        g = torch.Generator(device=x.device).manual_seed(seed)
        q = self.amortized(x) if q is None else q
        parts = []
        for start in range(0, n_samples, chunk):
            s = min(chunk, n_samples - start)
            eps = torch.randn(s, x.shape[0], self.hparams.latent_dim, generator=g, device=x.device, dtype=x.dtype)
            parts.append(self.log_weights(x, eps, q))
        return iwae_bound(torch.cat(parts))

    @torch.no_grad()
    def log_marginal_grid(self, x: torch.Tensor, limit: float = 5.0, points: int = 301) -> torch.Tensor:
        """log p(x) = log of the integral of p(x|z) p(z) over z, by a Riemann sum on a points x points grid over
        [-limit, limit]^2 (latent_dim 2 only). log p(x|z) for every (x, grid point) is two matrix products.

        FR: log p(x), l'intégrale de p(x|z) p(z) sur z, par une somme de Riemann sur une grille de `points` x
        `points` points sur [-limit, limit]^2 (latent_dim 2 seulement)."""
        if self.hparams.latent_dim != 2:
            raise ValueError("grid quadrature needs a 2-D latent space / la quadrature sur une grille demande un "
                             "espace latent de dimension 2")
        axis = torch.linspace(-limit, limit, points, device=x.device, dtype=x.dtype)
        z = torch.cartesian_prod(axis, axis)
        logits = self.decoder(z)
        log_px_z = x @ F.logsigmoid(logits).T + (1 - x) @ F.logsigmoid(-logits).T  # (B, G)
        log_pz = -0.5 * (z**2).sum(-1) - LOG_2PI
        cell = math.log(float(axis[1] - axis[0]) ** 2)
        return torch.logsumexp(log_px_z + log_pz, dim=1) + cell

    def refine(self, x: torch.Tensor, steps: int, lr: float, n_samples: int = 8, flow: bool | None = None,
               seed: int = 0) -> Posterior:
        """Optimize q's parameters for each example separately, from the encoder's output, with Adam on the Monte
        Carlo ELBO (fresh noise every step); the decoder and encoder stay fixed. flow=False optimizes a diagonal
        Gaussian (mean-field) even on a model with a flow; with a flow, each example gets its own copy of the
        flow's parameters. Every example's loss touches its own parameters only, so one Adam over the batch is
        B independent optimizations.

        FR: optimise les paramètres de q pour chaque exemple séparément, depuis la sortie de l'encodeur, avec Adam sur
        l'ELBO de Monte Carlo (nouveau bruit à chaque pas) ; décodeur et encodeur restent fixés. flow=False optimise
        une gaussienne diagonale (mean-field) même sur un modèle avec flot ; avec flot, chaque exemple a sa propre
        copie des paramètres du flot. Le coût de chaque exemple ne dépend que de ses propres paramètres : un seul Adam
        sur le lot fait B optimisations indépendantes."""
        flow = self.hparams.posterior == "iaf" if flow is None else flow
        with torch.no_grad():
            start = self.amortized(x)
        b = x.shape[0]
        q = Posterior(start.mu.clone().requires_grad_(), start.logvar.clone().requires_grad_(),
                      start.h.clone().requires_grad_(), use_flow=flow and len(self.flow) > 0)
        leaves = [q.mu, q.logvar] + ([q.h] if q.use_flow else [])
        if q.use_flow:
            q.flow_params = [{name: p.detach().expand(b, *p.shape).clone().requires_grad_()
                              for name, p in step.named_parameters()} for step in self.flow]
            leaves += [p for params in q.flow_params for p in params.values()]
        opt = torch.optim.Adam(leaves, lr=lr)
        g = torch.Generator(device=x.device).manual_seed(seed)
        for _ in range(steps):
            eps = torch.randn(n_samples, b, self.hparams.latent_dim, generator=g, device=x.device, dtype=x.dtype)
            loss = -self.log_weights(x, eps, q).mean(0).sum()
            grads = torch.autograd.grad(loss, leaves)
            for leaf, grad in zip(leaves, grads, strict=True):
                leaf.grad = grad
            opt.step()
        return q.detach()


def train_vae(posterior: str, epochs: int, seed: int = 0, batch_size: int = 64, run_name: str | None = None,
              history: training.MetricHistory | None = None, limit: int | None = None, **model_kwargs) -> VAE:
    """Train a VAE on the binarized digits through Lightning; tracked (wandb offline by default) unless run_name is
    None.

    FR: entraîne un VAE sur les chiffres binarisés avec Lightning ; suivi (wandb hors ligne par défaut) sauf si run_name
    vaut None."""
    training.seed_everything(seed)
    model = VAE(posterior=posterior, **model_kwargs)
    data = DigitsDataModule(batch_size=batch_size, seed=seed, limit=limit)
    config = dict(posterior=posterior, epochs=epochs, seed=seed, batch_size=batch_size, **model_kwargs)
    logger = training.make_logger("lab06_vae", run_name, config) if run_name else False
    trainer = training.make_trainer("lab06_vae", logger=logger, max_epochs=epochs, enable_progress_bar=False,
                                    enable_model_summary=False, num_sanity_val_steps=0,
                                    callbacks=[history] if history is not None else None)
    trainer.fit(model, datamodule=data)
    training.finish(trainer)
    return model.eval()


def digits_eval_set(n: int, seed: int = 0) -> torch.Tensor:
    """n binarized digits from the validation split of DigitsDataModule(seed=seed), as (n, 64) float64.

    FR: n chiffres binarisés de l'ensemble de validation de DigitsDataModule(seed=seed), en (n, 64) float64."""
    data = DigitsDataModule(seed=seed)
    data.setup()
    return binarize(data.val_set.tensors[0][:n]).double()
