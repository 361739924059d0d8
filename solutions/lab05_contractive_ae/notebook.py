# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lab 5 — Contractive autoencoders and weight decay / Autoencodeurs contractifs et *weight decay*
#
# **Exam question 5 (10 points). CAE and Weight Decay.**
#
# - (a) For the case of a linear autoencoder with a squared error loss function, prove that the contractive
#   autoencoder (CAE) penalty is equivalent to weight decay. Specifically, for the linear auto-encoder of data
#   $\mathbf{x}$, assume the reconstruction is $\tilde{\mathbf{x}} = W^\top \mathbf{h}(\mathbf{x})$, where
#   $\mathbf{h}(\mathbf{x}) = W\mathbf{x}$ and the CAE loss function is:
#   $L = (\mathbf{x} - \tilde{\mathbf{x}})^\top (\mathbf{x} - \tilde{\mathbf{x}}) + \lambda \|\nabla_{\mathbf{x}}
#   \mathbf{h}(\mathbf{x})\|_F^2$.
# - (b) With the equivalence above thus established, describe if or how the CAE penalty is distinct from standard
#   weight decay when they are both applied to an autoencoder with a single hidden layer of rectified linear units
#   (ReLus).
#
# **How this lab works.** Fill in the functions of `lab05_contractive_ae.py` that raise `NotImplementedError`
# (Tasks 5.1–5.6). Each test cell runs the public cases; more cases (other shapes, seeds, biases, inputs where a
# pre-activation is exactly 0) are graded after you submit, on values *and* gradients. Then the experiments train tied
# autoencoders on the 8×8 digits with your functions, through Lightning, tracked with wandb. Write the two written
# answers in the cells marked *YOUR ANSWER HERE*.
#
# Notation: $W$ is $(H, D)$, $\mathbf{h}(\mathbf{x}) = \mathrm{act}(W\mathbf{x} + \mathbf{b})$,
# $\tilde{\mathbf{x}} = W^\top \mathbf{h}(\mathbf{x}) + \mathbf{c}$, and $J(\mathbf{x}) = \partial \mathbf{h} /
# \partial \mathbf{x}$ is the encoder's Jacobian, of shape $(H, D)$.
#
# **FR —** **Question 5 de l'examen (10 points). CAE et *weight decay*.**
#
# - (a) Prouvez que dans le cas d'un auto-encodeur linéaire accompagné d'une fonction de coût quadratique, la
#   pénalité contractante est équivalente au *weight decay*. Dans votre réponse, présumez que la reconstruction de
#   $\mathbf{x}$ est donnée par $\tilde{\mathbf{x}} = W^\top \mathbf{h}(\mathbf{x})$, où $\mathbf{h}(\mathbf{x}) =
#   W\mathbf{x}$, et que la fonction de coût du CAE est $L = (\mathbf{x} - \tilde{\mathbf{x}})^\top (\mathbf{x} -
#   \tilde{\mathbf{x}}) + \lambda \|\nabla_{\mathbf{x}} \mathbf{h}(\mathbf{x})\|_F^2$.
# - (b) En présumant l'équivalence ci-haut, décrivez si ou comment la pénalité contractante diffère du *weight
#   decay* conventionnel lorsqu'appliquée à un auto-encodeur avec une couche cachée dont la fonction d'activation
#   utilisée est le *rectified linear* (ReLus).
#
# **Déroulement du lab.** Complétez les fonctions de `lab05_contractive_ae.py` qui lèvent `NotImplementedError`
# (tâches 5.1 à 5.6). Chaque cellule de test exécute les cas publics ; d'autres cas (autres formes, graines, biais,
# entrées où une pré-activation vaut exactement 0) sont notés après la remise, sur les valeurs *et* les gradients.
# Les expériences entraînent ensuite des autoencodeurs à poids liés sur les chiffres 8×8 avec vos fonctions, via
# Lightning, suivis avec wandb. Rédigez les deux réponses écrites dans les cellules marquées *YOUR ANSWER HERE* (en
# français ou en anglais).
#
# Notation : $W$ est de forme $(H, D)$, $\mathbf{h}(\mathbf{x}) = \mathrm{act}(W\mathbf{x} + \mathbf{b})$,
# $\tilde{\mathbf{x}} = W^\top \mathbf{h}(\mathbf{x}) + \mathbf{c}$, et $J(\mathbf{x}) = \partial \mathbf{h} /
# \partial \mathbf{x}$ est la jacobienne de l'encodeur, de forme $(H, D)$.

