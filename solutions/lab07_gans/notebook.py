# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lab 7 — GANs: the linear critic, WGAN-GP's gradient penalty, and PacGAN / GAN : le critique linéaire, la pénalité de gradient de WGAN-GP, et PacGAN
#
# **Exam question 7 (15 points).** For input $\mathbf{x} \in \mathbb{R}^N$ consider we have a linear regression
# model as a very simple GAN discriminator: $D(\mathbf{x}) = \mathbf{w}^\top \mathbf{x} + b$.
#
# - (a) Would it be advisable to use such a simple discriminator? Justify your answer by describing what problem /
#   benefits you might expect to encounter.
# - (b) For the loss used in the WGAN-GP seen in class:
#   $$L = \mathbb{E}_{\tilde{\mathbf{x}} \sim \mathbb{P}_g} [D(\tilde{\mathbf{x}})] - \mathbb{E}_{\mathbf{x} \sim
#   \mathbb{P}_r} [D(\mathbf{x})] + \lambda \mathbb{E}_{\hat{\mathbf{x}} \sim \mathbb{P}_{\hat{\mathbf{x}}}}
#   [(\|\nabla_{\hat{\mathbf{x}}} D(\hat{\mathbf{x}})\|_2 - 1)^2]$$
#   where $\hat{\mathbf{x}}$ is interpolated between the generated $\tilde{\mathbf{x}}$ and a true data sample
#   $\mathbf{x}$. For this simple GAN discriminator, please provide the discriminator gradient update for the model
#   parameters $\mathbf{w}$: $\nabla_{\mathbf{w}} L$.
# - (c) How does PacGAN help avoid the mode collapse problem that can plague standard GAN training?
#
# **How this lab works.** Fill in the functions of `lab07_gans.py` (Tasks 7.1–7.6). Each test cell runs the public
# cases; more cases (other batch sizes, critics and seeds, near-misses around the 3-standard-deviation threshold) are
# graded after you submit. The grader also reads your source: `linear_critic_grad_w` is your answer to (b) in closed
# form, and it scores 0 if it uses autograd. Then the experiments use your code: what a linear critic measures, what a
# discriminator sees in packs of samples, PacGAN's Table 1, and the exam's WGAN-GP on the ring. Write the three
# answers in the cells marked *YOUR ANSWER HERE*, from what the experiments measured.
#
# **FR —** **Question 7 de l'examen (15 points).** Pour $\mathbf{x} \in \mathbb{R}^N$, considérez que nous avons un
# modèle de régression linéaire comme discriminateur pour un GAN : $D(\mathbf{x}) = \mathbf{w}^\top \mathbf{x} + b$.
#
# - (a) Est-ce une bonne idée d'avoir un modèle aussi simple comme discriminateur ? Justifiez votre réponse en
#   décrivant les problèmes/avantages que vous pourriez rencontrer.
# - (b) Voici la fonction de coût du WGAN-GP que nous avons vue en classe : $L$ ci-dessus, où $\hat{\mathbf{x}}$ est
#   une interpolation entre un exemple généré $\tilde{\mathbf{x}}$ et un vrai exemple $\mathbf{x}$. Pour le
#   discriminateur linéaire décrit plus haut, donnez le gradient par rapport aux paramètres $\mathbf{w}$ :
#   $\nabla_{\mathbf{w}} L$.
# - (c) Comment est-ce que *PacGAN* peut nous aider à éviter le problème de *mode collapse* qui arrive souvent lors
#   de l'entraînement de GAN classique ?
#
# **Déroulement du lab.** Complétez les fonctions de `lab07_gans.py` (tâches 7.1 à 7.6). Chaque cellule de test
# exécute les cas publics ; d'autres cas (d'autres tailles de lot, critiques et graines, des cas limites autour du
# seuil de 3 écarts-types) sont notés après la remise. Le correcteur lit aussi votre code source :
# `linear_critic_grad_w` est votre réponse à (b) sous forme close, et elle obtient 0 si elle utilise la
# différentiation automatique (autograd). Les expériences utilisent ensuite votre code : ce que mesure un critique
# linéaire, ce que voit un discriminateur qui juge des groupes d'exemples, le tableau 1 de PacGAN, et le WGAN-GP de
# l'examen sur l'anneau. Rédigez les trois réponses dans les cellules marquées *YOUR ANSWER HERE* (en français ou en
# anglais), à partir de ce que les expériences ont mesuré.

# %%
# %load_ext autoreload
# %autoreload 2
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

import lab07_gans as lab
from labkit import plotting, training

training.seed_everything(0)
PROFILE = training.profile()  # "cpu" on a laptop, "gpu" on a GPU node, "grading" in the autograder
print("profile / profil:", PROFILE)
if PROFILE != "gpu":
    # Networks this small gain nothing from a second thread, and two threads slow down tenfold when another
    # process holds a core.
    torch.set_num_threads(1)

# %% [markdown]
# ## Task 7.1 — the PacGAN paper's two synthetic data sets / Tâche 7.1 — les deux jeux de données synthétiques de l'article PacGAN
#
# A ring of 8 Gaussians (radius 1, standard deviation 0.01) and a 5×5 grid of Gaussians (means
# $\{-4, -2, 0, 2, 4\}^2$, standard deviation 0.05). Each sample draws its mode at random, independently of the
# others; samples and centers are float32.
#
# **FR —** Un anneau de 8 gaussiennes (rayon 1, écart-type 0,01) et une grille 5×5 de gaussiennes (moyennes
# $\{-4, -2, 0, 2, 4\}^2$, écart-type 0,05). Chaque échantillon tire son mode au hasard, indépendamment des autres ;
# échantillons et centres sont en float32.

# %% check="mixtures"

