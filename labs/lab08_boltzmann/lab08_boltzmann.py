"""Lab 8: a three-way Boltzmann machine: block Gibbs, the marginal of x, and CD training (exam question 8).

The model: x in {0,1}^N, y in {0,1}^M, z in {0,1}^K, E(x, y, z) = sum_ijk W_ijk x_i y_j z_k and P = exp(-E) / Z, no
biases. W has shape (N, M, K); every function is batched (x: (B, N), y: (B, M), z: (B, K)) and every sampler takes
its uniforms as arguments: a unit is 1 where u < p.

Fill in every function that raises NotImplementedError (Tasks 8.1-8.6). `all_states`, `rbm_free_energy`,
`joint_probabilities`, `ThreeWayBoltzmann` and `BinaryDigitsDataModule` are given: they use your functions.

FR: Lab 8 : une machine de Boltzmann à interactions triples : Gibbs par blocs, la marginale de x et l'entraînement
par divergence contrastive (question 8 de l'examen).

Le modèle : x dans {0,1}^N, y dans {0,1}^M, z dans {0,1}^K, E(x, y, z) = sum_ijk W_ijk x_i y_j z_k et
P = exp(-E) / Z, sans biais. W est de forme (N, M, K) ; chaque fonction traite un lot (x : (B, N), y : (B, M),
z : (B, K)) et chaque échantillonneur reçoit ses tirages uniformes u en argument : une unité vaut 1 là où u < p.

Complétez chaque fonction qui lève NotImplementedError (tâches 8.1 à 8.6). `all_states`, `rbm_free_energy`,
`joint_probabilities`, `ThreeWayBoltzmann` et `BinaryDigitsDataModule` sont fournis : ils utilisent vos fonctions.
"""

from __future__ import annotations

import math

import lightning as L
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from labkit import data as labdata
from labkit import training

# --- given helpers --------------------------------------------------------------------------------------------------


def all_states(n: int, dtype: torch.dtype = torch.float64, device: torch.device | str | None = None) -> torch.Tensor:
    """Every binary vector of length n, as a (2^n, n) tensor; row r is r written in binary (unit 0 first).

    FR: tous les vecteurs binaires de longueur n, en un tenseur (2^n, n) ; la ligne r est r écrit en binaire (unité 0
    en premier)."""
    r = torch.arange(2**n, device=device)
    return ((r[:, None] >> torch.arange(n, device=device)) & 1).to(dtype)