# %%
# %load_ext autoreload
# %autoreload 2
import matplotlib.pyplot as plt
import torch

import lab05_contractive_ae as lab
from labkit import training
from labkit.data import DigitsDataModule

training.seed_everything(0)
PROFILE = training.profile()  # "cpu" on a laptop, "gpu" on a GPU node, "grading" in the autograder
print("profile / profil:", PROFILE)
if PROFILE != "gpu":
    # Networks this small gain nothing from a second thread, and two threads slow down when another process holds
    # a core.
    torch.set_num_threads(1)

# %% [markdown]
# ## Task 5.1 — the penalty of the linear encoder / Tâche 5.1 — la pénalité de l'encodeur linéaire
#
# `linear_cae_penalty(W)`: $\|\nabla_{\mathbf{x}} \mathbf{h}(\mathbf{x})\|_F^2$ for $\mathbf{h}(\mathbf{x}) =
# W\mathbf{x}$, without $\lambda$, differentiable in $W$.
#
# **FR —** `linear_cae_penalty(W)` : $\|\nabla_{\mathbf{x}} \mathbf{h}(\mathbf{x})\|_F^2$ pour
# $\mathbf{h}(\mathbf{x}) = W\mathbf{x}$, sans $\lambda$, différentiable par rapport à $W$.

# %% check="linear_cae_penalty"

# %% [markdown]
# ## Tasks 5.2–5.4 — Jacobians of nonlinear encoders / Tâches 5.2 à 5.4 — jacobiennes d'encodeurs non linéaires
#
# - 5.2 `relu_jacobian(W, b, x)`: $J$ for every example, shape $(B, H, D)$, in closed form, with
#   $\mathrm{relu}'(0) = 0$.
# - 5.3 `cae_penalty(W, b, x, activation)`: $\|J(\mathbf{x})\|_F^2$ per example, shape $(B,)$, in closed form, for
#   `"linear"`, `"relu"` and `"sigmoid"`, without building $J$.
# - 5.4 `jacobian_penalty_autograd(encoder, x)`: the same quantity for any encoder module, through `torch.func`
#   (`vmap` of `jacrev`).
#
# The closed forms are graded with the tensor operations they run: autograd there loses the points.
#
# **FR —**
#
# - 5.2 `relu_jacobian(W, b, x)` : $J$ pour chaque exemple, de forme $(B, H, D)$, sous forme close, avec
#   $\mathrm{relu}'(0) = 0$.
# - 5.3 `cae_penalty(W, b, x, activation)` : $\|J(\mathbf{x})\|_F^2$ pour chaque exemple, de forme $(B,)$, sous forme
#   close, pour `"linear"`, `"relu"` et `"sigmoid"`, sans construire $J$.
# - 5.4 `jacobian_penalty_autograd(encoder, x)` : la même quantité pour tout module encodeur, via `torch.func`
#   (`vmap` de `jacrev`).
#
# Les formes closes sont notées d'après les opérations sur les tenseurs qu'elles exécutent : y recourir à
# l'autograd fait perdre les points.

# %% check="relu_jacobian"

# %% check="cae_penalty"

# %% check="jacobian_penalty_autograd"

# %% [markdown]
# Your closed forms against `torch.func` on the same encoder, in float64.
#
# **FR —** Vos formes closes comparées à `torch.func` sur le même encodeur, en float64.

# %%
g = torch.Generator().manual_seed(0)
W = torch.randn(7, 5, generator=g, dtype=torch.float64)
b = torch.randn(7, generator=g, dtype=torch.float64)
x = torch.randn(32, 5, generator=g, dtype=torch.float64)
for activation in lab.ACTIVATIONS:
    closed = lab.cae_penalty(W, b, x, activation)
    autograd = lab.jacobian_penalty_autograd(lab.Encoder(W, b, activation), x)
    print(f"{activation:<8} max |closed form / forme close - torch.func| = {float((closed - autograd).abs().max()):.1e}, "
          f"penalty over the batch / pénalité sur le lot: min {float(closed.min()):.3f}, max {float(closed.max()):.3f}")