# %%
g = torch.Generator().manual_seed(0)
ring, ring_centers = lab.ring_of_gaussians(2000, generator=g)
grid, grid_centers = lab.grid_of_gaussians(2000, generator=g)
fig_data, axes = plt.subplots(1, 2, figsize=(8, 4))
plotting.scatter_2d({"samples / échantillons": ring, "modes": ring_centers},
                    title="ring / anneau: 8 modes, std 0.01", ax=axes[0])
plotting.scatter_2d({"samples / échantillons": grid, "modes": grid_centers},
                    title="grid / grille: 25 modes, std 0.05", ax=axes[1])
plt.show()

# %% [markdown]
# ## Tasks 7.2–7.5 — the linear critic, the gradient penalty, the WGAN-GP loss and its gradient / Tâches 7.2 à 7.5 — le critique linéaire, la pénalité de gradient, le coût WGAN-GP et son gradient
#
# `gradient_penalty` draws one $\epsilon \sim U[0, 1]$ **per sample**, takes the gradient of the critic at
# $\hat x = \epsilon x + (1 - \epsilon) \tilde x$ with `create_graph=True` (the penalty is itself part of a loss
# that is differentiated again, with respect to the critic's parameters), and averages $(\|\nabla\|_2 - 1)^2$ over
# the batch. `linear_critic_grad_w` is your answer to (b) as code: no autograd.
#
# **FR —** `gradient_penalty` tire un $\epsilon \sim U[0, 1]$ **pour chaque exemple**, prend le gradient du critique en
# $\hat x = \epsilon x + (1 - \epsilon) \tilde x$ avec `create_graph=True` (la pénalité fait elle-même partie d'un
# coût que l'on dérive encore, par rapport aux paramètres du critique), et fait la moyenne de $(\|\nabla\|_2 - 1)^2$
# sur le lot. `linear_critic_grad_w` est votre réponse à (b) sous forme de code : sans autograd.

# %% check="linear_critic"

# %% check="gradient_penalty"

# %% check="critic_loss"

# %% check="linear_critic_grad_w"

# %% [markdown]
# Your closed form against autograd through your `critic_loss`, on critics whose $\|w\|$ is below, near and above 1.
#
# **FR —** Votre forme close comparée à autograd à travers votre `critic_loss`, pour des critiques dont $\|w\|$
# est inférieure, proche ou supérieure à 1.

# %%
g = torch.Generator().manual_seed(1)
for scale in (0.3, 1.0, 3.0):
    critic = lab.LinearCritic(5).double()
    with torch.no_grad():
        critic.w.copy_(scale * torch.randn(5, generator=g, dtype=torch.float64))
    real = torch.randn(64, 5, generator=g, dtype=torch.float64) + 1.0
    fake = torch.randn(64, 5, generator=g, dtype=torch.float64)
    (autograd,) = torch.autograd.grad(lab.critic_loss(critic, real, fake, lambda_gp=10.0), critic.w)
    closed = lab.linear_critic_grad_w(critic.w.detach(), real, fake, lambda_gp=10.0)
    print(f"||w|| = {float(critic.w.detach().norm()):.2f}: max |closed form / forme close - autograd| = {float((closed - autograd).abs().max()):.1e}")

# %% [markdown]
# ## Experiment 1 — what a linear critic can and cannot tell apart (question 7(a)) / Expérience 1 — ce qu'un critique linéaire distingue ou non (question 7(a))
#
# We train a `LinearCritic` and a small MLP critic with your `critic_loss` ($\lambda = 10$) to separate the ring
# from five "generators", and report each critic's estimate of the Wasserstein distance,
# $\mathbb{E}_r[D] - \mathbb{E}_g[D]$, on fresh samples. Beside it: the distance between the two distributions'
# means, $\|\mu_r - \mu_g\|$ (estimated from 100,000 samples of each), and the trained linear critic's $\|w\|$.
# The ring's mean is the origin.
#
# **FR —** Nous entraînons un `LinearCritic` et un petit critique MLP avec votre `critic_loss` ($\lambda = 10$) à
# distinguer l'anneau de cinq « générateurs », et affichons l'estimation de la distance de Wasserstein de chaque
# critique, $\mathbb{E}_r[D] - \mathbb{E}_g[D]$, sur de nouveaux échantillons. À côté : la distance entre les
# moyennes des deux distributions, $\|\mu_r - \mu_g\|$ (estimée sur 100 000 échantillons de chacune), et la norme
# $\|w\|$ du critique linéaire entraîné. La moyenne de l'anneau est l'origine.

# %%
def fit_critic(critic: torch.nn.Module, fake_sampler, steps: int, lr: float, lambda_gp: float = 10.0) -> torch.nn.Module:
    """Train `critic` with critic_loss to separate the ring from fake_sampler's samples."""
    opt = torch.optim.Adam(critic.parameters(), lr=lr, betas=(0.5, 0.9))
    g = torch.Generator().manual_seed(0)
    for _ in range(steps):
        loss = lab.critic_loss(critic, lab.ring_of_gaussians(256, generator=g)[0], fake_sampler(256, g), lambda_gp)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return critic


def critic_gap(critic: torch.nn.Module, fake_sampler, n: int = 100_000) -> float:
    """The critic's estimate E_real[D] - E_fake[D], on fresh samples."""
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        return float(critic(lab.ring_of_gaussians(n, generator=g)[0]).mean() - critic(fake_sampler(n, g)).mean())


def mean_distance(fake_sampler, n: int = 100_000) -> float:
    g = torch.Generator().manual_seed(2)
    return float((lab.ring_of_gaussians(n, generator=g)[0].mean(0) - fake_sampler(n, g).mean(0)).norm())


