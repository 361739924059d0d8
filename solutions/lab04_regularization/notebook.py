# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lab 4 — Regularization: training time as capacity, and dropout with a learned rate / Régularisation : le temps d'entraînement comme capacité, et un taux d'abandon (dropout) appris
#
# **Exam question 4 (10 points). Regularization.**
#
# - (a) Consider training a neural network with stochastic gradient descent. Explain why the capacity of a neural
#   network grow as the number of training iterations increases?
# - (b) Consider an alternative regularization method to dropout where, for a given example, instead of using a fixed
#   probability of dropping out a neuron from the network, we *learn* the dropout probability. More specifically, we
#   imagine neuron i as having its own dropout probability parameter $p_i$ and we updating these dropout parameters
#   via gradient descent (assuming we have solved the problem of estimating gradients for this parameter) in order to
#   minimize the training loss.
#   - (i) Is this likely that this method would be an effective regularizer? What pitfalls do you foresee, if any?
#   - (ii) Above we mentioned that we have solved the problem of estimating gradients for the dropout parameters.
#     What is the problem?
#
# **How this lab works.** Fill in the functions of `lab04_regularization.py` that raise `NotImplementedError`
# (Tasks 4.1–4.8). Each test cell runs the public cases; more cases (other shapes, seeds, temperatures, edge cases such
# as zero eigenvalues or rates of exactly 0 and 1) are graded after you submit. The experiments then run your code;
# at the end of each part you write an answer, in the cell marked *YOUR ANSWER HERE*, from what the experiments
# measured.
#
# **FR —** **Question 4 de l'examen (10 points). Régularisation.**
#
# - (a) Considérez un réseau de neurones entraîné avec la descente de gradient stochastique. Expliquez pourquoi la
#   capacité du modèle augmente avec chaque itération d'entraînement.
# - (b) Considérez une méthode de régularisation similaire à *dropout*, où, pour un exemple donné, nous *apprenons* la
#   probabilité de *dropout* au lieu d'utiliser une valeur fixe. Plus précisément, un neurone i aurait sa propre
#   probabilité de *dropout* $p_i$. Ces paramètres seraient mis-à-jour par descente de gradient (en assumant que nous
#   savons comment calculer le gradient de ces paramètres) afin de minimiser le coût d'entraînement.
#   - (i) Est-il probable que cette méthode soit un régularisateur efficace? Le cas échéant, qu'est-ce qui pourrait
#     mal se passer?
#   - (ii) Plus haut, nous avons assumé que nous savons comment calculer le gradient des paramètres *dropout* $p_i$.
#     Quel problème devons-nous surmonter afin d'y arriver?
#
# **Déroulement du lab.** Complétez les fonctions de `lab04_regularization.py` qui lèvent `NotImplementedError`
# (tâches 4.1 à 4.8). Chaque cellule de test exécute les cas publics ; d'autres cas (autres formes, graines,
# températures, cas limites comme des valeurs propres nulles ou des taux valant exactement 0 et 1) sont notés après la
# remise. Les expériences utilisent ensuite votre code ; à la fin de chaque partie, vous rédigez une réponse, dans la
# cellule marquée *YOUR ANSWER HERE* (en français ou en anglais), à partir de ce que les expériences ont mesuré.

# %%
# %load_ext autoreload
# %autoreload 2
import matplotlib.pyplot as plt
import torch
from lightning.pytorch.callbacks import Callback, EarlyStopping

import lab04_regularization as lab
from labkit import plotting, training

training.seed_everything(0)
PROFILE = training.profile()  # "cpu" on a laptop, "gpu" on a GPU node, "grading" in the autograder
print("profile / profil:", PROFILE)
if PROFILE != "gpu":
    # These networks are too small to gain from a second thread, which slows down when another process holds a core.
    torch.set_num_threads(1)

# %% [markdown]
# ## Part A — question 4(a): training time as a capacity knob / Partie A — question 4(a) : le temps d'entraînement comme réglage de la capacité
#
# Least squares, $\mathcal{L}(w) = \frac{1}{2n}\|Xw - y\|^2$, trained by full-batch gradient descent from $w_0 = 0$
# with step size $\eta$. Write $H = X^\top X / n = V \operatorname{diag}(\lambda_i) V^\top$. Then
# $w_t - w^* = (I - \eta H)(w_{t-1} - w^*)$, so in the eigenbasis every component of the least-squares solution
# $w^*$ is multiplied by a **filter factor**:
#
# | method / méthode | filter factor of direction $i$ / facteur de filtre de la direction $i$ |
# |---|---|
# | gradient descent, $t$ steps / descente de gradient, $t$ pas | $\phi_i(t) = 1 - (1 - \eta\lambda_i)^t$ |
# | ridge, penalty / pénalité $\frac{\alpha}{2}\|w\|^2$ | $\psi_i(\alpha) = \lambda_i / (\lambda_i + \alpha)$ |
#
# and $w_t = V \operatorname{diag}(\phi_i(t) / \lambda_i)\, V^\top X^\top y / n$ (for $\lambda_i = 0$ the ratio
# tends to $\eta t$, and $V^\top X^\top y$ has no component there anyway). The **effective degrees of freedom**
# $\sum_i \phi_i(t)$ count how many directions the model has fitted (Goodfellow, Bengio and Courville 2016,
# section 7.8).
#
# **FR —** Moindres carrés, $\mathcal{L}(w) = \frac{1}{2n}\|Xw - y\|^2$, minimisés par descente de gradient sur le
# lot complet depuis $w_0 = 0$, avec un pas $\eta$. Notons $H = X^\top X / n = V \operatorname{diag}(\lambda_i)
# V^\top$. Alors $w_t - w^* = (I - \eta H)(w_{t-1} - w^*)$ : dans la base propre, chaque composante de la solution
# des moindres carrés $w^*$ est multipliée par un **facteur de filtre** (tableau ci-dessus), et
# $w_t = V \operatorname{diag}(\phi_i(t) / \lambda_i)\, V^\top X^\top y / n$ (pour $\lambda_i = 0$, le rapport tend
# vers $\eta t$, et $V^\top X^\top y$ n'a de toute façon aucune composante dans cette direction). Le **nombre
# effectif de degrés de liberté** $\sum_i \phi_i(t)$ compte combien de directions le modèle a ajustées (Goodfellow,
# Bengio et Courville 2016, section 7.8).

