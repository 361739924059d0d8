# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lab 2 — Linear RNNs: unrolling, the Jacobian, long sequences / RNN linéaires : dérouler, la jacobienne, longues séquences
#
# **Exam question 2 (15 points).** Consider the behavior of a linear RNN:
# $$\mathbf{h}_t = W\mathbf{h}_{t-1} + U\mathbf{x}_t + \mathbf{b},$$
# where $\mathbf{h}_t \in \mathbb{R}^N$ and $\mathbf{x}_t \in \mathbb{R}^M$.
#
# - (a) Write $\mathbf{h}_t$ as a function of $\mathbf{h}_0$.
# - (b) Derive an expression for the Jacobian $J$ whose entry $(i, j)$ is
#   $\partial \mathbf{h}_{t,i} / \partial \mathbf{h}_{0,j}$.
# - (c) What happens when $t \rightarrow \infty$? Under what conditions?
#
# **How this lab works.** Fill in the functions of `lab02_linear_rnn.py` that raise `NotImplementedError`
# (Tasks 2.1–2.6). Each test cell runs the public cases; more cases are graded after you submit. Answer the written
# questions in the cells marked *YOUR ANSWER HERE*, showing your work.
#
# **FR —** **Question 2 de l'examen (15 points).** Considérez le RNN linéaire suivant :
# $$\mathbf{h}_t = W\mathbf{h}_{t-1} + U\mathbf{x}_t + \mathbf{b},$$
# où $\mathbf{h}_t \in \mathbb{R}^N$ et $\mathbf{x}_t \in \mathbb{R}^M$.
#
# - (a) Exprimez $\mathbf{h}_t$ en fonction de $\mathbf{h}_0$.
# - (b) Trouvez une expression pour la Jacobienne $J$ dont le coefficient $(i, j)$ est
#   $\partial \mathbf{h}_{t,i} / \partial \mathbf{h}_{0,j}$.
# - (c) Que ce passe-t-il lorsque $t \rightarrow \infty$? Sous quelles conditions?
#
# **Déroulement du lab.** Complétez les fonctions de `lab02_linear_rnn.py` qui lèvent `NotImplementedError`
# (tâches 2.1 à 2.6). Chaque cellule de test exécute les cas publics ; d'autres cas sont notés après la remise.
# Répondez aux questions écrites dans les cellules marquées *YOUR ANSWER HERE*, en montrant votre démarche.

# %%
# %load_ext autoreload
# %autoreload 2
import math

import lightning as L
import matplotlib.pyplot as plt
import torch
from torch.utils.data import DataLoader, TensorDataset

import lab02_linear_rnn as lab
from labkit import plotting, training

training.seed_everything(0)
PROFILE = training.profile()  # "cpu" on a laptop, "gpu" on a GPU node, "grading" in the autograder
print("profile / profil:", PROFILE)
torch.set_default_dtype(torch.float64)  # the closed forms are compared to the recurrence in double precision

# %% [markdown]
# ## Task 2.1 — unrolling the recurrence / Tâche 2.1 — dérouler la récurrence

# %%
g = torch.Generator().manual_seed(0)
N, M, T = 3, 2, 5
W = 0.5 * torch.randn(N, N, generator=g)
U, b = torch.randn(N, M, generator=g), torch.randn(N, generator=g)
h0, xs = torch.randn(N, generator=g), torch.randn(T, M, generator=g)
lab.rnn_unroll(W, U, b, h0, xs)

# %% check="rnn_unroll"

# %% [markdown]
# ## Task 2.2 — question (a): $\mathbf{h}_T$ without the recurrence / Tâche 2.2 — question (a) : $\mathbf{h}_T$ sans la récurrence
#
# `rnn_closed_form` computes $\mathbf{h}_T$ from your answer to (a): powers of $W$ by `torch.linalg.matrix_power`,
# no call to `rnn_unroll`, no state updated step by step (a method rule reads the source). The cell compares it with
# the recurrence.
#
# **FR —** `rnn_closed_form` calcule $\mathbf{h}_T$ à partir de votre réponse à (a) : les puissances de $W$ par
# `torch.linalg.matrix_power`, sans appel à `rnn_unroll`, sans état mis à jour pas à pas (une règle de méthode lit
# le code source). La cellule la compare à la récurrence.