FAKES = {  # the table's rows, A to E
    "everything at the origin (total collapse) / tout à l'origine (effondrement total)":
        lambda n, g: 0.01 * torch.randn(n, 2, generator=g),
    "one Gaussian with the ring's mean and covariance / une gaussienne de même moyenne et covariance que l'anneau":
        lambda n, g: 0.5**0.5 * torch.randn(n, 2, generator=g),
    "the ring, radius 3 / l'anneau, de rayon 3": lambda n, g: 3 * lab.ring_of_gaussians(n, generator=g)[0],
    "the ring shifted by (0.5, 0) / l'anneau décalé de (0,5, 0)":
        lambda n, g: lab.ring_of_gaussians(n, generator=g)[0] + torch.tensor([0.5, 0.0]),
    "one mode only, at (1, 0) / un seul mode, en (1, 0)":
        lambda n, g: 0.01 * torch.randn(n, 2, generator=g) + torch.tensor([1.0, 0.0]),
}
critic_steps = 200 if PROFILE != "grading" else 20
for letter, name in zip("ABCDE", FAKES):
    print(f"{letter}: {name}")
print(f"\n{'generator':<11} {'||mu_r - mu_g||':>15} {'linear: gap':>17} {'linear: ||w||':>15} {'MLP: gap':>12}")
print(f"{'FR :':<11} {'||mu_r - mu_g||':>15} {'linéaire : écart':>17} {'linéaire : ||w||':>15} {'MLP : écart':>12}")
gaps = {}
for letter, sampler in zip("ABCDE", FAKES.values()):
    training.seed_everything(0)
    # The linear critic takes larger steps: starting from a w that faces away from mu_r - mu_g, it has to turn w
    # half a circle round while the penalty holds its norm.
    linear = fit_critic(lab.LinearCritic(2), sampler, critic_steps, lr=3e-2)
    deep = fit_critic(torch.nn.Sequential(lab.mlp(2, 64, 1, 2), torch.nn.Flatten(0)), sampler, critic_steps, lr=1e-2)
    gaps[letter] = critic_gap(linear, sampler), critic_gap(deep, sampler)
    print(f"{letter:<11} {mean_distance(sampler):>15.3f} {gaps[letter][0]:>17.3f} "
          f"{float(linear.w.detach().norm()):>15.3f} {gaps[letter][1]:>12.3f}")
# Rows A to C have the ring's mean: the smallest MLP gap among them against the largest linear one.
print({"same_mean/mlp_gap_minus_linear_gap": round(min(gaps[r][1] for r in "ABC")
                                                   - max(abs(gaps[r][0]) for r in "ABC"), 3)})

# %% [markdown]
# **Look at the table.** Which generators does the linear critic score near zero, and what do they have in common?
# Which of them does the MLP critic tell apart from the ring? What would a generator trained against the linear
# critic be pushed towards? For the last two rows, compare the linear critic's gap with $\|\mu_r - \mu_g\|$, and its
# $\|w\|$ with 1: set your gradient from (b) to zero and check where it puts the critic's optimum. You will use this
# in answer 7(a).
#
# **FR —** **Regardez le tableau.** À quels générateurs le critique linéaire donne-t-il un écart proche de zéro, et
# qu'ont-ils en commun ? Lesquels le critique MLP distingue-t-il de l'anneau ? Vers quoi un générateur entraîné
# contre le critique linéaire serait-il poussé ? Pour les deux dernières lignes, comparez l'écart du critique
# linéaire à $\|\mu_r - \mu_g\|$, et sa norme $\|w\|$ à 1 : annulez votre gradient de (b) et vérifiez où il place
# l'optimum du critique. Vous vous en servirez dans la réponse 7(a).

# %% [markdown]
# ## Task 7.6 — packing and PacGAN's metrics / Tâche 7.6 — le regroupement et les mesures de PacGAN
#
# PacGAN's critic judges $m$ samples at once: `pack` turns a batch of $B$ samples into $B/m$ critic inputs of
# $m$ samples side by side, all real or all generated. `mode_coverage` computes the paper's metrics: a sample is
# *high quality* within 3 standard deviations of its nearest mode; a mode is *captured* when it is the nearest mode of
# at least one high-quality sample.
#
# **FR —** Le critique de PacGAN juge $m$ exemples à la fois : `pack` transforme un lot de $B$ exemples en $B/m$
# entrées du critique, chacune formée de $m$ exemples côte à côte, tous réels ou tous générés. `mode_coverage`
# calcule les mesures de l'article : un échantillon est *de haute qualité* s'il est à moins de 3 écarts-types de son
# mode le plus proche ; un mode est *capturé* s'il est le mode le plus proche d'au moins un échantillon de haute
# qualité.

# %% check="pack"

# %% check="mode_coverage"

# %% [markdown]
# ## Experiment 2 — what a packed discriminator sees (question 7(c)) / Expérience 2 — ce que voit un discriminateur qui juge des groupes (question 7(c))
#
# Two imperfect generators for the ring. One has **dropped 2 of the 8 modes** and spreads its samples evenly over the
# other 6; the other covers all 8 modes with unequal weights. Each is at total-variation distance 0.25 from the ring
# (first row of each below), so a discriminator that judges one sample at a time cannot rank them: the best one is
# right $(1 + 0.25)/2 = 62.5\%$ of the time against either. For packs of $m$ samples the table gives the exact
# total-variation distance between the $m$-fold products, the accuracy of the best discriminator, $(1 + \mathrm{TV})/2$,
# and the held-out accuracy of an MLP discriminator trained on packs made with your `pack`.
#
# **FR —** Deux générateurs imparfaits pour l'anneau. L'un a **perdu 2 des 8 modes** et répartit ses échantillons
# également sur les 6 autres ; l'autre couvre les 8 modes avec des poids inégaux. Chacun est à distance en variation
# totale 0,25 de l'anneau (première ligne de chacun ci-dessous) : un discriminateur qui juge un exemple à la fois ne
# peut pas les départager, le meilleur a raison $(1 + 0{,}25)/2 = 62{,}5\,\%$ du temps contre l'un comme l'autre. Pour
# des groupes de $m$ exemples, le tableau donne la distance en variation totale exacte entre les produits $m$ fois,
# l'exactitude du meilleur discriminateur, $(1 + \mathrm{TV})/2$, et l'exactitude, sur des données de test, d'un
# discriminateur MLP entraîné sur des groupes formés avec votre `pack`.