# %% [markdown]
# ### Tasks 4.1–4.3 — filter factors and closed-form weights / Tâches 4.1 à 4.3 — facteurs de filtre et poids sous forme close
#
# Write `gd_filter`, `ridge_filter`, `gd_weights` (closed form, no loop over the steps) and `effective_dof`.
#
# **FR —** Écrivez `gd_filter`, `ridge_filter`, `gd_weights` (forme close, sans boucle sur les pas) et
# `effective_dof`.

# %% check="gd_filter"

# %% check="ridge_filter"

# %% check="gd_weights"

# %% check="effective_dof"

# %% [markdown]
# ### Experiment 1 — gradient descent against ridge on the digits / Expérience 1 — descente de gradient contre ridge sur les chiffres
#
# The 1,797 digits as a least-squares problem: 64 pixels in $[0, 1]$, one-hot targets centred per class. The step
# size is $\eta = 1/\lambda_{\max}$. For each number of steps $t$ we compare GD with ridge at $\alpha = 1/(\eta t)$:
# the largest difference between their filter factors, the relative distance between their weights, and the
# effective degrees of freedom of both (columns `sum phi` and `sum psi`).
#
# **FR —** Les 1 797 chiffres comme problème de moindres carrés : 64 pixels dans $[0, 1]$, cibles one-hot centrées
# par classe. Le pas est $\eta = 1/\lambda_{\max}$. Pour chaque nombre de pas $t$, nous comparons la descente de
# gradient (GD) à la régression ridge avec $\alpha = 1/(\eta t)$ : le plus grand écart entre leurs facteurs de filtre, la distance
# relative entre leurs poids, et le nombre effectif de degrés de liberté de chacune (colonnes `sum phi` et
# `sum psi`).

# %%
X, Y = lab.least_squares_digits()
lam = lab.hessian_spectrum(X)
lr = 1.0 / float(lam.max())
print(f"n = {X.shape[0]}, d = {X.shape[1]}; eigenvalues of X^T X / n / valeurs propres de X^T X / n: "
      f"{float(lam.min()):.1e} .. {float(lam.max()):.2f}; non-zero / non nulles: {int((lam > 1e-10 * lam.max()).sum())}; "
      f"lr = {lr:.3f}")
check_steps = 200 if PROFILE != "grading" else 5
gap = (lab.gd_weights(X, Y, lr, check_steps) - lab.gd_weights_by_steps(X, Y, lr, check_steps)).abs().max()
print(f"closed form against {check_steps} explicit steps / forme close contre {check_steps} pas explicites: "
      f"max |difference / écart| = {float(gap):.1e}")

STEPS = [1, 10, 100, 1_000, 10_000, 100_000] if PROFILE != "grading" else [1, 100]
rows = []
print(f"{'t':>8} {'alpha=1/(lr t)':>15} {'max|phi-psi|':>13} {'|w_gd-w_ridge|/|w_ridge|':>25} {'sum phi':>8} "
      f"{'sum psi':>8}")
for t in STEPS:
    alpha = 1.0 / (lr * t)
    phi, psi = lab.gd_filter(lam, lr, t), lab.ridge_filter(lam, alpha)
    w_gd, w_ridge = lab.gd_weights(X, Y, lr, t), lab.ridge_weights(X, Y, alpha)
    rel = float((w_gd - w_ridge).norm() / w_ridge.norm())
    rows.append((t, float((phi - psi).abs().max()), rel, float(lab.effective_dof(lam, lr, t)), float(psi.sum())))
    print(f"{t:>8} {alpha:>15.2e} {rows[-1][1]:>13.3f} {rel:>25.3f} {rows[-1][3]:>8.1f} {rows[-1][4]:>8.1f}")

fig_filters, axes = plt.subplots(1, 2, figsize=(11, 3.8))
positive = lam > 1e-10 * lam.max()
for t in (10, 1_000, 100_000):
    line, = axes[0].semilogx(lam[positive], lab.gd_filter(lam[positive], lr, t), label=f"GD, t = {t:,}")
    axes[0].semilogx(lam[positive], lab.ridge_filter(lam[positive], 1 / (lr * t)), "--", color=line.get_color(),
                     label="ridge, alpha = 1/(lr t)")
axes[0].set(xlabel="eigenvalue of X^T X / n (valeur propre)", ylabel="filter factor / facteur de filtre",
           title="Filter factors / facteurs de filtre")
axes[0].legend(fontsize=7)
dense_t = torch.logspace(0, 6, 60 if PROFILE != "grading" else 4)
axes[1].semilogx(dense_t, [float(lab.effective_dof(lam, lr, int(t))) for t in dense_t], label="GD: sum phi_i(t)")
axes[1].semilogx(dense_t, [float(lab.ridge_filter(lam, 1 / (lr * float(t))).sum()) for t in dense_t], "--",
                 label="ridge, alpha = 1/(lr t)")
axes[1].set(xlabel="gradient steps t / pas de gradient t",
           ylabel="effective degrees of freedom / degrés de liberté effectifs",
           title="Directions fitted / directions ajustées")
axes[1].legend()
fig_filters.tight_layout()
plt.show()