J = lab.relu_jacobian(W, b, x)
print("relu: max |(J ** 2).sum((1, 2)) - cae_penalty| =",
      f"{float(((J**2).sum((1, 2)) - lab.cae_penalty(W, b, x, 'relu')).abs().max()):.1e}")

# %% [markdown]
# ## Task 5.5 — the two objectives / Tâche 5.5 — les deux fonctions de coût
#
# For the tied autoencoder $\tilde{\mathbf{x}} = W^\top \mathrm{act}(W\mathbf{x} + \mathbf{b}) + \mathbf{c}$:
# `cae_loss` adds $\lambda$ times the batch mean of your `cae_penalty`; `weight_decay_loss` adds
# $\lambda \|W\|_F^2$. Both use the squared reconstruction error summed over dimensions and averaged over the batch.
# The cell after the checks compares the two losses and their gradients for each activation.
#
# **FR —** Pour l'autoencodeur à poids liés $\tilde{\mathbf{x}} = W^\top \mathrm{act}(W\mathbf{x} + \mathbf{b}) +
# \mathbf{c}$ : `cae_loss` ajoute $\lambda$ fois la moyenne sur le lot de votre `cae_penalty` ; `weight_decay_loss`
# ajoute $\lambda \|W\|_F^2$. Les deux utilisent l'erreur quadratique de reconstruction sommée sur les dimensions et
# moyennée sur le lot. La cellule qui suit les tests compare les deux coûts et leurs gradients pour chaque
# activation.

# %% check="cae_loss"

# %% check="weight_decay_loss"

# %%
c = torch.randn(5, generator=g, dtype=torch.float64)
for activation in lab.ACTIVATIONS:
    params = [p.clone().requires_grad_() for p in (W, b, c)]
    cae = lab.cae_loss(x, *params, 0.3, activation)
    wd = lab.weight_decay_loss(x, *params, 0.3, activation)
    gap = max(float((gc - gw).abs().max()) for gc, gw in zip(torch.autograd.grad(cae, params),
                                                                torch.autograd.grad(wd, params)))
    print(f"{activation:<8} CAE loss / coût CAE {float(cae.detach()):8.4f}, weight-decay loss / coût weight decay "
          f"{float(wd.detach()):8.4f}, largest gradient difference / plus grand écart de gradient {gap:.1e}")
# Where the penalty's gradient goes: to W, to b? (None: the penalty does not depend on b through autograd.)
# FR : où va le gradient de la pénalité : vers W, vers b ? (None : la pénalité ne dépend pas de b pour l'autograd.)
for activation in lab.ACTIVATIONS:
    Wg, bg = W.clone().requires_grad_(), b.clone().requires_grad_()
    dW, db = torch.autograd.grad(lab.cae_penalty(Wg, bg, x, activation).mean(), [Wg, bg], allow_unused=True)
    print(f"{activation:<8} max |d penalty / dW| = {float(dW.abs().max()):.3f}   max |d penalty / db| =",
          "None" if db is None else f"{float(db.abs().max()):.3f}")

# %% [markdown]
# ## Task 5.6 — contraction ratio / Tâche 5.6 — taux de contraction
#
# Rifai et al. (2011, "Contractive Auto-Encoders", ICML) measure how much an encoder $f$ contracts the space
# around the data: the mean of $\|f(\mathbf{x} + r\mathbf{d}) - f(\mathbf{x})\| / r$ over examples $\mathbf{x}$ and
# unit directions $\mathbf{d}$, as a function of the radius $r$.
#
# **FR —** Rifai et al. (2011, « Contractive Auto-Encoders », ICML) mesurent à quel point un encodeur $f$ contracte
# l'espace autour des données : la moyenne de $\|f(\mathbf{x} + r\mathbf{d}) - f(\mathbf{x})\| / r$ sur les exemples
# $\mathbf{x}$ et les directions unitaires $\mathbf{d}$, en fonction du rayon $r$.

# %% check="contraction_ratio"

