# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lab 2 — Linear RNNs: unrolling, the Jacobian $W^t$, vanishing and exploding gradients
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
# **[FRANÇAIS]** Considérez le RNN linéaire suivant :
# $$\mathbf{h}_t = W\mathbf{h}_{t-1} + U\mathbf{x}_t + \mathbf{b},$$
# où $\mathbf{h}_t \in \mathbb{R}^N$ et $\mathbf{x}_t \in \mathbb{R}^M$.
#
# - (a) Exprimez $\mathbf{h}_t$ en fonction de $\mathbf{h}_0$.
# - (b) Trouvez une expression pour la Jacobienne $J$ dont l'entrée $(i, j)$ est
#   $\partial \mathbf{h}_{t,i} / \partial \mathbf{h}_{0,j}$.
# - (c) Que ce passe-t-il lorsque $t \rightarrow \infty$? Sous quelles conditions?
#
# **How this lab works.** Fill in the functions of `lab02_linear_rnn.py` that raise `NotImplementedError`
# (Tasks 2.1–2.6). Each test cell runs the public cases; more cases are graded after you submit. Answer the written
# questions in the cells marked *YOUR ANSWER HERE*, showing your work.

# %%
# %load_ext autoreload
# %autoreload 2
import matplotlib.pyplot as plt
import torch
from torch.utils.data import DataLoader, TensorDataset

import lab02_linear_rnn as lab
from labkit import plotting, training

training.seed_everything(0)
PROFILE = training.profile()  # "cpu" on a laptop, "gpu" on a GPU node, "grading" in the autograder
print("profile:", PROFILE)
torch.set_default_dtype(torch.float64)  # the closed forms are compared to the recurrence in double precision

# %% [markdown]
# ## Task 2.1 — unrolling the recurrence

# %%
g = torch.Generator().manual_seed(0)
N, M, T = 3, 2, 5
W = 0.5 * torch.randn(N, N, generator=g)
U, b = torch.randn(N, M, generator=g), torch.randn(N, generator=g)
h0, xs = torch.randn(N, generator=g), torch.randn(T, M, generator=g)
lab.rnn_unroll(W, U, b, h0, xs)

# %% check="rnn_unroll"

# %% [markdown]
# ## Task 2.2 — question (a): $\mathbf{h}_T$ in closed form

# %%
print("recurrence: ", lab.rnn_unroll(W, U, b, h0, xs)[-1])
print("closed form:", lab.rnn_closed_form(W, U, b, h0, xs))

# %% check="rnn_closed_form"

# %% [markdown] answer="answer_2a"
# **(a)** Write $\mathbf{h}_t$ as a function of $\mathbf{h}_0$ and show the induction.
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
# ## Task 2.3 — question (b): the Jacobian $\partial \mathbf{h}_t / \partial \mathbf{h}_0$
#
# Compare your closed form with autograd's Jacobian of the unrolled recurrence.

# %%
t = 4
autograd_jacobian = torch.autograd.functional.jacobian(lambda h: lab.rnn_unroll(W, U, b, h, xs)[t], h0)
print("max |closed form - autograd| =", float((lab.jacobian_h_t_h0(W, t) - autograd_jacobian).abs().max()))

# %% check="jacobian_h_t_h0"

# %% [markdown] answer="answer_2b"
# **(b)** Derive $J = \partial \mathbf{h}_t / \partial \mathbf{h}_0$.
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
# ## Task 2.4 — question (c): what $W^t$ does as $t \to \infty$
#
# The spectral radius $\rho(W)$, the largest modulus of an eigenvalue, decides. A norm does not: the non-normal
# matrix below has $\rho = 0.9$, yet $\|W^t\|$ grows to about 19 before it decays.

# %% check="asymptotic_regime"

# %%
examples = {
    "rho = 0.9 (0.9 x orthogonal)": lab.scaled_orthogonal(4, 0.9, torch.Generator().manual_seed(1)),
    "rho = 1 (orthogonal)": lab.scaled_orthogonal(4, 1.0, torch.Generator().manual_seed(2)),
    "rho = 1.1": lab.scaled_orthogonal(4, 1.1, torch.Generator().manual_seed(3)),
    "non-normal, rho = 0.9": torch.tensor([[0.9, 5.0], [0.0, 0.9]]),
}
steps = list(range(0, 61))
norms = {name: [float(torch.linalg.matrix_norm(lab.jacobian_h_t_h0(w, s), ord=2)) for s in steps]
         for name, w in examples.items()}