# %% [markdown]
# **Look at the table and the plots.** How does the number of directions the model has fitted change with $t$?
# Which directions (large or small eigenvalues) are fitted first? How close is $t$ steps of GD to ridge with
# $\alpha = 1/(\eta t)$? You will use this in answer 4(a).
#
# **FR —** **Observez le tableau et les figures.** Comment le nombre de directions ajustées par le modèle
# évolue-t-il avec $t$ ? Quelles directions (grandes ou petites valeurs propres) sont ajustées en premier ? À quel
# point $t$ pas de descente de gradient sont-ils proches de la régression ridge avec $\alpha = 1/(\eta t)$ ? Vous vous en servirez
# dans la réponse 4(a).

# %% [markdown]
# ### Experiment 2 — memorising random labels / Expérience 2 — mémoriser des étiquettes aléatoires
#
# Zhang et al. (2017, *Understanding deep learning requires rethinking generalization*, Fig. 1a) train the same
# network on true labels and on randomly shuffled labels. We repeat their experiment at a small scale (CPU profile):
# 300 digits for training, 500 for validation, an MLP 64 → 512 → 512 → 10 trained with Adam (batches of 100) until
# its training accuracy (measured on the whole training set in eval mode) reaches 100 %, for at most 100 epochs. We
# log $\|\theta_t - \theta_0\|$ and the train/validation accuracy gap at each epoch. Does the network reach 100 %
# training accuracy on the shuffled labels? After how many epochs, compared with the true labels, and at what
# validation accuracy?
#
# **FR —** Zhang et al. (2017, *Understanding deep learning requires rethinking generalization*, fig. 1a) entraînent
# le même réseau sur les vraies étiquettes et sur des étiquettes mélangées au hasard. Nous reprenons leur expérience à
# petite échelle (profil CPU) : 300 chiffres pour l'entraînement, 500 pour la validation, un MLP
# 64 → 512 → 512 → 10 entraîné avec Adam (lots de 100) jusqu'à ce que son exactitude (accuracy) d'entraînement,
# mesurée sur tout l'ensemble d'entraînement en mode eval, atteigne 100 %, pendant au plus 100 époques. Nous
# journalisons $\|\theta_t - \theta_0\|$ et l'écart d'exactitude entre entraînement et validation à chaque époque. Le
# réseau atteint-il 100 % d'exactitude d'entraînement sur les étiquettes mélangées ? Après combien d'époques, comparé
# aux vraies étiquettes, et avec quelle exactitude de validation ?

# %%
class StopAtFullTrainAccuracy(Callback):
    """Stops training at the end of the first epoch whose training accuracy is 100 %."""

    def __init__(self) -> None:
        self.epoch: int | None = None

    def on_train_epoch_end(self, trainer, pl_module) -> None:  # after the epoch's validation
        acc = trainer.callback_metrics.get("train/acc")
        if acc is not None and float(acc) >= 1.0 and self.epoch is None:
            self.epoch = trainer.current_epoch + 1
            trainer.should_stop = True


PROFILES = {"cpu": dict(n_train=300, n_val=500, hidden=512, max_epochs=100, noisy_epochs=25),
            "gpu": dict(n_train=1300, n_val=497, hidden=4096, max_epochs=400, noisy_epochs=200),
            "grading": dict(n_train=100, n_val=50, hidden=16, max_epochs=1, noisy_epochs=1)}
cfg = PROFILES[PROFILE]
PRECISION = "bf16-mixed" if PROFILE == "gpu" else "32-true"