# %% [markdown]
# ## Experiment 1 — the linear autoencoder: CAE against weight decay / Expérience 1 — l'autoencodeur linéaire : CAE contre *weight decay*
#
# Two training runs of the linear tied autoencoder (64 → $H$ → 64) from the same seed, the same data order and the
# same $\lambda$: one with your `cae_loss`, one with your `weight_decay_loss`. We record the loss and $W$ after every
# step and print the largest difference between the two trajectories. Then we compare the subspace spanned by the
# rows of $W$ with the top principal components of the training data (principal angles).
#
# **FR —** Deux entraînements de l'autoencodeur linéaire à poids liés (64 → $H$ → 64) depuis la même graine, le même
# ordre des données et le même $\lambda$ : l'un avec votre `cae_loss`, l'autre avec votre `weight_decay_loss`. Nous
# enregistrons le coût et $W$ après chaque pas et affichons le plus grand écart entre les deux trajectoires. Puis nous
# comparons le sous-espace engendré par les lignes de $W$ avec les premières composantes principales des données
# d'entraînement (angles principaux).

# %%
PROFILES = {
    "cpu": dict(image_size=8, limit=None, batch_size=256, linear=dict(n_hidden=16, lam=0.02, epochs=15, lr=3e-2, batch_size=128),
                wide=dict(n_hidden=128, epochs=8, lr=1.5e-2), val_every=None,
                lams={"relu": {"cae": 0.05, "weight_decay": 0.05}, "sigmoid": {"cae": 0.3, "weight_decay": 0.03}}),
    "gpu": dict(image_size=16, limit=None, batch_size=256, linear=dict(n_hidden=32, lam=0.02, epochs=100, lr=3e-3, batch_size=128),
                wide=dict(n_hidden=1024, epochs=200, lr=3e-3), val_every=10,
                lams={"relu": {"cae": 0.05, "weight_decay": 0.05}, "sigmoid": {"cae": 0.3, "weight_decay": 0.03}}),
    "grading": dict(image_size=8, limit=120, batch_size=64, linear=dict(n_hidden=4, lam=0.02, epochs=1, lr=1e-2, batch_size=64),
                    wide=dict(n_hidden=8, epochs=1, lr=1e-2), val_every=None,
                    lams={"relu": {"cae": 0.05, "weight_decay": 0.05}, "sigmoid": {"cae": 0.3, "weight_decay": 0.03}}),
}
cfg = PROFILES[PROFILE]
data = DigitsDataModule(image_size=cfg["image_size"], batch_size=cfg["batch_size"], limit=cfg["limit"])
data.setup()
n_in = cfg["image_size"] ** 2
x_train = data.train_set.tensors[0].flatten(1)
x_val = data.val_set.tensors[0].flatten(1)
track = PROFILE != "grading"  # no wandb run and no figure in the autograder
# On the GPU profile every training is a wandb run of its own; on a CPU, starting a wandb run costs more than one of
# these trainings, so each experiment logs its figures and final numbers to one run (lab.log_experiment).
track_runs = PROFILE == "gpu"

lin = cfg["linear"]
linear_data = DigitsDataModule(image_size=cfg["image_size"], batch_size=lin["batch_size"], limit=cfg["limit"])
linear_runs = {
    penalty: lab.train_autoencoder(linear_data, lin["epochs"], seed=0, activation="linear", penalty=penalty, n_in=n_in,
                                   n_hidden=lin["n_hidden"], lam=lin["lam"], lr=lin["lr"], track=True, val_every=cfg["val_every"],
                                   run_name=f"linear-{penalty}-{PROFILE}" if track_runs else None)
    for penalty in ("cae", "weight_decay")
}
cae_steps, wd_steps = linear_runs["cae"].steps, linear_runs["weight_decay"].steps
loss_gap = max(abs(a[0] - b[0]) for a, b in zip(cae_steps, wd_steps))
weight_gap = max(float((a[1] - b[1]).abs().max()) for a, b in zip(cae_steps, wd_steps))
print(f"{len(cae_steps)} steps each / pas chacun: largest |loss difference| / plus grand écart de coût {loss_gap:.1e}, "
      f"largest |W difference| / plus grand écart de W {weight_gap:.1e}")
print(f"  (losses / coûts ~ {cae_steps[-1][0]:.2f}, max |W| ~ {float(cae_steps[-1][1].abs().max()):.2f})")
print({"linear/largest_weight_difference": float(f"{weight_gap:.2g}")})
for penalty, model in linear_runs.items():
    metrics = model.trainer.callback_metrics
    print(f"linear / linéaire, {penalty:<13}", {"val/explained_variance": round(float(metrics["val/explained_variance"]), 4)},
          f"val/recon {float(metrics['val/recon']):.3f}")

