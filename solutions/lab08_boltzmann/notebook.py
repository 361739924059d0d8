# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lab 8 — A three-way Boltzmann machine: block Gibbs, the marginal of x, and contrastive divergence / Lab 8 — Une machine de Boltzmann à interactions triples : Gibbs par blocs, la marginale de x et la divergence contrastive
#
# **Exam question 8 (15 points). Generative models.** Consider you are training a Boltzmann machine over observations
# $\mathbf{x} \in \{0, 1\}^N$ with two sets of latent variables $\mathbf{y} \in \{0, 1\}^M$ and
# $\mathbf{z} \in \{0, 1\}^K$. The joint probability is parametrized as follows:
# $$P(\mathbf{x}, \mathbf{y}, \mathbf{z}) = \frac{1}{Z} \exp(-E(\mathbf{x}, \mathbf{y}, \mathbf{z})), \quad
# Z = \sum_{\mathbf{x}} \sum_{\mathbf{y}} \sum_{\mathbf{z}} \exp(-E(\mathbf{x}, \mathbf{y}, \mathbf{z})), \quad
# E(\mathbf{x}, \mathbf{y}, \mathbf{z}) = \sum_{ijk} W_{ijk} x_i y_j z_k.$$
#
# - (a) Describe a block-Gibbs sampling strategy that will efficiently sample from sets of independent variables
#   conditionally on the others. Derive and state clearly all required conditionals.
# - (b) Is the computation of the unnormalized marginal probability in $\mathbf{x}$ ($\log P(\mathbf{x}) + \log Z$)
#   linear in the number of latent variables, as is the RBM?
# - (c) Is it possible to define an efficient training strategy based on a Contrastive Divergence-like learning
#   algorithm? Explain your answer.
#
# **How this lab works.** Fill in the functions of `lab08_boltzmann.py` that raise `NotImplementedError`
# (Tasks 8.1–8.6). Every function is batched and every sampler takes its uniforms as arguments (a unit is 1 where
# $u < p$), so your samples can be compared with the reference's exactly. Each test cell runs the public cases; more
# cases (other shapes, batch sizes, weight scales far outside float64's range of $e^{-E}$) are graded after you submit.
# Then the experiments use your code. Write your answers to (a), (b) and (c) in the last cells, marked
# *YOUR ANSWER HERE*, from what you measured.
#
# **FR —** **Question 8 de l'examen (15 points). Modèles génératifs.** Considérez que vous entraînez une *Boltzmann
# machine* sur des observations $\mathbf{x} \in \{0, 1\}^N$ avec deux ensembles de variables latentes :
# $\mathbf{y} \in \{0, 1\}^M$ et $\mathbf{z} \in \{0, 1\}^K$. La probabilité jointe est paramétrée comme suit :
# $$P(\mathbf{x}, \mathbf{y}, \mathbf{z}) = \frac{1}{Z} \exp(-E(\mathbf{x}, \mathbf{y}, \mathbf{z})), \quad
# Z = \sum_{\mathbf{x}} \sum_{\mathbf{y}} \sum_{\mathbf{z}} \exp(-E(\mathbf{x}, \mathbf{y}, \mathbf{z})), \quad
# E(\mathbf{x}, \mathbf{y}, \mathbf{z}) = \sum_{ijk} W_{ijk} x_i y_j z_k.$$
#
# - (a) Décrivez une stratégie d'échantillonnage de *Gibbs par blocs* qui échantillonne à partir d'ensembles de variables
#   conditionnellement indépendantes les unes des autres. Dérivez et énoncez clairement les distributions
#   conditionnelles requises.
# - (b) Est-ce que le calcul de la probabilité marginale (non-normalisée) dans $\mathbf{x}$
#   ($\log P(\mathbf{x}) + \log Z$) est linéaire en fonction du nombre de variables latentes, comme pour les RBMs ?
# - (c) Est-il possible de définir une stratégie d'entraînement efficace qui s'inspire de l'algorithme *Contrastive
#   Divergence* ? Expliquez votre réponse.
#
# **Comment fonctionne ce lab.** Complétez les fonctions de `lab08_boltzmann.py` qui lèvent `NotImplementedError`
# (tâches 8.1 à 8.6). Chaque fonction traite un lot, et chaque échantillonneur reçoit ses tirages uniformes en
# argument (une unité vaut 1 là où $u < p$) : vos échantillons peuvent ainsi être comparés exactement à ceux de la
# référence. Chaque cellule de test exécute les cas publics ; d'autres cas (autres formes, autres tailles de lot,
# poids d'échelles pour lesquelles $e^{-E}$ sort largement du domaine de float64) sont notés après la remise. Les expériences utilisent
# ensuite votre code. Rédigez vos réponses à (a), (b) et (c) dans les dernières cellules, marquées *YOUR ANSWER HERE*,
# à partir de vos mesures.

# %%
# %load_ext autoreload
# %autoreload 2
import math
import time

import matplotlib.pyplot as plt
import torch

import lab08_boltzmann as lab
from labkit import plotting, training

training.seed_everything(0)
PROFILE = training.profile()  # "cpu" on a laptop, "gpu" on a GPU node, "grading" in the autograder
print("profile / profil:", PROFILE)
if PROFILE != "gpu":
    # These tensors are small: a second thread gains nothing and slows down when another process holds a core.
    torch.set_num_threads(1)
DEVICE = "cuda" if PROFILE == "gpu" else "cpu"