def fit(run_name: str, model: lab.RegularizedMLP, data: lab.MemorizationDataModule, max_epochs: int,
        callbacks: list) -> training.MetricHistory:
    """Train through Lightning (tracked with wandb) and return the per-epoch metrics."""
    training.seed_everything(0)
    history = training.MetricHistory()
    trainer = training.make_trainer("lab04_regularization", run_name=f"{run_name}-{PROFILE}",
                                    config={**model.hparams, **cfg, "shuffle_fraction": data.shuffle_fraction},
                                    max_epochs=max_epochs, callbacks=[history, *callbacks], precision=PRECISION,
                                    enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0,
                                    log_every_n_steps=min(5, -(-cfg["n_train"] // 100)))  # at least once an epoch
    trainer.fit(model, datamodule=data)
    training.finish(trainer)
    return history


memorisation = {}
LABEL_RUNS = {"true labels / vraies étiquettes": ("true-labels", 0.0),
              "shuffled labels / étiquettes mélangées": ("shuffled-labels", 1.0)}
for name, (run_name, fraction) in LABEL_RUNS.items():
    stopper = StopAtFullTrainAccuracy()
    data = lab.MemorizationDataModule(cfg["n_train"], cfg["n_val"], shuffle_fraction=fraction)
    history = fit(run_name, lab.RegularizedMLP(hidden=cfg["hidden"]), data, cfg["max_epochs"], [stopper])
    memorisation[name] = history
    print(f"{name}: 100 % training accuracy after / 100 % d'exactitude d'entraînement après {stopper.epoch} "
          f"epochs / époques ({stopper.epoch and stopper.epoch * -(-cfg['n_train'] // 100)} steps / pas); "
          "final / à la fin:",
          {"train/acc": round(history.series("train/acc")[-1], 3), "val/acc": round(history.series("val/acc")[-1], 3)},
          f"||theta - theta_0|| = {history.series('weights/distance')[-1]:.1f}")

fig_memo, axes = plt.subplots(1, 3, figsize=(13, 3.5))
for name, history in memorisation.items():
    epochs = range(1, len(history.series("train/acc")) + 1)
    axes[0].plot(epochs, history.series("train/acc"), label=f"{name}: train / entraînement")
    axes[0].plot(epochs, history.series("val/acc"), "--", label=f"{name}: validation / validation")
    axes[1].plot(epochs, history.series("weights/distance"), label=name)
    axes[2].plot(epochs, [a - b for a, b in zip(history.series("train/acc"), history.series("val/acc"))], label=name)
axes[0].set(xlabel="epoch / époque", ylabel="accuracy / exactitude", title="Accuracy / exactitude")
axes[1].set(xlabel="epoch / époque", ylabel="||theta_t - theta_0||",
            title="Distance travelled by the weights / distance parcourue par les poids")
axes[2].set(xlabel="epoch / époque", ylabel="train/acc - val/acc",
            title="Generalization gap / écart de généralisation")
for ax in axes:
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
fig_memo.tight_layout()
plt.show()

# %% [markdown]
# ### Early stopping / Arrêt précoce
#
# A more realistic case: 40 % of the training labels shuffled. The same network trains for a fixed number of epochs,
# then again with Lightning's `EarlyStopping`, which watches the validation loss (patience 3 epochs).
#
# **FR —** Un cas plus réaliste : 40 % des étiquettes d'entraînement mélangées. Le même réseau s'entraîne pendant un
# nombre fixe d'époques, puis à nouveau avec `EarlyStopping` de Lightning, qui surveille le coût de validation
# (patience de 3 époques).

# %%
noisy = lab.MemorizationDataModule(cfg["n_train"], cfg["n_val"], shuffle_fraction=0.4)
no_stop = fit("noisy-40pc", lab.RegularizedMLP(hidden=cfg["hidden"]), noisy, cfg["noisy_epochs"], [])
early = fit("noisy-40pc-early-stopping", lab.RegularizedMLP(hidden=cfg["hidden"]), noisy, cfg["noisy_epochs"],
            [EarlyStopping(monitor="val/loss", mode="min", patience=3)])
print(f"{noisy.corrupted:.0%} of the training labels are wrong / {100 * noisy.corrupted:.0f} % des étiquettes "
      "d'entraînement sont fausses")
STOPPING = {"no early stopping / sans arrêt précoce": no_stop, "early stopping / arrêt précoce": early}
for name, history in STOPPING.items():
    best = max(range(len(history.series("val/acc"))), key=lambda i: history.series("val/acc")[i])
    print(f"{name}: {len(history.history)} epochs / époques,",
          {"train/acc": round(history.series("train/acc")[-1], 3), "val/acc": round(history.series("val/acc")[-1], 3)},
          f"best / meilleure val/acc {history.series('val/acc')[best]:.3f}, epoch / époque {best + 1}")
print({"noisy_labels/val_acc_early_minus_no_stopping": round(early.series("val/acc")[-1]
                                                             - no_stop.series("val/acc")[-1], 3)})
fig_early = plotting.line_plot({f"{metric}, {name}": history.series(metric)
                                for name, history in STOPPING.items() for metric in ("train/acc", "val/acc")},
                               xlabel="epoch / époque", ylabel="accuracy / exactitude",
                               title="40 % shuffled training labels / étiquettes mélangées")
plt.show()
if PROFILE != "grading":  # the grader keeps no figures
    training.log_figures("lab04_regularization", f"capacity-{PROFILE}",
                         {"filters": fig_filters, "memorisation": fig_memo, "early_stopping": fig_early})

# %% [markdown] answer="answer_4a"
# **Answer 4(a).** Explain why the capacity of a network trained with SGD grows with the number of training
# iterations. Use what Experiments 1 and 2 measured.
#
# **FR —** **Réponse 4(a).** Expliquez pourquoi la capacité d'un réseau entraîné par descente de gradient
# stochastique (SGD) augmente avec le nombre d'itérations d'entraînement. Appuyez-vous sur ce que les expériences 1
# et 2 ont mesuré.
#
# ### BEGIN SOLUTION
# Capacity is the set of functions the training procedure can actually reach, not only the architecture. Starting
# from small (near-zero) weights, every step of (S)GD moves the parameters a bounded distance ($\|\Delta\theta\| \le
# \eta\|\nabla\|$), so after $t$ steps the reachable weights lie in a ball whose radius grows with $t$; a small
# ball around the initialization holds only simple (near-linear, small-norm) functions, a bigger one holds more.
# For least squares this is exact: after $t$ steps each eigendirection of the Hessian is fitted with the factor
# $1 - (1 - \eta\lambda_i)^t$, close to ridge with $\alpha = 1/(\eta t)$: directions with large curvature (signal)
# are fitted first, those with small eigenvalues (fine detail, noise) only after $\sim 1/(\eta\lambda_i)$ steps. The
# number of fitted directions, $\sum_i \phi_i(t)$, grows with $t$ (Experiment 1), i.e. the effective weight-decay
# strength $1/(\eta t)$ shrinks: early stopping is an L2 regularizer whose strength is the inverse of training
# time. For a network, Experiment 2 shows the same: $\|\theta_t - \theta_0\|$ keeps growing, the true labels are
# fitted first, and with enough iterations even random labels are memorised (100 % training accuracy at chance
# validation accuracy), so the longer the training, the larger the set of functions — including ones that fit noise.
#
# *Rubric (3 pts):* training starts from a small/simple region and each step moves the weights a bounded amount,
# so the reachable function class grows with $t$ (1); early stopping ≈ L2/weight decay with strength
# $\sim 1/(\eta t)$, or the spectral-filter argument (directions fitted in order of curvature) (1); evidence or
# consequence: more iterations fit noise / random labels, generalization gap grows, hence early stopping (1).
# ### END SOLUTION

# %% [markdown]
# ## Part B — question 4(b)(i): dropout with a learned rate / Partie B — question 4(b)(i) : un taux d'abandon (dropout) appris
#
# Tasks 4.4–4.6 build **Concrete Dropout** (Gal, Hron and Kendall, 2017), in which each unit's rate $p_i$ is a
# parameter. Its keep mask is relaxed: with $u \sim U(0, 1)$ drawn per unit and per example and a temperature
# $\tau$,
# $$\tilde z = 1 - \sigma\!\left(\frac{\operatorname{logit} p + \operatorname{logit} u}{\tau}\right),$$
# which tends to a Bernoulli($1-p$) keep mask as $\tau \to 0$. For a layer whose input units have rates $p_i$, it
# adds to the loss the term
# $$R = \text{weight\_reg} \sum_i \frac{\|W_{:, i}\|^2}{1 - p_i} + \text{dropout\_reg} \sum_i
# \left[p_i \log p_i + (1 - p_i)\log(1 - p_i)\right].$$
#
# **FR —** Les tâches 4.4 à 4.6 construisent le **Concrete Dropout** (Gal, Hron et Kendall, 2017), où le taux $p_i$
# de chaque unité est un paramètre. Son masque de conservation est relaxé : avec $u \sim U(0, 1)$ tiré pour chaque
# unité et chaque exemple, et une température $\tau$,
# $$\tilde z = 1 - \sigma\!\left(\frac{\operatorname{logit} p + \operatorname{logit} u}{\tau}\right),$$
# qui tend vers un masque de conservation de Bernoulli($1-p$) quand $\tau \to 0$. Pour une couche dont les unités
# d'entrée ont les taux $p_i$, il ajoute au coût le terme
# $$R = \text{weight\_reg} \sum_i \frac{\|W_{:, i}\|^2}{1 - p_i} + \text{dropout\_reg} \sum_i
# \left[p_i \log p_i + (1 - p_i)\log(1 - p_i)\right].$$

# %% [markdown]
# ### Tasks 4.4–4.6 — Concrete Dropout / Tâches 4.4 à 4.6 — Concrete Dropout
#
# Write `relaxed_keep_mask`, the module `ConcreteDropout` (one learnable logit per unit; `x * keep / (1 - p)` in
# training, `x` unchanged in eval) and `concrete_regularizer`.
#
# **FR —** Écrivez `relaxed_keep_mask`, le module `ConcreteDropout` (un logit appris par unité ; `x * keep / (1 - p)`
# en entraînement, `x` inchangé en mode eval) et `concrete_regularizer`.

# %% check="relaxed_keep_mask"

# %% check="concrete_dropout"

# %% check="concrete_regularizer"

# %% [markdown]
# ### Experiment 3 — rates trained with the network / Expérience 3 — des taux entraînés avec le réseau
#
# The same MLP on the same training digits without dropout, and in three versions that start at $p = 0.5$ on both
# hidden layers: **fixed** dropout ($p = 0.5$ throughout), **learned on the training loss** (ConcreteDropout, the rates trained
# with the weights to minimise the training loss only, as in the question), and **Concrete Dropout** (the same plus
# the term $R$, with dropout_reg $= 2/n$ as in the paper). We plot the mean rate per layer, and print the
# accuracies, the final training and validation losses, and the lowest validation loss with its epoch.
#
# **FR —** Le même MLP sur les mêmes chiffres d'entraînement sans dropout, et en trois versions qui partent de
# $p = 0{,}5$ sur les deux couches cachées : dropout **fixe** ($p = 0{,}5$ tout du long), **appris sur le coût d'entraînement**
# (ConcreteDropout, les taux entraînés avec les poids pour minimiser le seul coût d'entraînement, comme dans la
# question) et **Concrete Dropout** (la même chose plus le terme $R$, avec dropout_reg $= 2/n$ comme dans
# l'article). Nous traçons le taux moyen par couche et affichons les exactitudes, les coûts finaux d'entraînement et
# de validation, et le plus petit coût de validation avec son époque.

# %%
DROPOUT_EPOCHS = {"cpu": 25, "gpu": 200, "grading": 1}[PROFILE]
VARIANTS = {  # RegularizedMLP's dropout mode: (English label, French label, its arguments)
    "none": ("no dropout", "sans dropout", dict(dropout="none")),
    "fixed": ("fixed", "fixe", dict(dropout="fixed")),
    "learned_train_loss": ("learned (train loss)", "appris (coût d'entr.)", dict(dropout="learned_train_loss")),
    "concrete": ("Concrete Dropout", "Concrete Dropout",
                 dict(dropout="concrete", dropout_reg=2 / cfg["n_train"], weight_reg=1e-3)),
}
data = lab.MemorizationDataModule(cfg["n_train"], cfg["n_val"])
dropout_runs = {}
for mode, (_, _, kwargs) in VARIANTS.items():
    model = lab.RegularizedMLP(hidden=cfg["hidden"], p=0.5, p_lr=0.5, **kwargs)
    dropout_runs[mode] = fit(f"dropout-{mode}", model, data, DROPOUT_EPOCHS, [])


def final(history: training.MetricHistory) -> dict[str, str]:
    """The table's column for one run: the final metrics, and the lowest validation loss with its epoch."""
    val_loss = history.series("val/loss")
    best = min(range(len(val_loss)), key=val_loss.__getitem__)
    column = {f"p/layer{k}": f"0.500 -> {history.series(f'p/layer{k}')[-1]:.3f}" for k in (0, 1)}
    column |= {key: f"{history.series(key)[-1]:.3f}" for key in ("train/acc", "val/acc", "train/loss", "val/loss")}
    column["train/acc - val/acc"] = f"{history.series('train/acc')[-1] - history.series('val/acc')[-1]:.3f}"
    column["min val/loss (epoch / époque)"] = f"{val_loss[best]:.3f} ({best + 1})"
    return column


columns = {mode: final(history) for mode, history in dropout_runs.items()}
columns["none"] |= {"p/layer0": "—", "p/layer1": "—"}
columns["fixed"] |= {"p/layer0": "0.500", "p/layer1": "0.500"}
print(f"{'':<30}" + "".join(f"{english:>24}" for english, _, _ in VARIANTS.values()))
print(f"{'FR :':<30}" + "".join(f"{french:>24}" for _, french, _ in VARIANTS.values()))
for row in columns["none"]:
    print(f"{row:<30}" + "".join(f"{columns[mode][row]:>24}" for mode in VARIANTS))
learned = dropout_runs["learned_train_loss"]
print({"learned_train_loss/mean_final_p": round((learned.series("p/layer0")[-1] + learned.series("p/layer1")[-1]) / 2,
                                                3)})
fig_rates = plotting.line_plot({f"{VARIANTS[mode][0]} / {VARIANTS[mode][1]}, p/layer{k}": history.series(f"p/layer{k}")
                                for mode, history in dropout_runs.items() for k in (0, 1) if mode != "none"},
                               xlabel="epoch / époque",
                               ylabel="mean dropout rate p / taux de dropout moyen p",
                               title="Dropout rates during training / taux de dropout pendant l'entraînement")
plt.show()

# %% [markdown]
# **Look at the rates.** Where does a rate trained on the training loss alone go, and why would the training loss
# push it there? What does the term $R$ change? Use this in answer 4(b)(i).
#
# **FR —** **Observez les taux.** Où va un taux entraîné sur le seul coût d'entraînement, et pourquoi le coût
# d'entraînement le pousserait-il là ? Que change le terme $R$ ? Servez-vous-en dans la réponse 4(b)(i).

# %% [markdown] answer="answer_4b_i"
# **Answer 4(b)(i).** Is learning each $p_i$ by gradient descent on the training loss likely to be an effective
# regularizer? What pitfalls do you foresee?
#
# **FR —** **Réponse 4(b)(i).** Apprendre chaque $p_i$ par descente de gradient sur le coût d'entraînement a-t-il des
# chances d'être un régularisateur efficace ? Quels pièges prévoyez-vous ?
#
# ### BEGIN SOLUTION
# No. Dropout noise can only make the fit of the training data worse: the training loss is (on average) lowest
# when nothing is dropped, so gradient descent on the training loss pushes every $p_i$ down and the method switches
# its own regularization off, towards the unregularized network. The objective that is minimised is the one the
# regularizer is supposed to counteract. Experiment 3 (CPU profile, 25 epochs) shows the drift and where it shows:
# the rates learned on the training loss fall from 0.5 to 0.274 and 0.260 (fixed: 0.5; Concrete Dropout: 0.466 and
# 0.487); accuracy does not tell the variants apart (validation 0.956 to 0.962, training 1.000 for all four), but
# the validation loss does: 0.113 with fixed dropout, 0.145 without dropout, and 0.130 for the learned rates, whose
# validation loss passed its minimum (0.114, epoch 22) and rises as the rates fall. The rates do not reach 0 in
# this budget: the drift is gradual, and the pitfall is a regularizer that weakens as training goes on. Other
# pitfalls: a unit that hurts the training fit can be pushed to $p_i \to 1$ (pruned); near 0 or 1 the gradients of
# the rates vanish; the rates interact with the $1/(1-p)$ rescaling. Remedies: choose $p$ on held-out data (a
# hyper-parameter, validation loss), or add a term that pays for small $p$, as Concrete Dropout's entropy term
# $\sum_i [p_i\log p_i + (1-p_i)\log(1-p_i)]$ does (it is lowest at $p_i = 1/2$, so minimising the loss plus
# dropout_reg times it holds the rates up: 0.466 and 0.487 here). At this budget Concrete Dropout's validation loss
# (0.144) is no better than no dropout's: keeping the rates up is not enough by itself, its weight_reg and
# dropout_reg must be tuned.
#
# *Rubric (3 pts):* not effective: the training loss prefers less noise, so the gradient pushes $p$ down and the
# regularizer weakens itself (1); the measurement: the learned rates fall (0.5 to about 0.27) and the validation
# loss, not the accuracy, moves towards the no-dropout run's, quoted from the student's table (1); another pitfall
# with its reason ($p_i \to 1$ pruning a unit, vanishing gradients of the rates near 0 or 1), or a remedy argued for:
# choosing $p$ on held-out data, or what the term $R$ of Part B changes, argued from its form (its entropy term is
# lowest at $p_i = 1/2$, so it pushes back as the training loss pushes $p$ down) and from the Concrete Dropout column of
# the student's table (1; naming Concrete Dropout or $R$, given in Part B, without both earns 0).
# ### END SOLUTION

# %% [markdown]
# ## Part C — question 4(b)(ii): the gradient with respect to a dropout rate / Partie C — question 4(b)(ii) : le gradient par rapport à un taux d'abandon
#
# Dropout draws a keep mask $z$ with independent entries $z_i \sim \text{Bernoulli}(1 - p_i)$ (1 = kept). Tasks 4.7
# and 4.8 compute $\nabla_p\, \mathbb{E}_{z}[\mathcal{L}(z)]$ for a loss $\mathcal{L}$ of the mask:
#
# - `exact_dropout_grad` (Task 4.8): exactly, by summing over every mask;
# - `score_function_grad` (Task 4.7): REINFORCE, the average over $S$ sampled masks of
#   $(\mathcal{L}(z) - b)\,\nabla_p \log P(z)$ for a constant $b$ (the baseline), with
#   $\frac{\partial \log P(z)}{\partial p_i} = \frac{1 - z_i}{p_i} - \frac{z_i}{1 - p_i}$.
#
# Experiment 4 measures them beside what autograd returns through a sampled mask, and beside back-propagation through
# the relaxed mask $\tilde z$ of Part B, as it is (Concrete) and straight-through (the hard mask
# $\mathbb{1}[\tilde z > 1/2]$ in the forward pass, the gradient of $\tilde z$ in the backward pass). How many terms
# would the exact sum have for a hidden layer of 512 units?
#
# **FR —** Le dropout tire un masque de conservation $z$ aux composantes indépendantes
# $z_i \sim \text{Bernoulli}(1 - p_i)$ (1 = gardée). Les tâches 4.7 et 4.8 calculent
# $\nabla_p\, \mathbb{E}_{z}[\mathcal{L}(z)]$ pour un coût $\mathcal{L}$ du masque :
#
# - `exact_dropout_grad` (tâche 4.8) : exactement, en sommant sur tous les masques ;
# - `score_function_grad` (tâche 4.7) : REINFORCE, la moyenne sur $S$ masques tirés de
#   $(\mathcal{L}(z) - b)\,\nabla_p \log P(z)$ pour une constante $b$ (la ligne de base, *baseline*), avec
#   $\frac{\partial \log P(z)}{\partial p_i} = \frac{1 - z_i}{p_i} - \frac{z_i}{1 - p_i}$.
#
# L'expérience 4 les mesure à côté de ce que renvoie l'autograd à travers un masque tiré, et à côté de la
# rétropropagation à travers le masque relaxé $\tilde z$ de la partie B, tel quel (Concrete) et en *straight-through*
# (le masque binaire $\mathbb{1}[\tilde z > 1/2]$ dans la passe avant, le gradient de $\tilde z$ dans la passe
# arrière). Combien de termes la somme exacte aurait-elle pour une couche cachée de 512 unités ?

# %% [markdown]
# ### Tasks 4.7–4.8 — REINFORCE and exact enumeration / Tâches 4.7 et 4.8 — REINFORCE et énumération exacte
#
# Write `score_function_grad` and `exact_dropout_grad` (enumerate all $2^n$ masks; exact even when some $p_i$ is 0
# or 1).
#
# **FR —** Écrivez `score_function_grad` et `exact_dropout_grad` (énumérez les $2^n$ masques ; le résultat doit être
# exact même quand un $p_i$ vaut 0 ou 1).

# %% check="score_function_grad"

# %% check="exact_dropout_grad"

# %% [markdown]
# ### Experiment 4 — bias and variance of the estimators / Expérience 4 — biais et variance des estimateurs
#
# Ten units, a loss of the keep mask $\mathcal{L}(z) = (y - a^\top z)^2$ (it also accepts a relaxed mask), rates
# between 0.1 and 0.6. Each estimator uses $S = 16$ samples; we repeat it $R$ times and compare with
# `exact_dropout_grad`: the bias $\|\mathbb{E}[\hat g] - g\|$ (with its standard error over the $R$ repetitions), the
# total variance $\sum_i \operatorname{Var}[\hat g_i]$, and the mean squared error $\mathbb{E}\|\hat g - g\|^2$
# (MSE). REINFORCE runs with $b = 0$ and with the baseline $b$ set to the mean loss of an independent batch of 16
# samples; $\tau$ is the temperature of the relaxed mask.
#
# **FR —** Dix unités, un coût du masque de conservation $\mathcal{L}(z) = (y - a^\top z)^2$ (il accepte aussi un
# masque relaxé), des taux entre 0,1 et 0,6. Chaque estimateur utilise $S = 16$ tirages ; nous le répétons $R$ fois et
# le comparons à `exact_dropout_grad` : le biais $\|\mathbb{E}[\hat g] - g\|$ (avec son erreur type sur les $R$
# répétitions), la variance totale $\sum_i \operatorname{Var}[\hat g_i]$ et l'erreur quadratique moyenne
# $\mathbb{E}\|\hat g - g\|^2$ (EQM, *MSE* en anglais). REINFORCE est mesuré avec $b = 0$ et avec la ligne de base
# $b$ égale au coût moyen d'un lot indépendant de 16 tirages ; $\tau$ est la température du masque relaxé.

# %%
units, S = 10, 16
R = 1000 if PROFILE != "grading" else 20
g = torch.Generator().manual_seed(0)
a = torch.randn(units, generator=g, dtype=torch.float64)
target = 1.5
p = 0.1 + 0.5 * torch.rand(units, generator=g, dtype=torch.float64)


def mask_loss(z: torch.Tensor) -> torch.Tensor:
    return (target - z @ a) ** 2


exact_loss, exact_grad = lab.exact_dropout_grad(p, mask_loss)
print(f"exact (enumeration / énumération): E[loss] = {float(exact_loss):.4f}, ||d E[loss] / d p|| = {float(exact_grad.norm()):.4f}")
# Back-propagation through a sampled Bernoulli keep mask, as dropout draws it: what reaches p?
# FR : la rétropropagation à travers un masque de Bernoulli tiré, comme le tire le dropout : qu'est-ce qui atteint p ?
p_leaf = p.clone().requires_grad_(True)
hard = (torch.rand(S, units, generator=g, dtype=torch.float64) >= p_leaf).double()
print("autograd through a hard mask / à travers un masque binaire: requires_grad =", hard.requires_grad,
      "; d loss / d p =",
      torch.autograd.grad(mask_loss(hard).mean(), p_leaf, allow_unused=True)[0] if hard.requires_grad else None)


def hard_masks(shape: tuple[int, ...]) -> torch.Tensor:
    return (torch.rand(*shape, units, generator=g, dtype=torch.float64) >= p).double()


def reinforce(with_baseline: bool) -> torch.Tensor:
    estimates = []
    for _ in range(R):
        z = hard_masks((S,))
        baseline = float(mask_loss(hard_masks((S,))).mean()) if with_baseline else 0.0
        estimates.append(lab.score_function_grad(p, z, mask_loss(z), baseline))
    return torch.stack(estimates)


def relaxed(temperature: float, straight_through: bool = False) -> torch.Tensor:
    rates = p.expand(R, units).clone().requires_grad_(True)  # one copy per repetition: R separate estimates
    u = torch.rand(R, S, units, generator=g, dtype=torch.float64).clamp(1e-9, 1 - 1e-9)
    soft = lab.relaxed_keep_mask(rates[:, None, :], u, temperature)
    z = (soft > 0.5).double() + soft - soft.detach() if straight_through else soft
    (grad,) = torch.autograd.grad(mask_loss(z).mean(dim=1).sum(), rates)
    return grad


estimators = {"REINFORCE, b = 0": reinforce(False), "REINFORCE, b = baseline / ligne de base": reinforce(True)}
for temperature in (0.05, 0.1, 0.5, 1.0):
    estimators[f"Concrete, tau = {temperature}"] = relaxed(temperature)
estimators["straight-through, tau = 0.1"] = relaxed(0.1, straight_through=True)
print(f"{'estimator / estimateur':<40} {'bias / biais':>14} {'(s.e. / err. type)':>19} {'variance':>10} {'MSE / EQM':>10}")
table = {}
for name, est in estimators.items():
    bias = float((est.mean(dim=0) - exact_grad).norm())
    variance = float(est.var(dim=0).sum())
    mse = float(((est - exact_grad) ** 2).sum(dim=1).mean())
    table[name] = (bias, variance, mse)
    # the bias is itself estimated from R repetitions: its standard error is about sqrt(variance / R)
    print(f"{name:<40} {bias:>14.3f} {f'({(variance / R) ** 0.5:.3f})':>19} {variance:>10.2f} {mse:>10.2f}")
fig_est, ax = plt.subplots(figsize=(6, 3.5))
names = list(table)
ax.barh(names, [table[n][2] for n in names], label="MSE / EQM")
ax.barh(names, [table[n][0] ** 2 for n in names], label="bias^2 / biais^2")
ax.set(xscale="log", xlabel="squared error, summed over the 10 units / erreur quadratique sommée sur les 10 unités",
       title=f"{S} samples per estimate / échantillons par estimation")
ax.legend()
fig_est.tight_layout()
plt.show()
if PROFILE != "grading":
    training.log_figures("lab04_regularization", f"learned-dropout-{PROFILE}",
                         {"dropout_rates": fig_rates, "estimators": fig_est})

# %% [markdown]
# **Read the table and the line above it.** What does autograd return for $p$ through a sampled mask? Which
# estimates are unbiased, within their standard error, and how large is their variance? How do the bias and the
# variance of the relaxation change with the temperature? Use this in answer 4(b)(ii).
#
# **FR —** **Lisez le tableau et la ligne qui le précède.** Que renvoie l'autograd pour $p$ à travers un masque
# tiré ? Quelles estimations sont sans biais, à leur erreur type près, et quelle est leur variance ? Comment le biais
# et la variance de la relaxation évoluent-ils avec la température ? Servez-vous-en dans la réponse 4(b)(ii).

# %% [markdown] answer="answer_4b_ii"
# **Answer 4(b)(ii).** The question assumes that we know how to estimate the gradient of the training loss with
# respect to the dropout parameters $p_i$. What is the problem to overcome? Use what Experiment 4 measured.
#
# **FR —** **Réponse 4(b)(ii).** La question suppose que nous savons estimer le gradient du coût d'entraînement par
# rapport aux paramètres de dropout $p_i$. Quel problème faut-il surmonter ? Appuyez-vous sur ce que l'expérience 4 a
# mesuré.
#
# ### BEGIN SOLUTION
# The mask is a **discrete** random sample: $z_i \sim \text{Bernoulli}(1 - p_i)$. The loss depends on $p_i$ only
# through the sampling, and a sample is a step function of $p_i$ (changing $p_i$ a little does not change $z_i$,
# then suddenly flips it), so its derivative is 0 almost everywhere and undefined at the jump: backpropagation
# through the sampled mask gives no gradient (Experiment 4: the hard mask does not even require a gradient, and
# autograd returns `None` for $p$). What we want is the gradient of the **expectation**
# $\nabla_p \mathbb{E}_{z\sim p}[\mathcal{L}(z)]$, a sum over $2^n$ masks, intractable for a real layer.
# That is the problem: the gradient must be estimated from sampled masks without differentiating through the
# sampling, and each way of doing so pays for it. What Experiment 4 measured (10 units, 16 samples, 1,000
# repetitions, CPU profile): REINFORCE / score function $\mathbb{E}[(\mathcal{L}(z) - b)\nabla_p \log P(z)]$ is unbiased (bias below its
# standard error) but has high variance, 802 without baseline, 341 with one; a continuous relaxation (Concrete /
# Gumbel-softmax: the mask becomes a differentiable function of $p$ and of fixed noise) trades bias for variance
# through its temperature: at 0.05 and 0.1 its bias is not detectable (0.61 and 0.41, below their standard errors
# 0.75 and 0.51) and its variance is as high as REINFORCE's (559 and 257); at 0.5 and 1.0 the variance falls to
# 27 and 5.6 while the bias grows to 2.3 and 6.0, far above its standard error; here the lowest error is at 0.5
# (MSE 32). Straight-through at 0.1 behaves like the relaxation at the same temperature (variance 275, bias not
# detectable). So "relaxations are low-variance but biased" holds only at high temperature.
#
# *Rubric (2 pts):* the problem: the mask is discrete/sampled, so no pathwise derivative (autograd gives none, as
# measured) and the exact expectation is a sum over $2^n$ masks (1); the measurement, quoted from the student's
# table: what the estimates that do give a gradient pay, REINFORCE unbiased with a high variance that the baseline
# reduces, or the relaxation's bias and variance moving in opposite directions with the temperature (1; naming the
# estimators of Part C without their measured bias and variance earns 0; "Concrete is low-variance but biased"
# without the temperature contradicts the table at 0.05 and 0.1 and earns 0.5).
# ### END SOLUTION