# %%
_, ring_centers = lab.ring_of_gaussians(1)
uniform = torch.full((8,), 1 / 8)
MODE_WEIGHTS = {
    "6 of 8 modes, equal weights / 6 modes sur 8, poids égaux": torch.tensor([1 / 6] * 6 + [0.0] * 2),
    "all 8 modes, unequal weights / les 8 modes, poids inégaux": torch.tensor([3 / 16] * 4 + [1 / 16] * 4),
}


def tv_packed(p: torch.Tensor, q: torch.Tensor, m: int) -> float:
    """Total-variation distance between packs of m independent samples of two weightings of the same modes."""
    pm, qm = torch.ones(()), torch.ones(())
    for _ in range(m):
        pm, qm = torch.outer(pm.flatten(), p), torch.outer(qm.flatten(), q)
    return 0.5 * float((pm - qm).abs().sum())


def draw(weights: torch.Tensor, n: int, g: torch.Generator) -> torch.Tensor:
    modes = torch.multinomial(weights, n, replacement=True, generator=g)
    return ring_centers[modes] + lab.MIXTURES["ring"][1] * torch.randn(n, 2, generator=g)  # the ring's std


def packed_accuracy(weights: torch.Tensor, m: int, steps: int, batch: int = 256) -> float:
    """Held-out accuracy of a discriminator trained to tell packs of m ring samples from packs of m generated ones."""
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    disc = torch.nn.Sequential(lab.mlp(2 * m, 64, 1, 2), torch.nn.Flatten(0))
    opt = torch.optim.Adam(disc.parameters(), lr=3e-3)
    for _ in range(steps):
        real, fake = lab.pack(draw(uniform, batch * m, g), m), lab.pack(draw(weights, batch * m, g), m)
        loss = F.softplus(-disc(real)).mean() + F.softplus(disc(fake)).mean()  # real labelled 1
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        real, fake = lab.pack(draw(uniform, 4000 * m, g), m), lab.pack(draw(weights, 4000 * m, g), m)
        return 0.5 * float((disc(real) > 0).float().mean() + (disc(fake) < 0).float().mean())


disc_steps = 300 if PROFILE != "grading" else 10
print(f"{'generator':<58}{'m':>3}{'TV(P^m, Q^m)':>14}{'best accuracy':>15}{'trained':>9}")
print(f"{'FR : générateur':<58}{'m':>3}{'TV(P^m, Q^m)':>14}{'exactitude max.':>16}{'entraîné':>9}")
tvs = {}
for name, weights in MODE_WEIGHTS.items():
    for m in (1, 2, 4):
        tv = tvs[name, m] = tv_packed(uniform, weights, m)
        print(f"{name:<58}{m:>3}{tv:>14.3f}{(1 + tv) / 2:>15.3f}{packed_accuracy(weights, m, disc_steps):>9.3f}")
dropped, unequal = MODE_WEIGHTS
print({"packs_of_4/tv_dropped_modes_minus_unequal_weights": round(tvs[dropped, 4] - tvs[unequal, 4], 3)})

# %% [markdown]
# **Look at the table.** How fast does each generator's distance grow with $m$, and which one does a packed
# discriminator catch more easily? Work out the probability that a pack of $m$ ring samples holds at least one
# sample of the two modes the first generator never produces, and compare it with that generator's TV column. What
# does a generator whose samples miss modes gain from covering them, when the discriminator judges packs? You will
# use this in answer 7(c).
#
# **FR —** **Regardez le tableau.** À quelle vitesse la distance de chaque générateur croît-elle avec $m$, et lequel
# un discriminateur qui juge des groupes repère-t-il le plus facilement ? Calculez la probabilité qu'un groupe de $m$
# exemples de l'anneau contienne au moins un exemple des deux modes que le premier générateur ne produit jamais, et
# comparez-la à la colonne TV de ce générateur. Que gagne un générateur dont les échantillons manquent des modes à
# les couvrir, quand le discriminateur juge des groupes ? Vous vous en servirez dans la réponse 7(c).