# %%
centered = x_train - x_train.mean(dim=0)
_, singular, components = torch.linalg.svd(centered, full_matrices=False)
k = lin["n_hidden"]
basis, _ = torch.linalg.qr(linear_runs["cae"].W.detach().T)  # an orthonormal basis of the rows of W
cosines = torch.linalg.svdvals(basis.T @ components[:k].T).clamp(max=1.0)
angles = torch.rad2deg(torch.arccos(cosines))  # smallest first
variances = singular[: k + 1] ** 2 / len(x_train)
print(f"principal angles (degrees) between the rows of W and the top {k} principal components / angles principaux "
      f"(degrés) entre les lignes de W et les {k} premières composantes principales :")
print([round(float(a), 1) for a in angles])
print(f"variance along components / selon les composantes 1..{k + 1}:", [round(float(v), 3) for v in variances])
print("lambda:", lin["lam"])
if track:
    fig_linear, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    axes[0].plot([s[0] for s in cae_steps], label="CAE penalty / pénalité CAE")
    axes[0].plot([s[0] for s in wd_steps], "--", label="weight decay / weight decay")
    axes[0].set(xlabel="step / pas", ylabel="training loss / coût d'entraînement", yscale="log",
                title="Same seed, same lambda / même graine, même lambda")
    axes[0].legend()
    axes[1].bar(range(1, k + 1), angles.numpy())
    axes[1].set(xlabel="principal angle (smallest first) / angle principal (le plus petit d'abord)",
                ylabel="degrees / degrés", title="Rows of W against PCA / lignes de W face à l'ACP")
    fig_linear.tight_layout()
    lab.log_experiment(f"linear-{PROFILE}", {"linear": fig_linear},
                       {"largest_loss_difference": loss_gap, "largest_weight_difference": weight_gap,
                        **{f"principal_angle_{i + 1}": float(a) for i, a in enumerate(angles)},
                        **{f"{p}/{k}": float(v) for p, m in linear_runs.items()
                           for k, v in m.trainer.callback_metrics.items()}})
    plt.show()

# %% [markdown]
# **Look at:** the two trajectories, and the largest principal angles next to the variances of components $H$ and
# $H + 1$ and $\lambda$.
#
# **FR —** **Observez :** les deux trajectoires, et les plus grands angles principaux à côté des variances des
# composantes $H$ et $H + 1$ et de $\lambda$.

# %% [markdown] answer="answer_5a"
# **Answer 5(a).** Prove that, for the linear autoencoder, the CAE penalty is weight decay. Show each step.
#
# **FR —** **Réponse 5(a).** Prouvez que, pour l'autoencodeur linéaire, la pénalité contractante est du *weight
# decay*. Montrez chaque étape.
#
# ### BEGIN SOLUTION
# With $\mathbf{h}(\mathbf{x}) = W\mathbf{x}$, $h_j = \sum_i W_{ji} x_i$, so $\partial h_j / \partial x_i = W_{ji}$:
# the Jacobian is $\nabla_{\mathbf{x}} \mathbf{h}(\mathbf{x}) = W$, the same for every $\mathbf{x}$. Hence
# $\lambda \|\nabla_{\mathbf{x}} \mathbf{h}\|_F^2 = \lambda \sum_{j,i} W_{ji}^2 = \lambda \|W\|_F^2$ and
# $$L = \|\mathbf{x} - W^\top W \mathbf{x}\|^2 + \lambda \|W\|_F^2,$$
# which is the squared reconstruction error plus an L2 penalty on the (tied) weights: weight decay. The two losses
# are equal as functions of $W$, so they have the same gradients ($2\lambda W$ from the penalty) and the same
# minimisers, and gradient descent from the same start follows the same path (Experiment 1: the two trajectories
# agree to float32 rounding). With a bias $\mathbf{h} = W\mathbf{x} + \mathbf{b}$ nothing changes: the Jacobian is
# still $W$ and the bias is not decayed.
#
# *Rubric (3 pts):* Jacobian of $W\mathbf{x}$ is $W$, independent of $\mathbf{x}$ (1); Frobenius norm squared is
# $\sum W_{ji}^2 = \|W\|_F^2$ (1); conclusion: the loss is reconstruction + $\lambda\|W\|_F^2$, i.e. weight decay,
# same gradient / same optimum (1).
# ### END SOLUTION