# %% [markdown]
# ## Task 8.1 — the energy and the three conditionals / Tâche 8.1 — l'énergie et les trois lois conditionnelles
#
# `energy(W, x, y, z)` returns one energy per row of the batch. `conditional_x(W, y, z)` returns
# $P(x_i = 1 \mid \mathbf{y}, \mathbf{z})$ for every $i$; likewise `conditional_y` and `conditional_z`. Derive them
# first (this is question (a)); W has shape (N, M, K).
#
# **FR —** `energy(W, x, y, z)` renvoie une énergie par ligne du lot. `conditional_x(W, y, z)` renvoie
# $P(x_i = 1 \mid \mathbf{y}, \mathbf{z})$ pour chaque $i$ ; de même pour `conditional_y` et `conditional_z`.
# Dérivez-les d'abord (c'est la question (a)) ; W est de forme (N, M, K).

# %% check="energy"

# %% check="conditionals"

# %% [markdown]
# **Against brute force.** On a model small enough to enumerate ($N = M = K = 3$, 512 joint states), the joint
# $P(\mathbf{x}, \mathbf{y}, \mathbf{z})$ by brute force gives, for every $(\mathbf{y}, \mathbf{z})$, the exact
# $P(\mathbf{x} \mid \mathbf{y}, \mathbf{z})$ over all 8 settings of $\mathbf{x}$. Below: the largest difference
# between its marginals and your `conditional_x`, and between $P(\mathbf{x} \mid \mathbf{y}, \mathbf{z})$ and the
# product of its marginals (likewise for y and z).
#
# **FR —** **Contre la force brute.** Sur un modèle assez petit pour tout énumérer ($N = M = K = 3$, 512 états
# joints), la loi jointe $P(\mathbf{x}, \mathbf{y}, \mathbf{z})$ calculée par force brute donne, pour chaque
# $(\mathbf{y}, \mathbf{z})$, la loi exacte $P(\mathbf{x} \mid \mathbf{y}, \mathbf{z})$ sur les 8 valeurs possibles de
# $\mathbf{x}$. Ci-dessous : le plus grand écart entre ses marginales et votre `conditional_x`, et entre
# $P(\mathbf{x} \mid \mathbf{y}, \mathbf{z})$ et le produit de ses marginales (de même pour y et z).