# %% [markdown]
# ## Experiment 3 — PacGAN's Table 1 / Expérience 3 — le tableau 1 de PacGAN
#
# PacGAN (Lin et al., 2018) trains an unpacked GAN and PacGAN2 / PacGAN4 on the ring and the grid, 10 trials each,
# and counts the modes captured by 2,500 generated samples. The paper's networks: a generator of 4 × 400 ReLU units
# with batch normalization, a discriminator of 3 × 200 maxout units, Adam (lr 1e-4, $\beta_1$ = 0.8), batch 100, the
# standard GAN loss, 400 epochs of 100,000 samples (400,000 steps). `WGANGP(loss="gan")` trains with that loss (one
# discriminator step per generator step); the default is the exam's WGAN-GP.
#
# The effect takes thousands of steps and many seeds to show, far more than a laptop's minute, so the tables below
# were measured once with `benchmarks/lab07_pacgan_table.py` and are stored in
# `benchmarks/results/lab07_pacgan_table.json`: this module's `train_pacgan` with the standard GAN loss, 3 × 128 ReLU
# networks, batches of 128 packed inputs, Adam (lr 1e-3, betas 0.5 and 0.9), one CPU thread per run. Modes captured
# and high-quality samples, mean ± standard error over the seeds, after 5,000 steps (`gan_5000_steps`; the paper
# trains 400,000):
#
# | data | model | paper: modes (10 trials) | here: modes | here: high-quality samples | seeds |
# |---|---|---|---|---|---|
# | ring | GAN | 6.3 ± 0.5 | 6.7 ± 0.5 | 81% ± 4 | 10 |
# | ring | PacGAN2 | 7.9 ± 0.1 | 7.9 ± 0.1 | 69% ± 5 | 10 |
# | ring | PacGAN4 | 7.8 ± 0.1 | 7.6 ± 0.2 | 44% ± 8 | 10 |
# | grid | GAN | 17.3 ± 0.8 | 13.7 ± 0.8 | 57% ± 4 | 10 |
# | grid | PacGAN2 | 23.8 ± 0.7 | 23.6 ± 0.4 | 23% ± 3 | 10 |
# | grid | PacGAN4 | 24.8 ± 0.2 | 13.6 ± 0.9 | 3% ± 1 | 10 |
#
# and on the grid, three times as long (`grid_gan_15000_steps`, 15,000 steps):
#
# | data | model | paper: modes (10 trials) | here: modes | here: high-quality samples | seeds |
# |---|---|---|---|---|---|
# | grid | GAN | 17.3 ± 0.8 | 7.3 ± 2.3 | 87% ± 8 | 3 |
# | grid | PacGAN4 | 24.8 ± 0.2 | 24.0 ± 1.0 | 56% ± 15 | 3 |
#
# **Look at the tables.** Where do the stored runs reproduce the paper, within its standard errors, and where not?
# On the grid after 5,000 steps, set PacGAN4's modes beside its share of high-quality samples: what is a mode count
# worth when so few samples are near any mode? What does three times as many steps do to the unpacked GAN and to
# PacGAN4? At an equal number of steps, what does packing cost?
#
# The next cell trains the table itself on a GPU (10 seeds of 10,000 steps, 3 × 400 networks). On a CPU it trains
# nothing unless you set `TRAIN_TABLE_ON_CPU = True`: then the grid's GAN and PacGAN2 with seed 0, 5,000 steps each,
# as in the first table. A seed repeats its run only in the same environment (another torch version ends elsewhere;
# `gan_5000_steps_torch_2.13` in the same file reruns seed 0 of four rows under torch 2.13).
#
# **FR —** PacGAN (Lin et al., 2018) entraîne un GAN sans regroupement et PacGAN2 / PacGAN4 sur l'anneau et la
# grille, 10 essais chacun, et compte les modes capturés par 2 500 échantillons générés. Les réseaux de l'article :
# un générateur de 4 × 400 unités ReLU avec normalisation par lot, un discriminateur de 3 × 200 unités maxout, Adam
# (lr 1e-4, $\beta_1$ = 0,8), lots de 100, le coût GAN standard, 400 époques de 100 000 exemples (400 000 pas).
# `WGANGP(loss="gan")` s'entraîne avec ce coût (un pas du discriminateur par pas du générateur) ; par défaut, c'est
# le WGAN-GP de l'examen.
#
# L'effet demande des milliers de pas et beaucoup de graines pour apparaître, bien plus que la minute d'un portable :
# les tableaux ci-dessus ont donc été mesurés une fois avec `benchmarks/lab07_pacgan_table.py` et sont conservés dans
# `benchmarks/results/lab07_pacgan_table.json` : la fonction `train_pacgan` de ce module avec le coût GAN standard,
# des réseaux ReLU 3 × 128, des lots de 128 entrées regroupées, Adam (lr 1e-3, betas 0,5 et 0,9), un fil d'exécution
# CPU par entraînement. Modes capturés et échantillons de haute qualité, moyenne ± erreur type sur les graines, après
# 5 000 pas (`gan_5000_steps` ; l'article en fait 400 000), puis sur la grille, trois fois plus longtemps
# (`grid_gan_15000_steps`, 15 000 pas).
#
# **Regardez les tableaux.** Où les entraînements conservés reproduisent-ils l'article, à ses erreurs types près, et
# où non ? Sur la grille après 5 000 pas, mettez les modes de PacGAN4 en regard de sa part d'échantillons de haute
# qualité : que vaut un nombre de modes quand si peu d'échantillons sont près d'un mode ? Que font trois fois plus
# de pas au GAN sans regroupement et à PacGAN4 ? À nombre de pas égal, que coûte le regroupement ?
#
# La cellule suivante entraîne le tableau elle-même sur un GPU (10 graines de 10 000 pas, réseaux 3 × 400). Sur un
# CPU, elle n'entraîne rien, sauf si vous posez `TRAIN_TABLE_ON_CPU = True` : alors le GAN et PacGAN2 sur la grille
# avec la graine 0, 5 000 pas chacun, comme dans le premier tableau. Une graine ne redonne le même entraînement que
# dans le même environnement (une autre version de torch aboutit ailleurs ; `gan_5000_steps_torch_2.13`, dans le même
# fichier, refait la graine 0 de quatre lignes sous torch 2.13).

# %%
TRAIN_TABLE_ON_CPU = False
TABLE_PROFILES = {
    "gpu": dict(datasets=("ring", "grid"), pacs=(1, 2, 4), seeds=list(range(10)), epochs=10, steps_per_epoch=1000,
                batch_size=100, hidden=400, lr=1e-3),
    "cpu": dict(datasets=("grid",), pacs=(1, 2), seeds=[0], epochs=10, steps_per_epoch=500, batch_size=128,
                hidden=128, lr=1e-3),
}
results, last_models = {}, {}
if PROFILE == "gpu" or (PROFILE == "cpu" and TRAIN_TABLE_ON_CPU):
    cfg = dict(TABLE_PROFILES[PROFILE])
    datasets, pacs, seeds = cfg.pop("datasets"), cfg.pop("pacs"), cfg.pop("seeds")
    for dataset in datasets:
        for pac in pacs:
            modes = []
            for seed in seeds:
                tracked = seed == seeds[0]  # one wandb run per configuration, with its scatter plots
                model = lab.train_pacgan(dataset, pac, seed, loss="gan", critic_steps=1,
                                         plot_every=cfg["epochs"] * tracked,
                                         run_name=f"{dataset}-pac{pac}-seed{seed}-{PROFILE}" if tracked else None,
                                         **cfg)
                modes.append(model.coverage[-1][1])
            results[dataset, pac] = modes
            last_models[dataset, pac] = model
            print(dataset, f"pac {pac}", {"val/modes": sum(modes) / len(modes)}, "per seed / par graine:", modes)