# %% [markdown]
# ## Experiment 2 — ReLU units: CAE, weight decay, neither / Expérience 2 — unités ReLU : CAE, *weight decay*, aucun des deux
#
# A tied autoencoder with one hidden layer of ReLU units (64 → 128 on the CPU profile, wider on larger images on the
# GPU profile), trained from the same seed with your `cae_loss`, with your `weight_decay_loss` and with no penalty.
# The two $\lambda$s are meant to give the two penalized runs similar reconstruction errors: check it in the
# `val/recon` column before comparing anything else. We measure the fraction of (example, unit) pairs where the unit
# is active, the mean encoder bias, $\|J\|_F^2$ and $\|W\|_F^2$, the Jacobian's singular values (sorted, averaged
# over the validation examples; columns `sv 1` and `sv 10`) and the contraction ratio against the radius.
#
# **FR —** Un autoencodeur à poids liés avec une couche cachée d'unités ReLU (64 → 128 sur le profil CPU, plus large
# sur des images plus grandes sur le profil GPU), entraîné depuis la même graine avec votre `cae_loss`, avec votre
# `weight_decay_loss` et sans pénalité. Les deux $\lambda$ doivent donner aux deux entraînements pénalisés des erreurs
# de reconstruction semblables : vérifiez-le dans la colonne `val/recon` avant de comparer le reste. Nous mesurons la
# fraction des paires (exemple, unité) où l'unité est active, le biais moyen de l'encodeur, $\|J\|_F^2$ et
# $\|W\|_F^2$, les valeurs singulières de la jacobienne (triées, moyennées sur les exemples de validation ; colonnes
# `sv 1` et `sv 10`) et le taux de contraction en fonction du rayon.

# %%
RADII = [0.1, 0.3, 1.0, 3.0]
directions = lab.unit_directions(16, n_in, torch.Generator().manual_seed(0))


def compare(activation: str) -> dict[str, lab.ContractiveAutoencoder]:
    wide = cfg["wide"]
    models = {}
    for penalty in ("cae", "weight_decay", "none"):
        lam = cfg["lams"][activation].get(penalty, 0.0)
        models[penalty] = lab.train_autoencoder(
            data, wide["epochs"], seed=0, activation=activation, penalty=penalty, lam=lam, n_in=n_in,
            n_hidden=wide["n_hidden"], lr=wide["lr"], val_every=cfg["val_every"], run_name=f"{activation}-{penalty}-{PROFILE}" if track_runs else None)
    print(f"{activation:<8}{'penalty':<14}{'lambda':>7}{'val/recon':>10}{'active':>8}{'mean b':>8}"
          f"{'||J||^2':>9}{'||W||^2':>9}{'sv 1':>7}{'sv 10':>7}")
    print(f"{'FR :':<8}{'pénalité':<14}{'lambda':>7}{'val/recon':>10}{'actives':>8}{'b moyen':>8}"
          f"{'||J||^2':>9}{'||W||^2':>9}{'sv 1':>7}{'sv 10':>7}")
    for penalty, model in models.items():
        m = model.trainer.callback_metrics
        print(f"{activation:<8}{penalty:<14}{model.hparams.lam:>7g}{float(m['val/recon']):>10.3f}"
              f"{float(m['val/active_fraction']):>8.3f}{float(m['val/mean_bias']):>8.3f}"
              f"{float(m['val/jacobian_fro2']):>9.2f}{float(m['val/weight_fro2']):>9.2f}"
              f"{float(model.spectrum[0]):>7.3f}{float(model.spectrum[min(9, len(model.spectrum) - 1)]):>7.3f}")
    for penalty, model in models.items():
        print(activation, penalty, {"val/explained_variance": round(float(
            model.trainer.callback_metrics["val/explained_variance"]), 4)})
    weight = {p: float(m.trainer.callback_metrics["val/weight_fro2"]) for p, m in models.items()}
    print({f"{activation}/weight_fro2_cae_over_weight_decay": round(weight["cae"] / weight["weight_decay"], 3)})
    with torch.no_grad():
        ratios = {p: [float(lab.contraction_ratio(m.encoder, x_val, r, directions)) for r in RADII]
                  for p, m in models.items()}
    print("contraction ratio at radii / taux de contraction aux rayons", RADII)
    for penalty, values in ratios.items():
        print(f"  {penalty:<13}", [round(v, 3) for v in values])
    if not track:
        return models
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.5))
    for penalty, model in models.items():
        axes[0].plot(range(1, len(model.spectrum) + 1), model.spectrum.numpy(), label=penalty)
        axes[1].plot(RADII, ratios[penalty], marker="o", label=penalty)
        axes[2].hist(model.b.detach().numpy(), bins=30, alpha=0.5, label=penalty)
    axes[0].set(xlabel="index / indice", ylabel="mean singular value of J / valeur singulière moyenne de J",
                yscale="log", title=f"{activation}: spectrum / spectre")
    axes[1].set(xlabel="radius / rayon", ylabel="contraction ratio / taux de contraction", xscale="log",
                title=f"{activation}: contraction")
    axes[2].set(xlabel="b_j", ylabel="units / unités", title=f"{activation}: encoder biases / biais de l'encodeur")
    for ax in axes:
        ax.legend()
    fig.tight_layout()
    lab.log_experiment(f"{activation}-{PROFILE}", {"comparison": fig},
                       {**{f"{p}/{k}": float(v) for p, m in models.items() for k, v in m.trainer.callback_metrics.items()},
                        **{f"{p}/contraction_ratio_r{r}": v for p, values in ratios.items()
                           for r, v in zip(RADII, values, strict=True)}})
    plt.show()
    return models