# %%
print("recurrence / récurrence :", lab.rnn_unroll(W, U, b, h0, xs)[-1])
print("closed form / forme close :", lab.rnn_closed_form(W, U, b, h0, xs))

# %% check="rnn_closed_form"

# %% [markdown] answer="answer_2a"
# **(a)** Write $\mathbf{h}_t$ as a function of $\mathbf{h}_0$ and show the induction.
#
# **FR —** **(a)** Exprimez $\mathbf{h}_t$ en fonction de $\mathbf{h}_0$ et démontrez-la par récurrence.
#
# ### BEGIN SOLUTION
# Unrolling once, $\mathbf{h}_2 = W^2\mathbf{h}_0 + W(U\mathbf{x}_1 + \mathbf{b}) + U\mathbf{x}_2 + \mathbf{b}$, and by
# induction
# $$\mathbf{h}_t = W^t\mathbf{h}_0 + \sum_{k=1}^{t} W^{t-k}\,(U\mathbf{x}_k + \mathbf{b}).$$
# (If $I - W$ is invertible the bias part sums to $(I - W^t)(I - W)^{-1}\mathbf{b}$.)
#
# *Rubric (2 pts):* $W^t\mathbf{h}_0$ (0.5); the sum with $W^{t-k}$ applied to input **and** bias at every step (1);
# the induction or unrolling shown (0.5).
# ### END SOLUTION

# %% [markdown]
# ## Task 2.3 — question (b): the Jacobian $\partial \mathbf{h}_t / \partial \mathbf{h}_0$ / Tâche 2.3 — question (b) : la jacobienne $\partial \mathbf{h}_t / \partial \mathbf{h}_0$
#
# Compare your `jacobian_h_t_h0` with autograd's Jacobian of the unrolled recurrence.
#
# **FR —** Comparez votre `jacobian_h_t_h0` à la jacobienne que calcule autograd sur la récurrence déroulée.

# %%
t = 4
autograd_jacobian = torch.autograd.functional.jacobian(lambda h: lab.rnn_unroll(W, U, b, h, xs)[t], h0)
print("max |yours / le vôtre - autograd| =", float((lab.jacobian_h_t_h0(W, t) - autograd_jacobian).abs().max()))

# %% check="jacobian_h_t_h0"

# %% [markdown] answer="answer_2b"
# **(b)** Derive $J = \partial \mathbf{h}_t / \partial \mathbf{h}_0$.
#
# **FR —** **(b)** Établissez $J = \partial \mathbf{h}_t / \partial \mathbf{h}_0$.
#
# ### BEGIN SOLUTION
# Only the first term of (a) depends on $\mathbf{h}_0$, so $J = W^t$: entry $(i, j)$ is $(W^t)_{ij}$. Equivalently,
# by the chain rule $J = \prod_{s=1}^{t} \partial \mathbf{h}_s / \partial \mathbf{h}_{s-1} = W \cdots W = W^t$; the
# inputs and the bias do not appear.
#
# *Rubric (2 pts):* $J = W^t$ (1); derivation by (a) or the chain rule (0.5); the orientation (row $i$ = output,
# column $j$ = input: not $(W^t)^\top$) (0.5).
# ### END SOLUTION