# %%
W_small = 1.5 * torch.randn(3, 3, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
P = lab.joint_probabilities(W_small)  # (8, 8, 8): x, y, z settings in the order of all_states
S = lab.all_states(3)


def brute_force_report(P_block: torch.Tensor, conditional, name: str) -> None:
    """P_block: (2^3 settings of the sampled block, 2^3 * 2^3 settings of the other two); conditional: (other) -> p."""
    cond = P_block / P_block.sum(0, keepdim=True)  # P(block | others), one column per setting of the others
    exact_marginals = torch.einsum("sc,si->ci", cond, S)  # P(unit i = 1 | others)
    yours = conditional
    product = torch.prod(torch.where(S[:, None, :] == 1, exact_marginals[None], 1 - exact_marginals[None]), -1)
    print(f"{name}: max |exact - yours / le vôtre| = {float((exact_marginals - yours).abs().max()):.1e}, "
          f"max |P(block | others) - product of its marginals / P(bloc | autres) - produit de ses marginales| = "
          f"{float((cond - product).abs().max()):.1e}")


others_yz = torch.cartesian_prod(torch.arange(8), torch.arange(8))  # (y, z) setting pairs, the columns below
brute_force_report(P.reshape(8, 64), lab.conditional_x(W_small, S[others_yz[:, 0]], S[others_yz[:, 1]]), "x | y, z")
brute_force_report(P.permute(1, 0, 2).reshape(8, 64), lab.conditional_y(W_small, S[others_yz[:, 0]],
                                                                         S[others_yz[:, 1]]), "y | x, z")
brute_force_report(P.permute(2, 0, 1).reshape(8, 64), lab.conditional_z(W_small, S[others_yz[:, 0]],
                                                                         S[others_yz[:, 1]]), "z | x, y")

# %% [markdown]
# ## Task 8.2 — block Gibbs / Tâche 8.2 — Gibbs par blocs
#
# `block_gibbs_step(W, x, y, z, ux, uy, uz)` samples $\mathbf{x} \mid \mathbf{y}, \mathbf{z}$, then
# $\mathbf{y} \mid \mathbf{x}_\text{new}, \mathbf{z}$, then $\mathbf{z} \mid \mathbf{x}_\text{new},
# \mathbf{y}_\text{new}$, and returns samples (0/1), not probabilities.
#
# **FR —** `block_gibbs_step(W, x, y, z, ux, uy, uz)` tire $\mathbf{x} \mid \mathbf{y}, \mathbf{z}$, puis
# $\mathbf{y} \mid \mathbf{x}_\text{nouveau}, \mathbf{z}$, puis $\mathbf{z} \mid \mathbf{x}_\text{nouveau},
# \mathbf{y}_\text{nouveau}$, et renvoie des échantillons (0/1), pas des probabilités.

# %% check="block_gibbs_step"

# %% [markdown]
# ## Experiment 1 — does the chain reach the joint? / Expérience 1 — la chaîne atteint-elle la loi jointe ?
#
# Many independent chains on the same 3×3×3 model, all started at $\mathbf{x} = \mathbf{y} = \mathbf{z} = 0$: after
# each sweep, the total-variation distance between the chains' empirical distribution over the 512 joint states and
# the exact joint. For comparison, the same with a *parallel* sweep (each block from the old values of the other two)
# and the distance of as many exact samples (the floor that a finite number of chains can reach).
#
# **FR —** De nombreuses chaînes indépendantes sur le même modèle 3×3×3, toutes parties de
# $\mathbf{x} = \mathbf{y} = \mathbf{z} = 0$ : après chaque balayage, la distance en variation totale entre la
# distribution empirique des chaînes sur les 512 états joints et la loi jointe exacte. Pour comparer : la même chose
# avec un balayage *parallèle* (chaque bloc tiré à partir des anciennes valeurs des deux autres), et la distance
# d'autant d'échantillons exacts (le plancher que peut atteindre un nombre fini de chaînes).

# %%
TV_PROFILES = {"cpu": dict(chains=10000, sweeps=30), "gpu": dict(chains=200000, sweeps=50),
               "grading": dict(chains=200, sweeps=3)}
tv_cfg = TV_PROFILES[PROFILE]
joint = P.reshape(-1)
powers = 2 ** torch.arange(3)


def tv_to_joint(x: torch.Tensor, y: torch.Tensor, z: torch.Tensor) -> float:
    index = ((x @ powers.double()) * 64 + (y @ powers.double()) * 8 + z @ powers.double()).long()
    empirical = torch.bincount(index, minlength=512).double() / len(index)
    return 0.5 * float((empirical - joint).abs().sum())


def parallel_step(W, x, y, z, ux, uy, uz):
    return ((ux < lab.conditional_x(W, y, z)).double(), (uy < lab.conditional_y(W, x, z)).double(),
            (uz < lab.conditional_z(W, x, y)).double())


g = torch.Generator().manual_seed(1)
tv_curves = {}
for name, step in [("block Gibbs (sequential) / Gibbs par blocs (séquentiel)", lab.block_gibbs_step),
                   ("parallel sweep / balayage parallèle", parallel_step)]:
    state = tuple(torch.zeros(tv_cfg["chains"], 3, dtype=torch.float64) for _ in range(3))
    curve = [tv_to_joint(*state)]
    for _ in range(tv_cfg["sweeps"]):
        state = step(W_small, *state, *(torch.rand(tv_cfg["chains"], 3, generator=g, dtype=torch.float64)
                                        for _ in range(3)))
        curve.append(tv_to_joint(*state))
    tv_curves[name] = curve
exact_draws = torch.multinomial(joint, tv_cfg["chains"], replacement=True, generator=g)
floor = 0.5 * float((torch.bincount(exact_draws, minlength=512).double() / tv_cfg["chains"] - joint).abs().sum())
tv_curves["exact samples (floor) / échantillons exacts (plancher)"] = [floor] * (tv_cfg["sweeps"] + 1)
shown = sorted({0, 1, 2, 5, tv_cfg["sweeps"]} & set(range(tv_cfg["sweeps"] + 1)))
for name, curve in tv_curves.items():
    print(f"{name:<62} TV, sweeps / balayages {', '.join(map(str, shown))}: "
          + ", ".join(f"{curve[t]:.3f}" for t in shown))
fig_tv = plotting.line_plot(tv_curves, x=range(len(next(iter(tv_curves.values())))), xlabel="sweeps / balayages",
                            ylabel="TV", logy=True,
                            title=f"N = M = K = 3, {tv_cfg['chains']} chains / chaînes")
plt.show()

# %% [markdown]
# ## Task 8.3 — the unnormalized marginal and the partition function / Tâche 8.3 — la marginale non normalisée et la fonction de partition
#
# `unnormalized_log_marginal(W, x)` computes $\log \sum_{\mathbf{y}, \mathbf{z}} e^{-E(\mathbf{x}, \mathbf{y},
# \mathbf{z})}$ exactly, on the sizes of Experiment 2 below, whichever of $M$ and $K$ is larger, and for weights
# for which $e^{-E}$ overflows float64 (the hidden cases use such weights). `log_partition(W)`
# computes $\log Z$ exactly for $N = 64$ and $M + K$ up to about 20. How to make them affordable is yours to find;
# the docstrings give the sizes.
#
# **FR —** `unnormalized_log_marginal(W, x)` calcule exactement $\log \sum_{\mathbf{y}, \mathbf{z}}
# e^{-E(\mathbf{x}, \mathbf{y}, \mathbf{z})}$, aux tailles de l'expérience 2 ci-dessous, que $M$ ou $K$ soit le plus
# grand, et pour des poids avec lesquels $e^{-E}$ dépasse la capacité de float64 (les cas cachés utilisent de tels
# poids). `log_partition(W)` calcule exactement $\log Z$ pour $N = 64$ et $M + K$ jusqu'à environ
# 20. Comment les rendre abordables, c'est à vous de le trouver ; les docstrings donnent les tailles.

# %% check="unnormalized_log_marginal"

# %% check="log_partition"

# %%
energies = -torch.einsum("ijk,ai,bj,ck->abc", W_small, S, S, S)
brute_marginal = torch.logsumexp(energies.reshape(8, -1), dim=1)
print("max |brute force / force brute - unnormalized_log_marginal| over the 8 settings of x / sur les 8 valeurs de x :",
      f"{float((brute_marginal - lab.unnormalized_log_marginal(W_small, S)).abs().max()):.1e}")
print("|brute force / force brute - log_partition| :", f"{abs(float(torch.logsumexp(energies.reshape(-1), 0) - lab.log_partition(W_small))):.1e}")

# %% [markdown]
# ## Experiment 2 — what the marginal costs (question 8(b)) / Expérience 2 — ce que coûte la marginale (question 8(b))
#
# The time of your `unnormalized_log_marginal` on a batch of digits-sized $\mathbf{x}$ ($N = 64$) as both latent
# sets grow together ($M = K$), beside an RBM's free energy (given: `rbm_free_energy`) with as many hidden units,
# $H = M + K$. Each time is the best of a few repeats.
#
# **FR —** Le temps de votre `unnormalized_log_marginal` sur un lot de $\mathbf{x}$ de la taille des chiffres
# ($N = 64$) quand les deux ensembles latents grandissent ensemble ($M = K$), à côté de l'énergie libre d'une machine
# de Boltzmann restreinte (RBM, fournie : `rbm_free_energy`) à autant d'unités cachées, $H = M + K$. Chaque temps est
# le meilleur de quelques répétitions.

# %%
COST_PROFILES = {"cpu": dict(ks=list(range(2, 15)), batch=8, repeats=3),
                 "gpu": dict(ks=list(range(2, 17)), batch=64, repeats=5),
                 "grading": dict(ks=[2, 3, 4, 5], batch=2, repeats=1)}
cost_cfg = COST_PROFILES[PROFILE]


def best_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        if DEVICE == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        if DEVICE == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return min(times)


g = torch.Generator().manual_seed(2)
x_cost = (torch.rand(cost_cfg["batch"], 64, generator=g, dtype=torch.float64) < 0.5).double().to(DEVICE)
cost = {"three_way_marginal": [], "rbm_free_energy": []}
COST_LABELS = {"three_way_marginal": "three-way marginal / marginale à interactions triples",
               "rbm_free_energy": "RBM free energy / énergie libre de la RBM"}
for k in cost_cfg["ks"]:
    W_cost = (0.1 * torch.randn(64, k, k, generator=g, dtype=torch.float64)).to(DEVICE)
    W_rbm = (0.1 * torch.randn(64, 2 * k, generator=g, dtype=torch.float64)).to(DEVICE)
    cost["three_way_marginal"].append(best_time(lambda W=W_cost: lab.unnormalized_log_marginal(W, x_cost),
                                                cost_cfg["repeats"]))
    cost["rbm_free_energy"].append(best_time(lambda W=W_rbm: lab.rbm_free_energy(W, x_cost), cost_cfg["repeats"]))
print(f"{'M = K':>6}{'H':>4}{'three-way (ms)':>16}{'RBM (ms)':>10}")
print(f"{'FR :':>6}{'H':>4}{'triple (ms)':>16}{'RBM (ms)':>10}")
for k, t3, tr in zip(cost_cfg["ks"], cost["three_way_marginal"], cost["rbm_free_energy"]):
    print(f"{k:>6}{2 * k:>4}{1e3 * t3:>16.3f}{1e3 * tr:>10.3f}")
last = cost_cfg["ks"][-4:]
for name, times in cost.items():
    # The time ratio per step of M = K (one more unit in each latent set) over the last four sizes.
    # FR : le rapport des temps quand M = K augmente de 1 (une unité de plus dans chaque ensemble latent).
    ratio = (times[-1] / times[-4]) ** (1 / 3)
    print(f"M = K = {last[0]}..{last[-1]}:", {f"{name}/time_ratio_per_step": round(ratio, 2)})
fig_cost, ax = plt.subplots(figsize=(6, 4))
for name, times in cost.items():
    ax.semilogy(cost_cfg["ks"], [1e3 * t for t in times], "o-", label=COST_LABELS[name])
ax.set(xlabel="M = K  (RBM: H = M + K)", ylabel="ms (time / temps)",
       title=f"log P(x) + log Z, B = {cost_cfg['batch']}, N = 64")
ax.legend()
plt.show()

# %% [markdown]
# ## Task 8.4 — the positive phase / Tâche 8.4 — la phase positive
#
# The gradient of $-\log P(\mathbf{x})$ needs $\mathbb{E}[x_i y_j z_k \mid \mathbf{x}]$, the *positive statistics*.
# `positive_statistics(W, x, method)` averages them over the batch, exactly (`"exact"`), by mean field
# (`"mean_field"`: start from $q(z_k = 1) = 1/2$, then `iterations` times update $q(\mathbf{y})$ from $q(\mathbf{z})$
# and $q(\mathbf{z})$ from the new $q(\mathbf{y})$), or from samples (`"gibbs"`: starting at $\mathbf{z} = 0$,
# alternately $\mathbf{y} \mid \mathbf{x}, \mathbf{z}$ and $\mathbf{z} \mid \mathbf{x}, \mathbf{y}$, uniforms given). It also returns `q_z`, the method's
# estimate of $P(z_k = 1 \mid \mathbf{x})$ for every example, which Task 8.5 uses. The docstring gives the details.
#
# **FR —** Le gradient de $-\log P(\mathbf{x})$ demande $\mathbb{E}[x_i y_j z_k \mid \mathbf{x}]$, les *statistiques
# positives*. `positive_statistics(W, x, method)` les moyenne sur le lot, exactement (`"exact"`), par champ
# moyen (`"mean_field"` : partir de $q(z_k = 1) = 1/2$, puis, `iterations` fois, mettre à jour $q(\mathbf{y})$ à
# partir de $q(\mathbf{z})$, puis $q(\mathbf{z})$ à partir du nouveau $q(\mathbf{y})$), ou à partir d'échantillons
# (`"gibbs"` : en partant de $\mathbf{z} = 0$, tirer tour à tour $\mathbf{y} \mid \mathbf{x}, \mathbf{z}$ et
# $\mathbf{z} \mid \mathbf{x}, \mathbf{y}$, tirages uniformes fournis). Elle renvoie aussi `q_z`, l'estimation
# de $P(z_k = 1 \mid \mathbf{x})$ que donne la méthode pour chaque exemple, dont se sert la tâche 8.5. La docstring
# donne les détails.

# %% check="positive_statistics"

# %% [markdown]
# **How good are the approximations?** On 64 binarized digits and random weights of growing scale ($N = 64$,
# $M = K = 6$): the relative error $\|\hat S - S\| / \|S\|$ of each approximate positive phase against the exact one,
# after $T$ mean-field iterations or $T$ Gibbs steps (the first half of them burn-in).
#
# **FR —** **Que valent les approximations ?** Sur 64 chiffres binarisés et des poids aléatoires d'échelle croissante
# ($N = 64$, $M = K = 6$) : l'erreur relative $\|\hat S - S\| / \|S\|$ de chaque phase positive approchée par rapport
# à la phase positive exacte, après $T$ itérations de champ moyen ou $T$ pas de Gibbs (dont la première moitié sert
# de rodage, *burn-in*).

# %%
digits, _ = lab.binary_digits()
x_pos = digits[:64]
POS_STEPS = {"cpu": [1, 5, 50, 500], "gpu": [1, 5, 50, 500, 5000], "grading": [1, 5]}[PROFILE]
print(f"{'W std':>6}" + "".join(f"{f'mean field x{t}':>18}" for t in POS_STEPS)
      + "".join(f"{f'Gibbs x{t}':>12}" for t in POS_STEPS))
print(f"{'FR :':>6}" + "".join(f"{f'champ moyen x{t}':>18}" for t in POS_STEPS)
      + "".join(f"{f'Gibbs x{t}':>12}" for t in POS_STEPS))
for scale in (0.1, 0.3, 1.0):
    W_pos = scale * torch.randn(64, 6, 6, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    exact = lab.positive_statistics(W_pos, x_pos, "exact")[0]
    errors = [lab.positive_statistics(W_pos, x_pos, "mean_field", iterations=t)[0] for t in POS_STEPS]
    g = torch.Generator().manual_seed(4)
    errors += [lab.positive_statistics(W_pos, x_pos, "gibbs", burn_in=t // 2,
                                       uy=torch.rand(t, 64, 6, generator=g, dtype=torch.float64),
                                       uz=torch.rand(t, 64, 6, generator=g, dtype=torch.float64))[0] for t in POS_STEPS]
    rel = [float((e - exact).norm() / exact.norm()) for e in errors]
    n = len(POS_STEPS)
    print(f"{scale:>6}" + "".join(f"{r:>18.2e}" for r in rel[:n]) + "".join(f"{r:>12.2e}" for r in rel[n:]))

# %% [markdown]
# ## Tasks 8.5–8.6 — the CD gradient and the exact gradient / Tâches 8.5 et 8.6 — le gradient CD et le gradient exact
#
# `cd_gradient(W, x, k, positive, q_z, uniforms)` returns the CD-k estimate of
# $\nabla_W\, \frac{1}{B}\sum_b -\log P(\mathbf{x}_b)$, with that gradient's sign, so that gradient descent uses it
# as it is. The negative chain starts where the positive phase puts the data's latents: at the data $\mathbf{x}$, with
# $z_k = 1$ where $u_0 < q_z$ (`q_z` from `positive_statistics`); then each sweep samples $\mathbf{y}$, then
# $\mathbf{z}$, then $\mathbf{x}$. `exact_nll_gradient(W, x)` is the same gradient by enumeration.
#
# **FR —** `cd_gradient(W, x, k, positive, q_z, uniforms)` renvoie l'estimation CD-k (divergence contrastive) de
# $\nabla_W\, \frac{1}{B}\sum_b -\log P(\mathbf{x}_b)$, avec le signe de ce gradient, pour que la descente de
# gradient l'utilise telle quelle. La chaîne négative part de là où la phase positive place les variables latentes des
# données : des données $\mathbf{x}$, avec $z_k = 1$ là où $u_0 < q_z$ (`q_z` vient de `positive_statistics`) ; puis
# chaque balayage tire $\mathbf{y}$, puis $\mathbf{z}$, puis $\mathbf{x}$. `exact_nll_gradient(W, x)` calcule le
# même gradient exactement, par énumération.

# %% check="cd_gradient"

# %% check="exact_nll_gradient"

# %%
W_check = (0.5 * torch.randn(5, 3, 4, generator=torch.Generator().manual_seed(5), dtype=torch.float64)).requires_grad_()
x_check = digits[:7, :5]
nll = -(lab.unnormalized_log_marginal(W_check, x_check).mean() - lab.log_partition(W_check))
(autograd,) = torch.autograd.grad(nll, W_check)
print("max |exact_nll_gradient - autograd of the exact NLL / autograd de la NLL exacte| :",
      f"{float((lab.exact_nll_gradient(W_check.detach(), x_check) - autograd).abs().max()):.1e}")

# %% [markdown]
# ## Experiment 3 — training on the digits (question 8(c)) / Expérience 3 — l'entraînement sur les chiffres (question 8(c))
#
# `ThreeWayBoltzmann` (given) learns $W$ on the binarized 8×8 digits ($N = 64$) with four gradients: the exact one,
# CD-1 with an exact positive phase, CD-1 with a mean-field positive phase, and PCD-1 (persistent chains, Tieleman
# 2008) with a Gibbs positive phase. Same initial weights, data order, learning rate and epochs for all four.
# Validation logs the exact average log-likelihood of the train and test sets after each epoch ($\log Z$ by
# enumeration). Printed: the gain over the uniform distribution ($W = 0$: $-64 \log 2 = -44.36$ nats), in nats.
#
# **FR —** `ThreeWayBoltzmann` (fourni) apprend $W$ sur les chiffres 8×8 binarisés ($N = 64$) avec quatre gradients :
# le gradient exact, CD-1 avec une phase positive exacte, CD-1 avec une phase positive en champ moyen, et PCD-1
# (chaînes persistantes, Tieleman 2008) avec une phase positive de Gibbs. Mêmes poids initiaux, même ordre des
# données, même pas d'apprentissage et même nombre d'époques pour les quatre. La validation enregistre la
# log-vraisemblance moyenne exacte des ensembles d'entraînement et de test après chaque époque ($\log Z$ par
# énumération). Affiché : le gain par rapport à la loi uniforme ($W = 0$ : $-64 \log 2 = -44{,}36$ nats), en nats.

# %%
TRAIN_PROFILES = {
    "cpu": dict(epochs=5, batch_size=64, limit=None, m=5, k=5, lr=0.1, inner_steps=20, n_chains=100),
    "gpu": dict(epochs=30, batch_size=128, limit=None, m=12, k=12, lr=0.1, inner_steps=100, n_chains=500),
    "grading": dict(epochs=1, batch_size=32, limit=96, m=2, k=3, lr=0.1, inner_steps=4, n_chains=10),
}
tcfg = dict(TRAIN_PROFILES[PROFILE])
epochs, batch_size, limit = tcfg.pop("epochs"), tcfg.pop("batch_size"), tcfg.pop("limit")
RUNS = {"exact gradient / gradient exact": ("exact", "exact"),
        "CD-1, exact positive / phase positive exacte": ("cd", "exact"),
        "CD-1, mean-field positive / phase positive en champ moyen": ("cd", "mean_field"),
        "PCD-1, Gibbs positive / phase positive de Gibbs": ("pcd", "gibbs")}
UNIFORM_LL = -64 * math.log(2)
models = {}
print(f"M = K = {tcfg['m']}, {epochs} epochs / époques, batch / lot {batch_size}, lr {tcfg['lr']}; "
      "gain over uniform per epoch / gain sur la loi uniforme par époque (nats)")
for name, (estimator, positive) in RUNS.items():
    start = time.perf_counter()
    models[name] = lab.train(estimator, positive, epochs=epochs, batch_size=batch_size, limit=limit,
                             run_name=f"{estimator}-{positive}-{PROFILE}", **tcfg)
    history = models[name].history
    gains = {split: [h[f"{split}/log_likelihood"] - UNIFORM_LL for h in history] for split in ("train", "val")}
    print(f"{name}\n    train / entraînement " + " ".join(f"{v:6.2f}" for v in gains["train"])
          + " | test " + " ".join(f"{v:6.2f}" for v in gains["val"]) + f"  ({time.perf_counter() - start:.1f} s)",
          {f"{estimator}-{positive}/val/gain_over_uniform": round(gains["val"][-1], 3)})

fig_ll, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, split in zip(axes, ("train", "val")):
    for name, model in models.items():
        ax.plot([h["epoch"] for h in model.history], [h[f"{split}/log_likelihood"] for h in model.history], "o-",
                label=name)
    ax.axhline(UNIFORM_LL, color="grey", ls=":", label="uniform / uniforme")
    ax.set(xlabel="epoch / époque", ylabel="average log-likelihood (nats) / log-vraisemblance moyenne",
           title=f"exact log-likelihood, {split} / log-vraisemblance exacte, "
                 + {"train": "entraînement", "val": "validation"}[split])
axes[0].legend(fontsize=8)
plt.show()

# %% [markdown]
# **How far is each estimate from the exact gradient?** On a batch of 64 training digits, at two points (the initial
# weights, and the weights the exact gradient reached), the angle in degrees between each estimator's gradient and
# the exact gradient on the same batch, over several draws of the estimator's uniforms: the mean angle of one draw,
# and the angle of the average of the draws (what is left when the sampling noise is averaged out). Beside the four
# estimators of the training runs: CD-5, and CD-1 whose negative chain starts at $\mathbf{z} = 0$ instead of from
# `q_z` (`cd_gradient` with `q_z` set to 0). PCD's chains are first run for 50 updates at each point.
#
# **FR —** **À quelle distance du gradient exact est chaque estimation ?** Sur un lot de 64 chiffres d'entraînement,
# en deux points (les poids initiaux, et les poids atteints par le gradient exact) : l'angle, en degrés, entre le
# gradient de chaque estimateur et le gradient exact sur le même lot, sur plusieurs tirages des nombres uniformes de
# l'estimateur ; l'angle moyen d'un tirage, et l'angle de la moyenne des tirages (ce qui reste quand le bruit
# d'échantillonnage est moyenné). En plus des estimateurs des entraînements : CD-5, et CD-1 dont la chaîne négative
# part de $\mathbf{z} = 0$ au lieu de `q_z` (`cd_gradient` avec `q_z` mis à 0). Les chaînes de PCD tournent d'abord
# 50 mises à jour en chaque point.

# %%
ANGLE_DRAWS = {"cpu": 20, "gpu": 50, "grading": 2}[PROFILE]
x_batch = digits[:64]
ANGLE_RUNS = {**{name: (*spec, 1) for name, spec in list(RUNS.items())[1:]},
              "CD-5, exact positive / phase positive exacte": ("cd", "exact", 5),
              "CD-5, mean-field positive / phase positive en champ moyen": ("cd", "mean_field", 5),
              "CD-1, exact positive, z = 0 / phase positive exacte, z = 0": ("cd", "exact", 1)}


def cd1_from_zero(probe: lab.ThreeWayBoltzmann, W_at: torch.Tensor) -> torch.Tensor:
    """CD-1 with an exact positive phase and a negative chain that starts at z = 0: `cd_gradient` with q_z = 0."""
    positive_stats, q_z = lab.positive_statistics(W_at, x_batch, "exact")
    b, (n, m, k) = len(x_batch), W_at.shape
    uniforms = (probe._uniform(b, k), probe._uniform(1, b, n), probe._uniform(1, b, m), probe._uniform(1, b, k))
    return lab.cd_gradient(W_at, x_batch, 1, positive_stats, torch.zeros_like(q_z), uniforms)


def angles_at(W_at: torch.Tensor) -> dict[str, tuple[float, float]]:
    """Estimator -> (mean angle of one draw, angle of the average of the draws) to the exact gradient, in degrees."""
    exact_grad = lab.exact_nll_gradient(W_at, x_batch)
    out = {}
    for name, (estimator, positive, cd_k) in ANGLE_RUNS.items():
        probe = lab.ThreeWayBoltzmann(estimator=estimator, positive=positive, cd_k=cd_k, seed=7, **tcfg)
        with torch.no_grad():
            probe.W.copy_(W_at)
        if estimator == "pcd":
            for _ in range(50):
                probe.gradient(x_batch)
        draws = [cd1_from_zero(probe, W_at) if "z = 0" in name else probe.gradient(x_batch)
                 for _ in range(ANGLE_DRAWS)]
        out[name] = (sum(lab.angle_degrees(d, exact_grad) for d in draws) / len(draws),
                     lab.angle_degrees(torch.stack(draws).mean(0), exact_grad))
    return out


W_init = lab.ThreeWayBoltzmann(seed=0, **tcfg).W.detach()  # the initial weights of every training run
exact_trained = models["exact gradient / gradient exact"].W.detach()
angles = {"initial weights / poids initiaux": angles_at(W_init),
          "after exact training / après l'entraînement exact": angles_at(exact_trained)}
print(f"angle to the exact gradient (degrees), {ANGLE_DRAWS} draws: mean of one draw | of the mean of the draws")
print(f"FR : angle au gradient exact (degrés), {ANGLE_DRAWS} tirages : moyenne d'un tirage | de la moyenne des tirages")
for number, point in enumerate(angles, start=1):
    print(f"({number}) {point}")
print(f"{'estimator / estimateur':<60}" + "".join(f"{f'({number})':>18}" for number in range(1, len(angles) + 1)))
for name in ANGLE_RUNS:
    print(f"{name:<60}" + "".join(f"{angles[p][name][0]:>9.1f} | {angles[p][name][1]:>6.1f}" for p in angles))

# %% [markdown]
# **What do you see?** Which estimators come close to the exact gradient, and which stay far even on average? Does
# CD's gap come more from the positive phase or from the negative chain, and what does the start of the negative
# chain change? Compare with the training curves above. Use these numbers in your answer to (c).
#
# **FR —** **Qu'observez-vous ?** Quelles estimations s'approchent du gradient exact, lesquelles en restent loin même
# en moyenne ? L'écart de CD vient-il plutôt de la phase positive ou de la chaîne négative, et que change le point de
# départ de la chaîne négative ? Comparez avec les courbes d'entraînement ci-dessus. Servez-vous de ces chiffres dans
# votre réponse à (c).

# %% [markdown]
# **Samples.** For each trained model, one row of 10 chains after 200 block-Gibbs sweeps (1,000 on the GPU profile) from
# random states; the last row is training digits (not in the autograder).
#
# **FR —** **Échantillons.** Pour chaque modèle entraîné, une ligne de 10 chaînes après 200 balayages de Gibbs par
# blocs (1 000 avec le profil GPU) depuis des états aléatoires ; la dernière ligne montre des chiffres
# d'entraînement (figure absente de la correction automatique).

# %%
if PROFILE == "grading":
    plt.close("all")  # the autograder looks at no figure
else:
    SAMPLE_STEPS = {"cpu": 200, "gpu": 1000}[PROFILE]
    grid = torch.cat([model.samples(10, SAMPLE_STEPS) for model in models.values()] + [digits[:10]])
    fig_samples = lab.show_images(grid)
    fig_samples.suptitle("rows / lignes : " + "; ".join(models) + "; training digits / chiffres d'entraînement", fontsize=7)
    plt.show()
    training.log_figures("lab08_boltzmann", f"experiments-{PROFILE}",
                         {"tv": fig_tv, "cost": fig_cost, "log_likelihood": fig_ll, "samples": fig_samples})

# %% [markdown] answer="answer_8a"
# **(a)** Describe the block-Gibbs strategy and derive all the required conditionals.
#
# **FR —** **(a)** Décrivez la stratégie d'échantillonnage de Gibbs par blocs, puis dérivez et énoncez toutes les
# distributions conditionnelles requises.
#
# ### BEGIN SOLUTION
# The energy is linear in each block when the other two are fixed: $E = \sum_i x_i a_i$ with
# $a_i = \sum_{jk} W_{ijk} y_j z_k$. So $P(\mathbf{x} \mid \mathbf{y}, \mathbf{z}) \propto \prod_i e^{-x_i a_i}$
# factorizes: the $x_i$ are independent given $(\mathbf{y}, \mathbf{z})$ and
# $$P(x_i = 1 \mid \mathbf{y}, \mathbf{z}) = \frac{e^{-a_i}}{1 + e^{-a_i}} = \sigma\Big(-\sum_{jk} W_{ijk} y_j z_k\Big).$$
# Likewise $P(y_j = 1 \mid \mathbf{x}, \mathbf{z}) = \sigma(-\sum_{ik} W_{ijk} x_i z_k)$ and
# $P(z_k = 1 \mid \mathbf{x}, \mathbf{y}) = \sigma(-\sum_{ij} W_{ijk} x_i y_j)$. Block Gibbs: three blocks; each sweep
# samples all of $\mathbf{x}$ in parallel given $(\mathbf{y}, \mathbf{z})$, then all of $\mathbf{y}$ given the new
# $\mathbf{x}$ and $\mathbf{z}$, then all of $\mathbf{z}$ given the new $\mathbf{x}$ and $\mathbf{y}$ (each block from
# the newest values; a parallel update of the three blocks from the old state is not a valid Gibbs sweep:
# Experiment 1 shows it stalls at a wrong distribution). Each step costs $O(NMK)$. Not two blocks: given only one
# set, the other two are coupled (e.g. $\mathbf{y}, \mathbf{z} \mid \mathbf{x}$ is an RBM).
#
# *Rubric (3 pts):* the factorization argument (energy linear in one block) (1); the three sigmoids with the
# minus sign and the right sums (1.5); the sweep order with the newest values, three blocks (0.5).
# ### END SOLUTION

# %% [markdown] answer="answer_8b"
# **(b)** Is the computation of $\log P(\mathbf{x}) + \log Z$ linear in the number of latent variables, as for the
# RBM? Explain, with what Experiment 2 measured.
#
# **FR —** **(b)** Le calcul de $\log P(\mathbf{x}) + \log Z$ est-il linéaire en fonction du nombre de variables
# latentes, comme pour les machines de Boltzmann restreintes (RBM) ? Justifiez, avec ce que l'expérience 2 a mesuré.
#
# ### BEGIN SOLUTION
# No. Given $\mathbf{x}$, $(\mathbf{y}, \mathbf{z})$ is an RBM with couplings $A_{jk} = -\sum_i W_{ijk} x_i$, so one
# latent set can be summed analytically only once the other is fixed:
# $$\log P(\mathbf{x}) + \log Z = \log \sum_{\mathbf{z}} \prod_j \Big(1 + e^{-\sum_{ik} W_{ijk} x_i z_k}\Big)$$
# (or the same with the roles of $\mathbf{y}$ and $\mathbf{z}$ swapped): a sum of $2^{\min(M, K)}$ terms, each
# $O(NMK)$. The cost is exponential in $\min(M, K)$ (in general, computing it is as hard as the partition function
# of an RBM). In an RBM, $\log \sum_{\mathbf{h}} e^{-E} = \sum_j \mathrm{softplus}(\cdot)$, linear in the number of
# hidden units because they are independent given $\mathbf{x}$. Experiment 2 grows both latent sets together
# ($M = K$), so $\min(M, K)$ grows whichever set an implementation enumerates: the marginal's time is multiplied by
# about 2 or more per step at $M = K = 11..14$ (two CPU runs on a shared 2-core machine: 2.18 and 2.60), while the
# RBM's free energy with as many hidden units stays at a ratio of about 1.04 (its time barely moves at these sizes).
#
# *Rubric (3 pts):* "no" with the reason that y and z are coupled given x (1); the expression with one set summed
# analytically and the other enumerated, cost $2^{\min(M,K)}$, against the RBM's factorized free energy (1); the
# measurement: Experiment 2's time ratio per step of $M = K$ for the marginal against the RBM's, quoted from the
# student's run and read as exponential against linear (1).
# ### END SOLUTION

# %% [markdown] answer="answer_8c"
# **(c)** Is an efficient CD-like training strategy possible? Explain, with what Experiment 3 measured.
#
# **FR —** **(c)** Peut-on définir une stratégie d'entraînement efficace de type divergence contrastive (CD) ?
# Expliquez, avec ce que l'expérience 3 a mesuré.
#
# ### BEGIN SOLUTION
# Partly. $-\nabla_W \log P(\mathbf{x}) = \mathbb{E}_{P(\mathbf{y}, \mathbf{z} \mid \mathbf{x})}[x_i y_j z_k] -
# \mathbb{E}_{P}[x_i y_j z_k]$. The **negative phase** is as in an RBM: the block-Gibbs chain of (a) started at the
# data and the positive phase's latents (CD-k) or kept between updates (PCD, Tieleman 2008); each sweep is cheap. The **positive phase** is not: in an
# RBM $\mathbb{E}[h \mid x]$ is a sigmoid, but here $\mathbf{y}$ and $\mathbf{z}$ are coupled given $\mathbf{x}$, and
# $\mathbb{E}[y_j z_k \mid \mathbf{x}]$ needs the enumeration of (b), exponential in $\min(M, K)$. It must be
# approximated: an inner Gibbs chain on $(\mathbf{y}, \mathbf{z})$ with $\mathbf{x}$ clamped, or a mean-field fixed
# point $q(\mathbf{y}) q(\mathbf{z})$, as in deep Boltzmann machines (Salakhutdinov and Hinton 2009: variational
# positive phase, persistent negative phase). So CD-like training is possible and each step stays polynomial, but
# both phases are now approximate (the mean field is biased, ignores the correlation between y and z, and can be
# multimodal; the inner chain adds cost and variance). What Experiment 3 measured (CPU profile, $M = K = 5$, 5
# epochs, one seed): the exact gradient gains about 22 nats over the uniform distribution on the test set; CD-1 gains
# about 13 (exact positive phase) and 15 (mean-field positive phase), still rising; PCD-1 with a Gibbs positive phase
# gains about 17.5 after 3 epochs, then falls back to 16.5. The angles say where CD's gap comes from: at the trained
# weights, CD-1 is about 55° from the exact gradient per draw and 48° on average with *either* positive phase, so the
# approximate positive phase costs little here and the short negative chain's bias dominates (CD-5: about 41° and
# 29°). Starting the negative chain from the positive phase's latents matters: from $\mathbf{z} = 0$, CD-1's average
# is 83° off. PCD's chains are the least biased at the initial weights (about 4° on average) but, on the trained
# model (the exact-gradient run's weights), 50 updates from random states leave such chains 65° off: on a model
# with modes, chains started at random mix slowly. That PCD's own chains, on PCD's own weights, are what makes its
# log-likelihood fall is a plausible reading, not something this notebook measured. (Numbers vary with the seed and
# the machine's profile; a good answer cites the student's own.)
#
# *Rubric (3 pts):* the gradient as positive minus negative statistics, the negative phase by block Gibbs / CD /
# PCD as for an RBM (0.5); the positive phase is intractable because y and z are coupled given x (1); a workable
# approximation (inner Gibbs chain or mean field, DBM-style) and its cost or bias (0.5); the measurement:
# Experiment 3's gains over uniform of the CD variants against the exact gradient and what the angles say about
# where CD's gap comes from, quoted from the student's run (1).
# ### END SOLUTION