else:
    print(f"profile {PROFILE}: Table 1 is not trained here, see the stored tables above / "
          f"profil {PROFILE} : le tableau 1 n'est pas entraîné ici, voyez les tableaux enregistrés ci-dessus")

# %%
# Its figure is drawn on the GPU profile only (or with TRAIN_TABLE_ON_CPU = True), where Table 1 is trained.
# FR : sa figure n'est tracée qu'avec le profil GPU (ou avec TRAIN_TABLE_ON_CPU = True), où le tableau 1 est entraîné.
def mean_se(values: list[float]) -> str:
    t = torch.tensor(values, dtype=torch.float64)
    se = float(t.std() / len(t) ** 0.5) if len(t) > 1 else float("nan")
    return f"{float(t.mean()):.1f} ± {se:.1f}"


if results:
    n_seeds = len(next(iter(results.values())))
    print(f"{'':<6}{'':<10}{'paper (10 trials)':>20}{f'this run ({n_seeds} seeds)':>22}")
    print(f"{'FR :':<6}{'':<10}{'article (10 essais)':>20}{f'ce calcul ({n_seeds} graines)':>22}")
    for (dataset, pac), modes in results.items():
        paper_mean, paper_se = lab.PAPER_MODES[dataset, pac]
        label = "GAN" if pac == 1 else f"PacGAN{pac}"
        print(f"{dataset:<6}{label:<10}{f'{paper_mean} ± {paper_se}':>20}{mean_se(modes):>22}")

    fig_samples, axes = plt.subplots(1, len(last_models), figsize=(3.7 * len(last_models), 3.9), squeeze=False)
    for ax, ((dataset, pac), model) in zip(axes.flat, last_models.items()):
        with torch.no_grad():
            samples = model.sample(2500, torch.Generator().manual_seed(0))
        n_modes, quality = lab.mode_coverage(samples, model.centers, model.std)
        plotting.scatter_2d({"generated / générés": samples, "modes": model.centers}, ax=ax,
                            title=f"{dataset}, pac {pac}: {n_modes} modes, {quality:.0%} high quality / de haute "
                                  "qualité")
    fig_samples.tight_layout()
    plt.show()
    training.log_figures("lab07_gans", f"pacgan-{PROFILE}", {"samples": fig_samples})

# %% [markdown]
# ## Experiment 4 — the exam's WGAN-GP on the ring, and the weight of λ / Expérience 4 — le WGAN-GP de l'examen sur l'anneau, et le poids de λ
#
# The same module with its default loss: five critic steps with your `gradient_penalty` per generator step, once
# with the WGAN-GP paper's λ = 10 and once with λ = 1. The table gives, after each epoch, the modes captured and the
# share of high-quality samples; the plots show the samples after the last. The wandb runs log the critic's
# Wasserstein estimate, the penalty and scatter plots of the samples.
#
# **FR —** Le même module avec son coût par défaut : cinq pas du critique avec votre `gradient_penalty` par pas du
# générateur, une fois avec le λ = 10 de l'article WGAN-GP et une fois avec λ = 1. Le tableau donne, après chaque
# époque, les modes capturés et la part d'échantillons de haute qualité ; les graphiques montrent les échantillons
# après la dernière. Les entraînements wandb enregistrent l'estimation de la distance de Wasserstein par le critique,
# la pénalité et des nuages d'échantillons.

# %%
# steps_per_epoch counts generator steps. The GPU profile trains the WGAN-GP paper's 512-wide toy networks; at the
# paper's batch of 256 a GPU step is bound by kernel launches, so the profile uses batches of 1,024
# (benchmarks/lab07_gpu_throughput.py measures what that buys).
# plot_every: the epochs between the scatter plots a run logs (a plot costs about a second on a CPU).
WGAN_PROFILES = {"cpu": dict(epochs=3, steps_per_epoch=200, batch_size=128, hidden=64, lr=1e-3, plot_every=3),
                 "gpu": dict(epochs=20, steps_per_epoch=1000, batch_size=1024, hidden=512, lr=1e-4, plot_every=1),
                 "grading": dict(epochs=1, steps_per_epoch=2, batch_size=32, hidden=16, lr=1e-3, plot_every=1)}
wcfg = WGAN_PROFILES[PROFILE]
wgan = {lambda_gp: lab.train_pacgan("ring", 1, 0, lambda_gp=lambda_gp,
                                    run_name=f"ring-wgan-gp-lambda{lambda_gp:g}-{PROFILE}", **wcfg)
        for lambda_gp in (10.0, 1.0)}
print(f"{'epoch':<8}" + "".join(f"{f'lambda = {lambda_gp:g}: modes, high quality':>36}" for lambda_gp in wgan))
print(f"{'FR :':<8}" + "".join(f"{f'lambda = {lambda_gp:g} : modes, haute qualité':>36}" for lambda_gp in wgan))
for epoch, rows in enumerate(zip(*(model.coverage for model in wgan.values())), start=1):
    print(f"{epoch:<8}" + "".join(f"{f'{modes}, {quality:.1%}':>36}" for _, modes, quality in rows))