# %% [markdown]
# ## Task 2.4 — question (c): the Jacobian as $t \to \infty$ / Tâche 2.4 — question (c) : la jacobienne quand $t \to \infty$
#
# `asymptotic_regime` labels a matrix by its spectral radius: the rule is yours to derive (its docstring says what
# each label means). The cell after the
# check labels five matrices with it and plots the spectral norm of $J_t = \partial \mathbf{h}_t / \partial
# \mathbf{h}_0$ (your `jacobian_h_t_h0`) over $t$. Compare each label with its curve; your answer to (c) should
# account for all five.
#
# **FR —** `asymptotic_regime` étiquette une matrice par son rayon spectral : c'est à vous d'établir la règle (sa
# docstring dit ce que chaque étiquette veut dire). La cellule
# qui suit le test étiquette cinq matrices et trace la norme spectrale de $J_t = \partial \mathbf{h}_t / \partial
# \mathbf{h}_0$ (votre `jacobian_h_t_h0`) en fonction de $t$. Comparez chaque étiquette à sa courbe ; votre réponse
# à (c) doit rendre compte des cinq.

# %% check="asymptotic_regime"

# %%
examples = {
    "0.9 x orthogonal / orthogonale": lab.scaled_orthogonal(4, 0.9, torch.Generator().manual_seed(1)),
    "orthogonal / orthogonale": lab.scaled_orthogonal(4, 1.0, torch.Generator().manual_seed(2)),
    "1.1 x orthogonal / orthogonale": lab.scaled_orthogonal(4, 1.1, torch.Generator().manual_seed(3)),
    "[[0.9, 5], [0, 0.9]]": torch.tensor([[0.9, 5.0], [0.0, 0.9]]),
    "Jordan block / bloc de Jordan [[1, 1], [0, 1]]": torch.tensor([[1.0, 1.0], [0.0, 1.0]]),
}
steps = list(range(0, 61))
norms = {name: [float(torch.linalg.matrix_norm(lab.jacobian_h_t_h0(w, s), ord=2)) for s in steps]
         for name, w in examples.items()}
for name, w in examples.items():
    peak = max(norms[name])
    print(f"{name:<46} rho={lab.spectral_radius(w):.3f} regime / régime={lab.asymptotic_regime(w):<10} "
          f"max ||J_t|| = {peak:8.2f} at / en t = {norms[name].index(peak):2d}, ||J_60|| = {norms[name][60]:.3g}")
fig = plotting.line_plot(norms, x=steps, xlabel="t", ylabel="||J_t|| (spectral norm / norme spectrale)", logy=True,
                         title="||dh_t/dh_0||")
plt.show()

# %% [markdown]
# A constant input: two runs of the recurrence from different $\mathbf{h}_0$ under the same constant input
# $\mathbf{x}$, with $W$ of spectral radius 0.8. The cell prints how far apart the two states are and how much
# the state still moves from one step to the next.
#
# **FR —** Une entrée constante : deux exécutions de la récurrence depuis des $\mathbf{h}_0$ différents, sous la même
# entrée constante $\mathbf{x}$, avec $W$ de rayon spectral 0,8. La cellule affiche l'écart entre les deux états et
# de combien l'état bouge encore d'une étape à la suivante.

# %%
W_stable = lab.scaled_orthogonal(N, 0.8, torch.Generator().manual_seed(4))
x_const = torch.randn(M, generator=g).expand(80, M)
run_a = lab.rnn_unroll(W_stable, U, b, 10 * torch.randn(N, generator=g), x_const)
run_b = lab.rnn_unroll(W_stable, U, b, torch.zeros(N), x_const)
for s in (0, 20, 40, 79):
    print(f"t = {s:2d}: ||h_t - h'_t|| = {float((run_a[s] - run_b[s]).norm()):.2e}, "
          f"||h_(t+1) - h_t|| = {float((run_a[s + 1] - run_a[s]).norm()):.2e}, h_t = {run_a[s].numpy().round(4)}")