relu_models = compare("relu")

# %% [markdown]
# **Look at:** at similar reconstruction error, how do the CAE and weight-decay runs differ in the fraction of active
# units, in the biases, in $\|J\|_F^2$ against $\|W\|_F^2$, in the spectrum and in the contraction ratios? Where does
# the CAE's gradient act on a given example, and where does weight decay's?
#
# **FR —** **Observez :** à erreur de reconstruction semblable, en quoi les entraînements CAE et *weight decay*
# diffèrent-ils par la fraction d'unités actives, par les biais, par $\|J\|_F^2$ comparé à $\|W\|_F^2$, par le
# spectre et par les taux de contraction ? Pour un exemple donné, où le gradient du CAE agit-il, et où agit celui
# du *weight decay* ?

# %% [markdown]
# ## Experiment 3 — sigmoid units, Rifai et al.'s setting / Expérience 3 — unités sigmoïdes, le cadre de Rifai et al.
#
# The same comparison with sigmoid units, with $\lambda$s again meant to match the two penalized runs'
# reconstruction errors (check `val/recon`). Here "active" means not saturated, $0.1 < h_j < 0.9$. Rifai et al.
# report that the CAE contracts the space around the data more than the alternatives, most at small radii, that its
# Jacobian's spectrum falls off faster (a few directions of large sensitivity), and that it saturates more units.
# Which of these do the numbers below show, and how strongly?
#
# **FR —** La même comparaison avec des unités sigmoïdes, avec des $\lambda$ choisis à nouveau pour que les deux
# entraînements pénalisés aient des erreurs de reconstruction semblables (vérifiez `val/recon`). Ici « actif » veut
# dire non saturé, $0{,}1 < h_j < 0{,}9$. Rifai et al. rapportent que le CAE contracte l'espace autour des données
# plus que les autres méthodes, surtout aux petits rayons, que le spectre de sa jacobienne décroît plus vite
# (quelques directions de grande sensibilité) et qu'il sature plus d'unités. Lesquelles de ces observations les
# chiffres ci-dessous montrent-ils, et avec quelle netteté ?

# %%
sigmoid_models = compare("sigmoid")