def rbm_free_energy(W: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """An RBM's free energy without biases, -log sum_h exp(-x^T W h), with H hidden units. W: (N, H),
    x: (B, N) -> (B,).

    FR: l'énergie libre d'une machine de Boltzmann restreinte (RBM) sans biais, -log sum_h exp(-x^T W h), à H unités
    cachées. W : (N, H), x : (B, N) -> (B,)."""
    return -F.softplus(-(x @ W)).sum(-1)


def joint_probabilities(W: torch.Tensor) -> torch.Tensor:
    """P(x, y, z) of a tiny model by brute force, shape (2^N, 2^M, 2^K), indexed as `all_states`.

    FR: P(x, y, z) d'un tout petit modèle par force brute, de forme (2^N, 2^M, 2^K), indexée comme `all_states`."""
    n, m, k = W.shape
    xs, ys, zs = all_states(n, W.dtype), all_states(m, W.dtype), all_states(k, W.dtype)
    log_p = -torch.einsum("ijk,ai,bj,ck->abc", W, xs, ys, zs)
    return torch.softmax(log_p.reshape(-1), 0).reshape(log_p.shape)


# --- Task 8.1: energy and conditionals ------------------------------------------------------------------------------


def energy(W: torch.Tensor, x: torch.Tensor, y: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """Task 8.1: E(x, y, z) = sum_ijk W_ijk x_i y_j z_k for each row of the batch, shape (B,).

    FR: Tâche 8.1 : E(x, y, z) = sum_ijk W_ijk x_i y_j z_k pour chaque ligne du lot, de forme (B,)."""
    # YOUR CODE HERE
    raise NotImplementedError("energy: not implemented yet / pas encore implémenté")


def conditional_x(W: torch.Tensor, y: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """Task 8.1: P(x_i = 1 | y, z) for every i, shape (B, N).

    FR: Tâche 8.1 : P(x_i = 1 | y, z) pour chaque i, de forme (B, N)."""
    # YOUR CODE HERE
    raise NotImplementedError("conditional_x: not implemented yet / pas encore implémenté")


def conditional_y(W: torch.Tensor, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """Task 8.1: P(y_j = 1 | x, z) for every j, shape (B, M).

    FR: Tâche 8.1 : P(y_j = 1 | x, z) pour chaque j, de forme (B, M)."""
    # YOUR CODE HERE
    raise NotImplementedError("conditional_y: not implemented yet / pas encore implémenté")


def conditional_z(W: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Task 8.1: P(z_k = 1 | x, y) for every k, shape (B, K).

    FR: Tâche 8.1 : P(z_k = 1 | x, y) pour chaque k, de forme (B, K)."""
    # YOUR CODE HERE
    raise NotImplementedError("conditional_z: not implemented yet / pas encore implémenté")


# --- Task 8.2: block Gibbs ------------------------------------------------------------------------------------------


def block_gibbs_step(W: torch.Tensor, x: torch.Tensor, y: torch.Tensor, z: torch.Tensor, ux: torch.Tensor,
                     uy: torch.Tensor, uz: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Task 8.2: one block-Gibbs sweep. Sample x | y, z, then y | x_new, z, then z | x_new, y_new; a unit is 1 where
    its uniform (ux, uy, uz, shaped like x, y, z) is below its probability. Returns the new (x, y, z): 0/1 samples in
    the dtype of the inputs.

    FR: Tâche 8.2 : un balayage de Gibbs par blocs. Tirez x | y, z, puis y | x_nouveau, z, puis z | x_nouveau,
    y_nouveau ; une unité vaut 1 là où son tirage uniforme (ux, uy, uz, de mêmes formes que x, y, z) est inférieur
    à sa probabilité. Renvoie les nouveaux (x, y, z) : des échantillons 0/1, dans le dtype des entrées."""
    # YOUR CODE HERE
    raise NotImplementedError("block_gibbs_step: not implemented yet / pas encore implémenté")


# --- Task 8.3: the unnormalized marginal and the partition function -------------------------------------------------


def unnormalized_log_marginal(W: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Task 8.3: log sum_{y, z} exp(-E(x, y, z)) = log P(x) + log Z, exactly, shape (B,). It must run on the sizes of
    Experiment 2 (N = 64, M and K up to 14 each: summing 2^(M + K) terms one by one is out of reach) whichever of M
    and K is larger, and stay finite and exact for weights large enough that exp(-E) overflows float64.

    FR: Tâche 8.3 : log sum_{y, z} exp(-E(x, y, z)) = log P(x) + log Z, exactement, de forme (B,). Elle doit
    pouvoir s'exécuter aux tailles de l'expérience 2 (N = 64, M et K jusqu'à 14 chacun : sommer un à un les
    2^(M + K) termes est hors de portée), que M ou K soit le plus grand, et rester finie et exacte pour des poids
    assez grands pour que exp(-E) dépasse la capacité de float64."""
    # YOUR CODE HERE
    raise NotImplementedError("unnormalized_log_marginal: not implemented yet / pas encore implémenté")


def log_partition(W: torch.Tensor, chunk: int = 4096) -> torch.Tensor:
    """Task 8.3: the exact log Z of a small model, a scalar tensor: N as large as the digits' 64, M + K up to about
    20 (summing all 2^(N + M + K) terms is out of reach). `chunk` bounds how many settings of the latent units are
    held in memory at once.

    FR: Tâche 8.3 : le log Z exact d'un petit modèle, en un tenseur scalaire : N aussi grand que les 64 pixels des
    chiffres, M + K jusqu'à environ 20 (sommer les 2^(N + M + K) termes est hors de portée). `chunk` borne le nombre
    de valeurs des unités latentes gardées en mémoire à la fois."""
    # YOUR CODE HERE
    raise NotImplementedError("log_partition: not implemented yet / pas encore implémenté")


# --- Task 8.4: the positive phase -----------------------------------------------------------------------------------


def positive_statistics(W: torch.Tensor, x: torch.Tensor, method: str = "exact",
                        **options) -> tuple[torch.Tensor, torch.Tensor]:
    """Task 8.4: the positive phase. Returns two tensors:
    - the positive statistics E[x_i y_j z_k | x], averaged over the batch, shape (N, M, K);
    - q_z, the method's estimate of P(z_k = 1 | x) for every example, shape (B, K) (`cd_gradient` uses it).

    With A_bjk = sum_i W_ijk x_bi, the energy given x is sum_jk A_bjk y_j z_k. Methods:
    - "exact": exactly, at the sizes `unnormalized_log_marginal` handles; q_z is exact too.
    - "mean_field": q(y) q(z). Start from q(z_k = 1) = 1/2; then `iterations` times (option, default 50):
      q_y = sigmoid(-A q_z), then q_z = sigmoid(-A^T q_y) with the new q_y. Uses E[y_j z_k | x] ~ q_yj q_zk.
    - "gibbs": samples. Options `uy` (T, B, M) and `uz` (T, B, K), `burn_in` (default 0). Start at z = 0; step t
      samples y | x, z with uy[t], then z | x, y with uz[t]. Uses the average of y_j z_k (samples) over the steps
      t >= burn_in; q_z is the average of z over the same steps.

    FR: Tâche 8.4 : la phase positive. Renvoie deux tenseurs :
    - les statistiques positives E[x_i y_j z_k | x], moyennées sur le lot, de forme (N, M, K) ;
    - q_z, l'estimation de P(z_k = 1 | x) que donne la méthode pour chaque exemple, de forme (B, K) (`cd_gradient`
      s'en sert).

    Avec A_bjk = sum_i W_ijk x_bi, l'énergie sachant x vaut sum_jk A_bjk y_j z_k. Méthodes :
    - "exact" : exactement, aux tailles que traite `unnormalized_log_marginal` ; q_z est exact lui aussi.
    - "mean_field" : q(y) q(z). Partez de q(z_k = 1) = 1/2 ; puis, `iterations` fois (option, 50 par défaut) :
      q_y = sigmoid(-A q_z), puis q_z = sigmoid(-A^T q_y) avec le nouveau q_y. Approche E[y_j z_k | x] par
      q_yj q_zk.
    - "gibbs" : des échantillons. Options `uy` (T, B, M) et `uz` (T, B, K), `burn_in` (0 par défaut). Partez de
      z = 0 ; le pas t tire y | x, z avec uy[t], puis z | x, y avec uz[t]. Prend la moyenne des échantillons de
      y_j z_k sur les pas t >= burn_in ; q_z est la moyenne de z sur ces mêmes pas."""
    # YOUR CODE HERE
    raise NotImplementedError("positive_statistics: not implemented yet / pas encore implémenté")


# --- Task 8.5: gradients --------------------------------------------------------------------------------------------


def cd_gradient(W: torch.Tensor, x: torch.Tensor, k: int, positive: torch.Tensor, q_z: torch.Tensor,
                uniforms: tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """Task 8.5: the CD-k estimate of the gradient of the average negative log-likelihood, d/dW mean_b[-log P(x_b)],
    shape (N, M, K), with the sign of that gradient: gradient *descent*, W <- W - lr * gradient, uses it as it is.
    `positive` and `q_z` come from `positive_statistics` on the same batch.

    Convention: the negative chain starts where the positive phase says the data's latents are. It starts at the
    data x with z drawn from the positive phase's marginal, z_k = 1 where u0 < q_z (B, K). Then each of its k sweeps
    samples y | x, z, then z | x, y, then x | y, z. `uniforms` = (u0, ux, uy, uz), of shapes (B, K), (k, B, N),
    (k, B, M), (k, B, K); sweep t uses ux[t], uy[t], uz[t]. The chain's statistics are the batch mean of
    x_i y_j z_k over its final samples. The data x is not modified.

    FR: Tâche 8.5 : l'estimation CD-k (divergence contrastive) du gradient de la log-vraisemblance négative moyenne,
    d/dW mean_b[-log P(x_b)], de forme (N, M, K), avec le signe de ce gradient : la descente de gradient,
    W <- W - lr * gradient, l'utilise telle quelle. `positive` et `q_z` viennent de `positive_statistics` sur le
    même lot.

    Convention : la chaîne négative part de là où la phase positive place les variables latentes des données. Elle
    part des données x, avec z tiré de la marginale de la phase positive : z_k = 1 là où u0 < q_z (B, K). Puis
    chacun de ses k balayages tire y | x, z, puis z | x, y, puis x | y, z. `uniforms` = (u0, ux, uy, uz), de formes
    (B, K), (k, B, N), (k, B, M), (k, B, K) ; le balayage t utilise ux[t], uy[t], uz[t]. Les statistiques de la
    chaîne sont la moyenne sur le lot de x_i y_j z_k à ses derniers échantillons. Les données x ne sont pas
    modifiées."""
    # YOUR CODE HERE
    raise NotImplementedError("cd_gradient: not implemented yet / pas encore implémenté")


def exact_nll_gradient(W: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Task 8.6: the exact gradient of the average negative log-likelihood mean_b[-log P(x_b)], shape (N, M, K), for a
    small model (N up to 64, M + K up to about 20, as for `log_partition`), exactly.

    FR: Tâche 8.6 : le gradient exact de la log-vraisemblance négative moyenne mean_b[-log P(x_b)], de forme
    (N, M, K), pour un petit modèle (N jusqu'à 64, M + K jusqu'à environ 20, comme pour `log_partition`),
    exactement."""
    # YOUR CODE HERE
    raise NotImplementedError("exact_nll_gradient: not implemented yet / pas encore implémenté")


# --- training: given ------------------------------------------------------------------------------------------------


def binary_digits(threshold: float = 0.5) -> tuple[torch.Tensor, torch.Tensor]:
    """The 1,797 8x8 digits as (1797, 64) binary float64 vectors (pixel > threshold) and their labels.

    FR: les 1 797 chiffres 8x8 en vecteurs binaires float64 (1797, 64) (pixel > threshold), et leurs étiquettes."""
    images, labels = labdata.digits_tensors()
    return (images.reshape(len(images), -1) > threshold).double(), labels


class BinaryDigitsDataModule(L.LightningDataModule):
    """Binarized 8x8 digits, split once with a fixed seed (the same split as labkit's DigitsDataModule).

    FR: les chiffres 8x8 binarisés, séparés une fois avec une graine fixe (la même séparation que le
    DigitsDataModule de labkit)."""

    def __init__(self, batch_size: int = 64, val_fraction: float = 0.2, limit: int | None = None,
                 seed: int = 0) -> None:
        super().__init__()
        self.batch_size, self.val_fraction, self.limit, self.seed = batch_size, val_fraction, limit, seed

    def setup(self, stage: str | None = None) -> None:
        x, _ = binary_digits()
        order = torch.randperm(len(x), generator=torch.Generator().manual_seed(self.seed))
        if self.limit is not None:
            order = order[: self.limit]
        n_val = max(1, int(len(order) * self.val_fraction))
        self.train_x, self.val_x = x[order[n_val:]], x[order[:n_val]]

    def train_dataloader(self) -> DataLoader:
        return DataLoader(TensorDataset(self.train_x), batch_size=self.batch_size, shuffle=True,
                          generator=torch.Generator().manual_seed(self.seed))

    def val_dataloader(self) -> DataLoader:
        # One batch holding the whole train set, one holding the validation set: the exact log-likelihood of both.
        return [DataLoader(TensorDataset(self.train_x), batch_size=len(self.train_x)),
                DataLoader(TensorDataset(self.val_x), batch_size=len(self.val_x))]


ESTIMATORS = ("exact", "cd", "pcd")


class ThreeWayBoltzmann(L.LightningModule):
    """The exam's model on binary vectors, trained with a gradient estimate written by hand (manual optimization).

    `estimator`: "exact" (`exact_nll_gradient`), "cd" (`cd_gradient`: k sweeps from the data and the positive phase's
    latents) or "pcd" (persistent chains, Tieleman 2008: `block_gibbs_step` k times per batch from where the chains
    stopped). `positive`: the
    positive phase's method for cd and pcd ("exact", "mean_field" or "gibbs"), `inner_steps` the length of the
    Gibbs positive chain (its first half is burn-in) or the number of mean-field iterations. Validation logs the
    exact average log-likelihood (log Z by enumeration, so M + K must stay small) of the train and validation sets,
    and the reconstruction error of one mean-field pass x -> (y, z) -> x.

    FR: le modèle de l'examen sur des vecteurs binaires, entraîné avec une estimation du gradient écrite à la main
    (optimisation manuelle). `estimator` : "exact" (`exact_nll_gradient`), "cd" (`cd_gradient` : k balayages depuis
    les données et les variables latentes de la phase positive) ou "pcd" (chaînes persistantes, Tieleman 2008 :
    `block_gibbs_step` k fois par lot, depuis l'endroit où les chaînes se sont arrêtées). `positive` : la méthode de
    la phase positive pour cd et pcd ("exact", "mean_field" ou "gibbs") ; `inner_steps` : la longueur de la chaîne
    de Gibbs positive (sa première moitié sert de rodage) ou le nombre d'itérations de champ moyen. La validation
    enregistre la log-vraisemblance moyenne exacte (log Z par énumération, donc M + K doit rester petit) des
    ensembles d'entraînement et de validation, et l'erreur de reconstruction d'un passage en champ moyen
    x -> (y, z) -> x."""

    def __init__(self, n_visible: int = 64, m: int = 6, k: int = 6, estimator: str = "cd", positive: str = "exact",
                 cd_k: int = 1, inner_steps: int = 20, n_chains: int = 100, lr: float = 0.05, init_std: float = 0.1,
                 seed: int = 0) -> None:
        super().__init__()
        if estimator not in ESTIMATORS:
            raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r} / estimator doit être l'une "
                             f"des valeurs {ESTIMATORS} (valeur reçue : {estimator!r})")
        self.save_hyperparameters()
        self.automatic_optimization = False
        g = torch.Generator().manual_seed(seed)
        self.W = nn.Parameter(init_std * torch.randn(n_visible, m, k, generator=g, dtype=torch.float64))
        self.noise = torch.Generator().manual_seed(seed + 1)  # every uniform the estimators use
        self.chains: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None
        self.history: list[dict[str, float]] = []

    def _uniform(self, *shape: int) -> torch.Tensor:
        return torch.rand(*shape, generator=self.noise, dtype=torch.float64).to(self.device)

    def gradient(self, x: torch.Tensor) -> torch.Tensor:
        """This module's gradient estimate on a batch (its sign: for descent).

        FR: l'estimation du gradient de ce module sur un lot (son signe : pour la descente)."""
        hp, W = self.hparams, self.W.detach()
        if hp.estimator == "exact":
            return exact_nll_gradient(W, x)
        b, (n, m, k) = x.shape[0], W.shape
        if hp.positive == "gibbs":
            options = dict(uy=self._uniform(hp.inner_steps, b, m), uz=self._uniform(hp.inner_steps, b, k),
                           burn_in=hp.inner_steps // 2)
        else:
            options = dict(iterations=hp.inner_steps)
        positive, q_z = positive_statistics(W, x, hp.positive, **options)
        if hp.estimator == "cd":
            uniforms = (self._uniform(b, k), self._uniform(hp.cd_k, b, n), self._uniform(hp.cd_k, b, m),
                        self._uniform(hp.cd_k, b, k))
            return cd_gradient(W, x, hp.cd_k, positive, q_z, uniforms)
        if self.chains is None:
            c = hp.n_chains
            self.chains = ((self._uniform(c, n) < 0.5).double(), (self._uniform(c, m) < 0.5).double(),
                           (self._uniform(c, k) < 0.5).double())
        xs, ys, zs = self.chains
        for _ in range(hp.cd_k):
            xs, ys, zs = block_gibbs_step(W, xs, ys, zs, self._uniform(*xs.shape), self._uniform(*ys.shape),
                                          self._uniform(*zs.shape))
        self.chains = (xs, ys, zs)
        return positive - torch.einsum("bi,bj,bk->ijk", xs, ys, zs) / xs.shape[0]

    def training_step(self, batch: list[torch.Tensor], batch_idx: int) -> None:
        (x,) = batch
        opt = self.optimizers()
        opt.zero_grad()
        self.W.grad = self.gradient(x.double())
        opt.step()

    def average_log_likelihood(self, x: torch.Tensor) -> float:
        W = self.W.detach()
        return float(unnormalized_log_marginal(W, x).mean() - log_partition(W))

    def reconstruction_error(self, x: torch.Tensor) -> float:
        """Mean squared error of x -> mean-field (y, z) -> P(x | y, z), with the means in place of samples.

        FR: l'erreur quadratique moyenne de x -> (y, z) en champ moyen -> P(x | y, z), avec les moyennes à la place
        des échantillons."""
        W = self.W.detach()
        A = torch.einsum("ijk,bi->bjk", W, x)
        q_z = torch.full((x.shape[0], W.shape[2]), 0.5, dtype=x.dtype, device=x.device)
        for _ in range(20):
            q_y = torch.sigmoid(-torch.einsum("bjk,bk->bj", A, q_z))
            q_z = torch.sigmoid(-torch.einsum("bjk,bj->bk", A, q_y))
        x_mean = torch.sigmoid(-torch.einsum("ijk,bj,bk->bi", W, q_y, q_z))
        return float(((x_mean - x) ** 2).mean())

    def validation_step(self, batch: list[torch.Tensor], batch_idx: int, dataloader_idx: int = 0) -> None:
        (x,) = batch
        x = x.double()
        split = ("train", "val")[dataloader_idx]
        ll, rec = self.average_log_likelihood(x), self.reconstruction_error(x)
        self.log_dict({f"{split}/log_likelihood": ll, f"{split}/reconstruction_error": rec}, add_dataloader_idx=False)
        if not self.trainer.sanity_checking:
            if dataloader_idx == 0:
                self.history.append({"epoch": self.current_epoch + 1})
            self.history[-1].update({f"{split}/log_likelihood": ll, f"{split}/reconstruction_error": rec})

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.5)

    def samples(self, n: int, steps: int, seed: int = 0) -> torch.Tensor:
        """x after `steps` block-Gibbs sweeps of n chains started at random, as (n, N).

        FR: x après `steps` balayages de Gibbs par blocs de n chaînes parties d'états aléatoires, de forme (n, N)."""
        W = self.W.detach()
        g = torch.Generator().manual_seed(seed)
        (n_vis, m, k) = W.shape

        def u(*shape: int) -> torch.Tensor:
            return torch.rand(*shape, generator=g, dtype=W.dtype).to(W.device)

        x, y, z = (u(n, n_vis) < 0.5).to(W.dtype), (u(n, m) < 0.5).to(W.dtype), (u(n, k) < 0.5).to(W.dtype)
        for _ in range(steps):
            x, y, z = block_gibbs_step(W, x, y, z, u(n, n_vis), u(n, m), u(n, k))
        return x


def train(estimator: str, positive: str = "exact", epochs: int = 5, batch_size: int = 64, limit: int | None = None,
          run_name: str | None = None, **model_kwargs) -> ThreeWayBoltzmann:
    """Train a ThreeWayBoltzmann on the binarized digits with one estimator; tracked by wandb unless run_name is
    None.

    FR: entraîne un ThreeWayBoltzmann sur les chiffres binarisés avec un estimateur ; suivi par wandb sauf si
    run_name vaut None."""
    training.seed_everything(model_kwargs.get("seed", 0))
    model = ThreeWayBoltzmann(estimator=estimator, positive=positive, **model_kwargs)
    config = dict(estimator=estimator, positive=positive, epochs=epochs, batch_size=batch_size, **model_kwargs)
    logger = training.make_logger("lab08_boltzmann", run_name, config) if run_name else False
    trainer = training.make_trainer("lab08_boltzmann", logger=logger, max_epochs=epochs, enable_progress_bar=False,
                                    enable_model_summary=False, num_sanity_val_steps=0)
    trainer.fit(model, datamodule=BinaryDigitsDataModule(batch_size=batch_size, limit=limit))
    training.finish(trainer)
    return model


def angle_degrees(a: torch.Tensor, b: torch.Tensor) -> float:
    """The angle between two gradients, in degrees.

    FR: l'angle entre deux gradients, en degrés."""
    cos = float((a * b).sum() / (a.norm() * b.norm()).clamp_min(1e-300))
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def show_images(x: torch.Tensor, title: str = "", cols: int = 10):
    """Binary 64-vectors as a grid of 8x8 images.

    FR: des vecteurs binaires de taille 64 affichés en une grille d'images 8x8."""
    import matplotlib.pyplot as plt

    rows = max(1, math.ceil(len(x) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 0.8, rows * 0.8))
    for ax, img in zip(axes.flat, list(x.reshape(-1, 8, 8).cpu()), strict=False):
        ax.imshow(img, cmap="gray_r", vmin=0, vmax=1)
    for ax in axes.flat:
        ax.axis("off")
    fig.suptitle(title)
    return fig