# %% [markdown] answer="answer_2c"
# **(c)** What happens when $t \to \infty$, and under what conditions? Use the measurements above.
#
# **FR —** **(c)** Que se passe-t-il lorsque $t \to \infty$, et sous quelles conditions ? Appuyez-vous sur les
# mesures ci-dessus.
#
# ### BEGIN SOLUTION
# Everything goes through $W^t$. Write $W = V J_W V^{-1}$ in Jordan form: a Jordan block of size $k$ for an
# eigenvalue $\lambda$ contributes $\binom{t}{j}\lambda^{t-j}$ for $j < k$, so $\|W^t\| \sim C\,t^{k-1}\rho^t$ where
# $k$ is the size of the largest Jordan block among the eigenvalues of modulus $\rho = \rho(W)$ ($k = 1$,
# $\|W^t\| \sim C\rho^t$, when those eigenvalues are semisimple, e.g. $W$ diagonalizable).
# - $\rho(W) < 1$: $t^{k-1}\rho^t \to 0$, so $W^t \to 0$ and $J \to 0$ (gradients from far back **vanish**, the
#   state forgets $\mathbf{h}_0$) and with constant input $\mathbf{h}_t \to (I - W)^{-1}(U\mathbf{x} + \mathbf{b})$.
#   Non-normal $W$ can first grow transiently (the $[[0.9, 5], [0, 0.9]]$ example).
# - $\rho(W) > 1$: $\|W^t\|$ grows like $t^{k-1}\rho^t$ (like $\rho^t$ for diagonalizable $W$), exponentially
#   along the top eigenvector(s): the state and the gradients **explode**.
# - $\rho(W) = 1$: semisimple eigenvalues on the unit circle neither vanish nor explode (orthogonal $W$ preserves
#   norms: long memory); a Jordan block of size $k$ of an eigenvalue of modulus 1 grows polynomially, like
#   $t^{k-1}$ (the $[[1, 1], [0, 1]]$ example grows like $t$, though `asymptotic_regime` labels it "marginal").
# The condition is on the eigenvalues' moduli (and, on the unit circle, on the Jordan structure), not on norms,
# diagonal entries or the determinant.
#
# *Rubric (2 pts):* the three cases by spectral radius (1; an answer that says $\|W^t\|$ grows exactly like
# $\rho^t$ for every $W$ keeps this point only if it states $W$ diagonalizable, or notes the polynomial factor of a
# Jordan block); consequences for gradients / memory (0.5); the unit circle subtleties (Jordan blocks growing like
# $t^{k-1}$, or orthogonal $W$ keeping norms) or the fixed point (0.5).
# ### END SOLUTION

# %% [markdown]
# ## Tasks 2.5 and 2.6 — a linear RNN that must remember / Tâches 2.5 et 2.6 — un RNN linéaire qui doit se souvenir
#
# The task: the first input is the one-hot code of one of 4 classes, then `length - 1` noise inputs; the class must
# be read out of $\mathbf{h}_T$. $W$ is fixed at a scaled orthogonal matrix of spectral radius $\rho$ (Task 2.5);
# $U$, $\mathbf{b}$ and the read-out are trained. Each run logs $\|\partial \mathbf{h}_T / \partial \mathbf{h}_0\|$
# and the mean over the examples of $\|\partial \ell / \partial \mathbf{h}_0\|$ (each example's own loss $\ell$)
# to wandb.
#
# **FR —** La tâche : la première entrée est le code one-hot d'une classe parmi 4, puis viennent `length - 1`
# entrées de bruit ; la classe doit être lue dans $\mathbf{h}_T$. $W$ est fixée à une matrice orthogonale
# multipliée par $\rho$, son rayon spectral (tâche 2.5) ; $U$, $\mathbf{b}$ et la lecture sont entraînés. Chaque
# exécution enregistre dans wandb $\|\partial \mathbf{h}_T / \partial \mathbf{h}_0\|$ et la moyenne sur les
# exemples de $\|\partial \ell / \partial \mathbf{h}_0\|$ (le coût $\ell$ propre à chaque exemple).

# %% check="scaled_orthogonal"

# %% check="linear_rnn_hidden_states"