fig_wgan, axes = plt.subplots(1, 2, figsize=(8, 4))
for ax, (lambda_gp, model) in zip(axes, wgan.items()):
    with torch.no_grad():
        samples = model.sample(2500, torch.Generator().manual_seed(0))
    n_modes, quality = lab.mode_coverage(samples, model.centers, model.std)
    plotting.scatter_2d({"generated / générés": samples, "modes": model.centers}, ax=ax,
                        title=f"WGAN-GP, λ = {lambda_gp:g}: {n_modes} modes, {quality:.0%} high quality / de haute "
                              "qualité")
fig_wgan.tight_layout()
plt.show()
training.log_figures("lab07_gans", f"wgan-gp-{PROFILE}", {"samples": fig_wgan, "data": fig_data})
for lambda_gp, model in wgan.items():
    _, modes, quality = model.coverage[-1]
    print(f"WGAN-GP, ring / anneau, lambda {lambda_gp:g}", {"val/modes": modes, "val/high_quality": round(quality, 4)})

# %% [markdown]
# **What the stored runs say.** One seed is one run: `benchmarks/results/lab07_wgan_gp.json` keeps this profile over
# seeds 0 to 2 with λ = 1 (`wgan_gp_ring_lambda1_600_steps`), and λ = 10 trained four times as long, at this
# profile's learning rate (`wgan_gp_ring_lambda10_2400_steps`, whose first 600 steps are this profile's) and at
# lr 3e-4 (`wgan_gp_ring_lambda10_lr3e-4_2400_steps`). Modes captured and share of high-quality samples after the
# last step (every epoch is in the file):
#
# | seed | λ = 1, lr 1e-3, 600 steps | λ = 10, lr 1e-3, 2,400 steps | λ = 10, lr 3e-4, 2,400 steps |
# |---|---|---|---|
# | 0 | 8, 22.7% | 1, 0.1% | 8, 20.6% |
# | 1 | 8, 29.6% | 3, 0.2% | 2, 0.4% |
# | 2 | 8, 18.1% | 2, 0.3% | 8, 24.1% |
#
# **Questions.** The penalty is a soft constraint, weighted by λ. With λ = 10, how does each critic step divide its
# effort between separating the data from the samples and holding $\|\nabla D\| = 1$ on the interpolates? Why might
# that matter more on this ring, whose modes are narrow (standard deviation 0.01 for a radius of 1)? What does the
# learning rate change? For comparison, the WGAN-GP authors' own toy script (`gan_toy.py` in
# igul222/improved_wgan_training) trains on these data sets with λ = 0.1, noting that a smaller λ "makes things
# faster for toy tasks, but isn't necessary if you increase CRITIC_ITERS enough".
#
# **FR —** **Ce que disent les entraînements conservés.** Une graine, c'est un entraînement :
# `benchmarks/results/lab07_wgan_gp.json` conserve ce profil pour les graines 0 à 2 avec λ = 1
# (`wgan_gp_ring_lambda1_600_steps`), et λ = 10 entraîné quatre fois plus longtemps, au taux d'apprentissage de ce
# profil (`wgan_gp_ring_lambda10_2400_steps`, dont les 600 premiers pas sont ceux de ce profil) et à lr 3e-4
# (`wgan_gp_ring_lambda10_lr3e-4_2400_steps`). Le tableau ci-dessus donne les modes capturés et la part
# d'échantillons de haute qualité après le dernier pas (chaque époque est dans le fichier).
#
# **Questions.** La pénalité est une contrainte souple, pondérée par λ. Avec λ = 10, comment chaque pas du critique
# partage-t-il son effort entre séparer les données des échantillons et maintenir $\|\nabla D\| = 1$ sur les points
# interpolés ? Pourquoi cela pourrait-il compter davantage sur cet anneau, dont les modes sont étroits (écart-type
# 0,01 pour un rayon de 1) ? Que change le taux d'apprentissage ? À titre de comparaison, le script jouet des auteurs
# de WGAN-GP (`gan_toy.py` dans igul222/improved_wgan_training) s'entraîne sur ces jeux de données avec λ = 0,1, en
# notant qu'un λ plus petit « makes things faster for toy tasks, but isn't necessary if you increase CRITIC_ITERS
# enough » (accélère les tâches jouets, sans être nécessaire si l'on augmente assez CRITIC_ITERS).