for name, w in examples.items():
    peak = max(norms[name])
    print(f"{name:<30} regime={lab.asymptotic_regime(w):<10} max ||W^t|| = {peak:8.2f} at t = "
          f"{norms[name].index(peak)}")
fig = plotting.line_plot(norms, x=steps, xlabel="t", ylabel="||W^t|| (spectral norm)", logy=True,
                         title="||dh_t/dh_0|| = ||W^t||")
plt.show()

# %% [markdown]
# With a constant input $\mathbf{x}$ and $\rho(W) < 1$ the state forgets $\mathbf{h}_0$ and converges to the fixed
# point $\mathbf{h}^* = (I - W)^{-1}(U\mathbf{x} + \mathbf{b})$:

# %%
W_stable = lab.scaled_orthogonal(N, 0.8, torch.Generator().manual_seed(4))
x_const = torch.randn(M, generator=g)
fixed_point = torch.linalg.solve(torch.eye(N) - W_stable, U @ x_const + b)
trajectory = lab.rnn_unroll(W_stable, U, b, 10 * torch.randn(N, generator=g), x_const.expand(80, M))
print("||h_t - h*|| at t = 0, 20, 40, 80:",
      [round(float((trajectory[s] - fixed_point).norm()), 6) for s in (0, 20, 40, 80)])

# %% [markdown] answer="answer_2c"
# **(c)** What happens when $t \to \infty$, and under what conditions?
#
# ### BEGIN SOLUTION
# Everything goes through $W^t$. Write $W = V \Lambda V^{-1}$ (or its Jordan form): $W^t = V\Lambda^t V^{-1}$.
# - $\rho(W) < 1$: $W^t \to 0$, so $J \to 0$ (gradients from far back **vanish**, the state forgets $\mathbf{h}_0$)
#   and with constant input $\mathbf{h}_t \to (I - W)^{-1}(U\mathbf{x} + \mathbf{b})$. Non-normal $W$ can first
#   grow transiently.
# - $\rho(W) > 1$: $\|W^t\|$ grows like $\rho^t$ along the top eigenvector: the state and the gradients **explode**.
# - $\rho(W) = 1$: eigenvalues on the unit circle neither vanish nor explode when they are semisimple (orthogonal
#   $W$ preserves norms: long memory); a Jordan block of an eigenvalue of modulus 1 grows polynomially ($t^{k-1}$).
# The condition is on the eigenvalues' moduli, not on norms, diagonal entries or the determinant.
#
# *Rubric (2 pts):* the three cases by spectral radius (1); consequences for gradients / memory (0.5); the unit
# circle subtleties (Jordan blocks or orthogonal $W$) or the fixed point (0.5).
# ### END SOLUTION

# %% [markdown]
# ## Tasks 2.5 and 2.6 — a linear RNN that must remember
#
# The task: the first input is the one-hot code of one of 4 classes, then `length - 1` noise inputs; the class must
# be read out of $\mathbf{h}_T$. $W$ is fixed at a scaled orthogonal matrix of spectral radius $\rho$, so each run
# shows one regime; $U$, $\mathbf{b}$ and the read-out are trained. Each run logs $\|\partial \mathbf{h}_T /
# \partial \mathbf{h}_0\|$ and $\|\partial L / \partial \mathbf{h}_0\|$ to wandb.

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
                                           "|dL/dh0|": f"{grad_norms[(radius, length)]:.1e}"})
        training.finish(trainer)

fig = plotting.line_plot({f"rho = {r}": [accuracy[(r, n)] for n in cfg["lengths"]] for r in cfg["radii"]},
                         x=cfg["lengths"], xlabel="sequence length T", ylabel="validation accuracy",
                         title="Recalling the first input (chance = 0.25)")
plt.show()

# %% [markdown]
# **Reading the results.** With $\rho < 1$ the first input's trace in $\mathbf{h}_T$ shrinks like $\rho^T$ while
# the noise does not: past a few steps the class cannot be recalled (chance is 0.25), and $\|\partial L /
# \partial \mathbf{h}_0\|$ vanishes with $\|W^T\|$. Orthogonal $W$ keeps the signal and the gradient at every
# length. With $\rho > 1$, $\|\partial \mathbf{h}_T / \partial \mathbf{h}_0\| = \|W^T\|$ explodes; because
# $W$ is fixed and the read-out is linear, the read-out can still rescale the exploded state, so the class is
# recalled, and once the loss saturates the gradient that reaches $\mathbf{h}_0$ even drops to zero. Training $W$
# itself (`train_recurrent=True`) in that regime gives the unstable updates that motivate gradient clipping.