# %%
torch.set_default_dtype(torch.float32)
PROFILES = {
    "cpu": dict(lengths=[5, 20, 60], radii=[0.7, 1.0, 1.15], n_train=2048, epochs=4, hidden=32),
    "gpu": dict(lengths=[5, 20, 60, 200], radii=[0.7, 0.9, 1.0, 1.05, 1.15], n_train=16384, epochs=8, hidden=128),
    "grading": dict(lengths=[5], radii=[0.7, 1.0], n_train=128, epochs=1, hidden=8),
}
cfg = PROFILES[PROFILE]
accuracy, grad_norms = {}, {}
for radius in cfg["radii"]:
    for length in cfg["lengths"]:
        gen = torch.Generator().manual_seed(length)
        train = TensorDataset(*lab.recall_task(cfg["n_train"], length, generator=gen))
        val = TensorDataset(*lab.recall_task(512, length, generator=gen))
        model = lab.LinearRNN(hidden_size=cfg["hidden"], spectral_radius=radius)
        trainer = training.make_trainer("lab02_linear_rnn", run_name=f"rho{radius}-T{length}",
                                        config={**cfg, "radius": radius, "length": length},
                                        max_epochs=cfg["epochs"], enable_progress_bar=False,
                                        enable_model_summary=False)
        trainer.fit(model, DataLoader(train, batch_size=64, shuffle=True), DataLoader(val, batch_size=512))
        accuracy[(radius, length)] = float(trainer.callback_metrics["val/acc"])
        grad_norms[(radius, length)] = float(trainer.callback_metrics["grad/dL_dh0"])
        print(f"rho={radius} T={length}", {"val/acc": round(accuracy[(radius, length)], 3),
                                           "|dh_T/dh_0|": f"{float(trainer.callback_metrics['grad/dhT_dh0']):.1e}",
                                           "mean / moyenne |dl/dh0|": f"{grad_norms[(radius, length)]:.1e}"})
        training.finish(trainer)

longest = cfg["lengths"][-1]
print({"longest_T/val_acc_rho_1_minus_rho_0.7": round(accuracy[(1.0, longest)] - accuracy[(0.7, longest)], 3)})
fig = plotting.line_plot({f"rho = {r}": [accuracy[(r, n)] for n in cfg["lengths"]] for r in cfg["radii"]},
                         x=cfg["lengths"], xlabel="sequence length T / longueur de séquence T",
                         ylabel="validation accuracy / exactitude en validation",
                         title="Recalling the first input (chance = 0.25) / rappel de la première entrée (hasard = 0,25)")
plt.show()

# %% [markdown]
# **Reading the results.** For each $\rho$, follow the accuracy as $T$ grows (chance is 0.25) together with the two
# gradient norms printed beside it. How does the first input's influence on $\mathbf{h}_T$ change with $T$ and
# $\rho$? With $\rho > 1$ the read-out is linear and $W$ is fixed: what can the read-out do about the size of
# $\mathbf{h}_T$?
#
# **FR —** **Lecture des résultats.** Pour chaque $\rho$, suivez l'exactitude quand $T$ augmente (le hasard donne
# 0,25) avec les deux normes de gradient affichées à côté. Comment l'influence de la première entrée sur
# $\mathbf{h}_T$ change-t-elle avec $T$ et $\rho$ ? Avec $\rho > 1$, la lecture est linéaire et $W$ est fixe : que
# peut faire la lecture face à la taille de $\mathbf{h}_T$ ?

# %% [markdown]
# ## Training $W$ too, with and without gradient clipping / Entraîner aussi $W$, avec et sans écrêtage du gradient
#
# So far $W$ was fixed. Here it is trained as well (`train_recurrent=True`) with plain SGD (learning rate 0.01),
# from spectral radius 1.1 on sequences of length 40: once as is, and once with the Trainer's
# `gradient_clip_val=1.0`, which rescales the gradient to norm at most 1 before each step. A callback records, at
# every step, the gradient norm before clipping, $W$'s spectral radius after the step, and the loss.
#
# **FR —** Jusqu'ici $W$ était fixe. Ici elle est aussi entraînée (`train_recurrent=True`) par SGD simple (pas
# d'apprentissage 0,01), depuis un rayon spectral de 1,1, sur des séquences de longueur 40 : une fois telle quelle,
# une fois avec `gradient_clip_val=1.0` du Trainer, qui ramène la norme du gradient à au plus 1 avant chaque pas.
# Un callback enregistre, à chaque pas, la norme du gradient avant écrêtage, le rayon spectral de $W$ après le pas
# et le coût.