# %% [markdown] answer="answer_7a"
# **Answer 7(a).** Would it be advisable to use such a simple discriminator? Justify your answer by describing what
# problems and benefits you would expect; use what Experiment 1 measured.
#
# **FR —** **Réponse 7(a).** Est-ce une bonne idée d'utiliser un discriminateur aussi simple ? Justifiez votre
# réponse en décrivant les problèmes et les avantages auxquels vous vous attendez ; appuyez-vous sur ce que
# l'expérience 1 a mesuré.
#
# ### BEGIN SOLUTION
# No, not as the only discriminator. A linear $D$ can only compare **first moments**:
# $\mathbb{E}_r[D] - \mathbb{E}_g[D] = w^\top(\mu_r - \mu_g)$. Once the generator matches the data's mean, the best
# linear critic has gap zero and the generator gets no useful gradient, whatever the rest of the distribution looks
# like: a generator collapsed onto one point at the mean, a single Gaussian, or the wrong spread all "win"
# (Experiment 1: the ring's mean is the origin, and the first three generators score about 0 against the linear
# critic while the MLP critic separates them). So it invites mode collapse and cannot learn multi-modal or non-linear
# structure. In WGAN terms, restricted to $\|w\| \le 1$ (the linear functions that are 1-Lipschitz) its best gap is
# $\|\mu_r - \mu_g\|$, a lower bound of the Wasserstein-1 distance that only sees the means. With the soft penalty
# the optimum overshoots a little: setting the gradient of (b) to zero gives $w$ parallel to $\mu_r - \mu_g$ with
# $\|w\| = 1 + d/(2\lambda)$, $d = \|\mu_r - \mu_g\|$, and a gap of $d + d^2/(2\lambda)$ (Experiment 1: gaps of
# 0.51 and 1.05 for $d = 0.5$ and 1, $\|w\|$ 1.02 and 1.05; theory: 1.025 and 1.05).
#
# Benefits: it is cheap and its optimum is easy to characterise; its gradient in $x$ is $w$ at every point, so the
# gradient penalty is simply $(\|w\| - 1)^2$, the same at every $\hat x$, and Lipschitz control is exact (it is
# 1-Lipschitz exactly when $\|w\| \le 1$). As a WGAN critic (the loss of (b)) it is not squashed by a sigmoid, so
# its gradient to the generator is $w$ everywhere and never saturates; it is too weak to overpower the generator.
# That last point depends on the loss: as the logistic discriminator of the original GAN, $\sigma(w^\top x + b)$
# on data that a hyperplane separates (two distributions with different means, in high dimension), it can still
# push $|w^\top x + b|$ up without bound and saturate, giving the generator the vanishing gradients of the
# non-saturating trick's motivation. It can serve as a sanity check or as one feature of a richer critic.
#
# *Rubric (2 pts):* only the mean / first moment is compared, so distributions with equal means are
# indistinguishable (1); consequence: no signal, mode collapse or no learning of structure (0.5); at least one real
# benefit (stability, cheap, Lipschitz control, no saturation as a WGAN critic), stated for the loss it holds for
# (0.5; "a linear discriminator never saturates" without naming the WGAN critic earns 0.25).
# ### END SOLUTION

# %% [markdown] answer="answer_7b"
# **Answer 7(b).** Give $\nabla_{\mathbf{w}} L$ for the linear discriminator, with the steps of your derivation.
#
# **FR —** **Réponse 7(b).** Donnez $\nabla_{\mathbf{w}} L$ pour le discriminateur linéaire, avec les étapes de
# votre calcul.
#
# ### BEGIN SOLUTION
# With $D(x) = w^\top x + b$: $\nabla_x D(x) = w$ for every $x$, so the penalty does not depend on $\hat x$ (nor on
# $\epsilon$): $\mathbb{E}_{\hat x}[(\|\nabla_{\hat x} D(\hat x)\|_2 - 1)^2] = (\|w\|_2 - 1)^2$. Then
# $$L = w^\top \mathbb{E}_g[\tilde x] + b - w^\top \mathbb{E}_r[x] - b + \lambda (\|w\|_2 - 1)^2,$$
# the bias cancels ($\nabla_b L = 0$), and with $\nabla_w \|w\|_2 = w / \|w\|_2$:
# $$\nabla_w L = \mathbb{E}_{\tilde x \sim \mathbb{P}_g}[\tilde x] - \mathbb{E}_{x \sim \mathbb{P}_r}[x]
# + 2\lambda\,(\|w\|_2 - 1)\,\frac{w}{\|w\|_2}$$
# (on a minibatch, the expectations are batch means; defined for $w \ne 0$). The update is
# $w \leftarrow w - \eta \nabla_w L$: $w$ turns towards $\mu_r - \mu_g$ while the penalty pulls $\|w\|$ towards 1;
# setting the gradient to zero gives the critic's optimum, $w$ parallel to $\mu_r - \mu_g$ with
# $\|w\| = 1 + \|\mu_r - \mu_g\| / (2\lambda)$.
#
# *Rubric (2 pts):* gradient of $D$ w.r.t. $x$ is $w$, so the penalty is $(\|w\| - 1)^2$ (0.5); the mean terms with
# the right signs (0.5); the penalty's gradient $2\lambda(\|w\| - 1) w/\|w\|$ (1).
# ### END SOLUTION

# %% [markdown] answer="answer_7c"
# **Answer 7(c).** How does PacGAN help avoid mode collapse? Use what Experiments 2 and 3 measured.
#
# **FR —** **Réponse 7(c).** Comment PacGAN aide-t-il à éviter l'effondrement des modes (*mode collapse*) ?
# Appuyez-vous sur ce que les expériences 2 et 3 ont mesuré.
#
# ### BEGIN SOLUTION
# PacGAN changes only the discriminator's input: it judges $m$ samples **jointly** ("packed", concatenated), all from
# the data or all from the generator. A generator that has collapsed onto a few modes produces packs whose members
# are too similar, or miss modes together, which is much easier to detect from $m$ samples than from one; the
# paper shows that packing amplifies the distance between a mode-collapsed distribution and the target (the
# total-variation distance between the $m$-fold products grows much faster for distributions with mode collapse
# than for ones without). Experiment 2: a pack of $m$ ring samples holds one of the two missing modes with
# probability $1 - (3/4)^m$, and the generator that dropped them never makes such a pack, so its distance is exactly
# $1 - (3/4)^m$; with packs of 4 the best discriminator's accuracy against it rises from 0.625 to 0.84, against an
# equally distant generator that covers every mode with unequal weights only to 0.71. The discriminator therefore
# penalises collapse more strongly, and its gradient pushes the generator to cover the missing modes. The cost is
# small: only the first layer grows $m$-fold, the loss and generator are unchanged, and $m = 2$ to 4 is enough
# (Table 1: 6.3 → 7.9 modes on the ring, 17.3 → 23.8 on the grid; the stored runs reproduce this on the ring and,
# for PacGAN2, on the grid).
#
# *Rubric (2 pts):* the discriminator sees several samples jointly, all real or all fake (1); why that exposes
# collapse: lack of diversity is visible in a pack, the penalty for collapse is amplified (1).
# ### END SOLUTION