# %% [markdown] answer="answer_5b"
# **Answer 5(b).** How is the CAE penalty distinct from weight decay for a single hidden layer of ReLUs? Use the
# Jacobian and your measurements (Experiments 2 and 3; say which of Rifai et al.'s findings hold here).
#
# **FR —** **Réponse 5(b).** En quoi la pénalité contractante diffère-t-elle du *weight decay* pour une couche cachée
# de ReLU ? Appuyez-vous sur la jacobienne et sur vos mesures (expériences 2 et 3 ; dites quelles observations de
# Rifai et al. se vérifient ici).
#
# ### BEGIN SOLUTION
# With $\mathbf{h} = \mathrm{relu}(W\mathbf{x} + \mathbf{b})$, $J(\mathbf{x}) = \mathrm{diag}(\mathbb{1}[W\mathbf{x}
# + \mathbf{b} > 0])\, W$, so $\|J(\mathbf{x})\|_F^2 = \sum_j \mathbb{1}[W_j\mathbf{x} + b_j > 0]\, \|W_j\|^2$: only
# the rows of the units **active on this input** are penalised. Averaged over the data, each row is weighted by how
# often its unit is on: $\mathbb{E}\|J\|_F^2 = \sum_j P(\text{unit } j \text{ on}) \|W_j\|^2$. Differences from
# weight decay ($\sum_j \|W_j\|^2$ everywhere):
# - it depends on the data and on $\mathbf{x}$: a unit that is off for an input costs nothing there and gets no
#   shrinkage from that example; weight decay shrinks every row on every example;
# - its gradient acts on $W$ only, row by row and example by example: the mask $\mathbb{1}[W_j\mathbf{x} + b_j > 0]$
#   is piecewise constant, so the penalty's gradient with respect to $\mathbf{b}$ is zero (autograd: `None`, printed
#   after Task 5.5). The CAE does not push biases down or switch units off by itself; which units are on is left to
#   the reconstruction term, as with weight decay. What differs is which weights are shrunk: only the rows that the
#   example uses, so the penalty bounds the encoder's sensitivity around the data ($\|J\|_F^2$), not the size of
#   $W$.
# - measured here (CPU profile, Experiment 2): at similar reconstruction error (val/recon 0.540 CAE, 0.522 weight
#   decay, 0.554 no penalty) the two penalized runs have similar $\|J\|_F^2$ (23.7 against 21.9, 34.2 with no
#   penalty) but very different $\|W\|_F^2$ (119 against 28, 150 with no penalty): the CAE leaves $W$ nearly as
#   large as no penalty does and keeps larger directions (top singular value 1.13 against 1.01). The activation
#   pattern does **not** show the CAE making the code sparse: the unpenalised run is the sparsest (active 0.309,
#   mean bias -0.072), the CAE close to it (0.378, -0.062), and weight decay the outlier (0.619, -0.043): shrinking
#   every row uniformly, it switches more units on to reconstruct. With ReLUs the CAE does not contract more than
#   weight decay either (ratio 0.642 against 0.606 at r = 0.1; 0.790 with no penalty).
# - Rifai et al.'s findings, sigmoid units (Experiment 3), at similar reconstruction error (val/recon 1.19 CAE, 1.23
#   weight decay): the CAE saturates more units (2.3% against 0.1% of unit-example pairs saturated: holds, weakly);
#   its spectrum falls off faster (top singular value 0.56 against 0.49, the 10th 0.41 against 0.40: holds, weakly);
#   it does **not** contract more than weight decay at any radius (0.353 against 0.349 at r = 0.1, 0.314 against
#   0.308 at r = 3), though both contract more than no penalty (0.39, 0.34): at this budget (8 epochs, 128 units)
#   Rifai's contraction finding does not hold, and the CAE's contraction shows only against the unpenalised model.
# The equivalence of (a) is the special case where every unit is always "on" (slope 1): the mask is all ones.
# For sigmoid units the weight of row $j$ is $(h_j(1 - h_j))^2$, largest at $h_j = 1/2$, so saturation is rewarded.
#
# *Rubric (3 pts):* the ReLU Jacobian is diag(mask) W, the penalty sums $\|W_j\|^2$ over the units active on each
# input only (1); consequence: data-dependent shrinkage of the active rows, no gradient to the biases, a bound on
# the sensitivity around the data rather than on $\|W\|$, unlike the uniform shrinkage of weight decay (1; an answer
# that says the CAE makes the code sparser or its biases more negative than training without penalty contradicts
# Experiment 2 and loses this point unless it is backed by the student's own numbers); supported with the notebook's
# measurements ($\|W\|_F^2$ against $\|J\|_F^2$, active fractions of the three runs) and which of Rifai's findings
# hold (1).
# ### END SOLUTION