# %%
class StepRecorder(L.Callback):
    """Per training step: the gradient norm before clipping, W's spectral radius after the step, the loss."""

    def __init__(self):
        self.grad_norm, self.radius, self.loss = [], [], []

    def on_before_optimizer_step(self, trainer, pl_module, optimizer):  # Lightning clips after this hook
        grads = [p.grad.norm() for p in pl_module.parameters() if p.grad is not None]
        self.grad_norm.append(float(torch.stack(grads).norm()))

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        W = pl_module.W.detach()
        self.radius.append(lab.spectral_radius(W) if bool(W.isfinite().all()) else math.inf)
        self.loss.append(float(outputs["loss"]))


CLIP_SIZES = {"cpu": (1024, 2), "gpu": (1024, 2), "grading": (128, 1)}  # training examples, epochs
n_clip, epochs_clip = CLIP_SIZES[PROFILE]
gen = torch.Generator().manual_seed(40)
train = TensorDataset(*lab.recall_task(n_clip, 40, generator=gen))
val = TensorDataset(*lab.recall_task(512, 40, generator=gen))
records = {}
for clip in (None, 1.0):
    training.seed_everything(0)
    model = lab.LinearRNN(hidden_size=32, spectral_radius=1.1, train_recurrent=True, optimizer="sgd", lr=0.01)
    records[clip] = StepRecorder()
    trainer = training.make_trainer("lab02_linear_rnn", run_name=f"train-W-clip{clip}",
                                    config={"gradient_clip_val": clip, "radius": 1.1, "length": 40},
                                    max_epochs=epochs_clip, gradient_clip_val=clip, callbacks=[records[clip]],
                                    enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, DataLoader(train, batch_size=64, shuffle=True), DataLoader(val, batch_size=512))
    rec = records[clip]
    largest = float(torch.tensor(rec.grad_norm).nan_to_num(nan=math.inf).max())
    print(f"gradient_clip_val={clip}: largest gradient norm before clipping / plus grande norme du gradient avant "
          f"écrêtage {largest:.2e}; W's spectral radius / rayon spectral de W: after step 1 / après le pas 1 "
          f"{rec.radius[0]:.3f}, at the end / à la fin {rec.radius[-1]:.3f}; non-finite losses / coûts non finis "
          f"{sum(not math.isfinite(x) for x in rec.loss)} / {len(rec.loss)} steps / pas; validation accuracy / "
          f"exactitude en validation "
          f"{float(trainer.callback_metrics['val/acc']):.3f}")
    training.finish(trainer)
fig = plotting.line_plot({f"gradient_clip_val={c}": r.grad_norm for c, r in records.items()}, xlabel="step / pas",
                         ylabel="gradient norm before clipping / norme du gradient avant écrêtage", logy=True,
                         title="Training W (rho = 1.1, T = 40) / entraînement de W")
plt.show()

# %% [markdown]
# Compare the two runs: the gradient norm before clipping, how far the first steps move $W$'s spectral radius, and
# whether the loss stays finite. With clipping, one SGD step moves the parameters by at most the learning rate
# times 1.0, whatever the gradient's norm.
#
# **FR —** Comparez les deux exécutions : la norme du gradient avant écrêtage, de combien les premiers pas déplacent
# le rayon spectral de $W$, et si le coût reste fini. Avec l'écrêtage, un pas de SGD déplace les paramètres d'au
# plus le pas d'apprentissage fois 1,0, quelle que soit la norme du gradient.
