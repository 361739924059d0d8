# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lab 3 — Optimization: Adagrad, RMSprop and Adam, built and compared
#
# **Exam question 3 (10 points).** Briefly compare and contrast the following pairs of optimization algorithms
# (be specific):
#
# - (a) Adagrad and RMSprop,
# - (b) RMSprop and Adam.
#
# **[FRANÇAIS]** Comparez et contrastez brièvement les paires d'algorithmes d'optimisation suivantes (soyez
# spécifique!) :
#
# - (a) Adagrad et RMSprop,
# - (b) RMSprop et Adam.
#
# **How this lab works.** Fill in the `step` methods and `trajectory` in `lab03_optimizers.py` (Tasks 3.1–3.4). Your
# optimizers must match `torch.optim` exactly, including where eps goes, bias correction and L2 weight decay. Each
# test cell runs the public cases; more cases (hundreds of steps, tiny gradients, several parameter groups,
# `state_dict` round trips) are graded after you submit.

# %%
# %load_ext autoreload
# %autoreload 2
import matplotlib.pyplot as plt
import torch

import lab03_optimizers as lab
from labkit import plotting, training
from labkit.data import DigitsDataModule

training.seed_everything(0)
PROFILE = training.profile()  # "cpu" on a laptop, "gpu" on a GPU node, "grading" in the autograder
print("profile:", PROFILE)

# %% [markdown]
# ## Tasks 3.1–3.3 — the three optimizers
#
# | | state per parameter | update |
# |---|---|---|
# | Adagrad | $s \leftarrow s + g^2$ | $p \leftarrow p - \eta\, g / (\sqrt{s} + \epsilon)$ |
# | RMSprop | $v \leftarrow \alpha v + (1-\alpha) g^2$ | $p \leftarrow p - \eta\, g / (\sqrt{v} + \epsilon)$ |
# | Adam | $m \leftarrow \beta_1 m + (1-\beta_1) g$, $v \leftarrow \beta_2 v + (1-\beta_2) g^2$ | $p \leftarrow p - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)$, $\hat m = m/(1-\beta_1^t)$, $\hat v = v/(1-\beta_2^t)$ |

# %%
def compare_with_torch(name: str, steps: int = 300, **kwargs) -> float:
    torch.manual_seed(0)
    start = [torch.randn(3, 4, dtype=torch.float64), torch.randn(5, dtype=torch.float64)]
    ours, theirs = [p.clone().requires_grad_() for p in start], [p.clone().requires_grad_() for p in start]
    opts = getattr(lab, name)(ours, **kwargs), getattr(torch.optim, name)(theirs, **kwargs)
    for _ in range(steps):
        for params, opt in zip((ours, theirs), opts):
            opt.zero_grad()
            (params[0].sin() ** 2).sum().add(params[0].sum() * params[1].sum()).backward()
            opt.step()
    return max(float((a - b).abs().max()) for a, b in zip(ours, theirs))


# %% check="adagrad"

# %% check="rmsprop"

# %% check="adam"

# %%
for name, kwargs in [("Adagrad", dict(lr=0.05)), ("RMSprop", dict(lr=0.01)), ("Adam", dict(lr=0.01)),
                     ("Adam", dict(lr=0.01, weight_decay=0.1))]:
    print(f"{name:<8} {kwargs}: max |ours - torch.optim| after 300 steps = {compare_with_torch(name, **kwargs):.2e}")

# %% [markdown]
# ## Experiment 1 — Adagrad's step size only shrinks; RMSprop's recovers
#
# One parameter, a gradient of 10 for 100 steps, then 0.1. The *effective step size* is $|\Delta p| / |g|$, the
# learning rate the optimizer really applies. RMSprop runs with $\alpha = 0.9$ (a memory of about 10 steps) so that
# the recovery fits on the plot; with the default 0.99 it takes a few hundred steps.

# %%
def effective_steps(opt_class, grads, **kwargs) -> list[float]:
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = opt_class([p], **kwargs)
    out = []
    for g in grads:
        before = p.detach().clone()
        opt.zero_grad()
        (g * p).sum().backward()
        opt.step()
        out.append(float((p.detach() - before).abs() / g))
    return out


grads = [10.0] * 100 + [0.1] * 100
eff = {"Adagrad": effective_steps(lab.Adagrad, grads, lr=0.1), "RMSprop": effective_steps(lab.RMSprop, grads, lr=0.1, alpha=0.9)}
for name, e in eff.items():
    print(f"{name:<8} effective step at t=1: {e[0]:.2e}, t=100: {e[99]:.2e}, t=200: {e[199]:.2e}")
fig_steps = plotting.line_plot(eff, xlabel="step", ylabel="|dp| / |g|", logy=True,
                               title="Gradient scale 10, then 0.1 from step 101")
plt.show()

# %% [markdown]
# ## Experiment 2 — Adam's first steps with and without bias correction
#
# With a constant gradient $g = 1$, $m_t = 1 - \beta_1^t$ and $v_t = 1 - \beta_2^t$ start near zero. Without the
# correction the first step is $\eta(1-\beta_1)/\sqrt{1-\beta_2} \approx 3.2\,\eta$; with it, exactly $\eta$.

# %%
lr, (b1, b2), eps = 0.01, (0.9, 0.999), 1e-8
with_correction = effective_steps(lab.Adam, [1.0] * 20, lr=lr, betas=(b1, b2), eps=eps)
t = torch.arange(1, 21, dtype=torch.float64)
m, v = 1 - b1**t, 1 - b2**t  # the moments for g = 1
without_correction = (lr * m / (v.sqrt() + eps)).tolist()
print("step / lr, with correction:   ", [round(s / lr, 3) for s in with_correction[:5]])
print("step / lr, without correction:", [round(s / lr, 3) for s in without_correction[:5]])
fig_bias = plotting.line_plot({"with bias correction": with_correction, "without": without_correction},
                              xlabel="step", ylabel="|dp|", title="Adam, constant gradient 1")
plt.show()

# %% [markdown]
# ## Task 3.4 — trajectories on 2-D functions

# %% check="trajectory"

# %%
FACTORIES = {
    "SGD": lambda ps, lr: torch.optim.SGD(ps, lr=lr),
    "Adagrad": lambda ps, lr: lab.Adagrad(ps, lr=lr),
    "RMSprop": lambda ps, lr: lab.RMSprop(ps, lr=lr),
    "Adam": lambda ps, lr: lab.Adam(ps, lr=lr),
}
SETUPS = {
    "Rosenbrock": (lab.rosenbrock, torch.tensor([-1.5, 1.5]), {"SGD": 1e-3, "Adagrad": 0.5, "RMSprop": 0.01,
                                                               "Adam": 0.05}, (-2, 2, -1, 3)),
    "ill-conditioned quadratic": (lab.ill_conditioned_quadratic, torch.tensor([-2.0, 1.0]),
                                  {"SGD": 0.035, "Adagrad": 0.5, "RMSprop": 0.05, "Adam": 0.1}, (-2.5, 2.5, -1.5, 1.5)),
}
steps = 300 if PROFILE != "grading" else 20
fig_paths, axes = plt.subplots(1, 2, figsize=(11, 4.5))
for ax, (title, (fn, x0, lrs, (x_lo, x_hi, y_lo, y_hi))) in zip(axes, SETUPS.items()):
    xx, yy = torch.meshgrid(torch.linspace(x_lo, x_hi, 200), torch.linspace(y_lo, y_hi, 200), indexing="xy")
    zz = fn(torch.stack([xx, yy]))
    ax.contour(xx, yy, zz.log1p(), levels=25, cmap="Greys", linewidths=0.6)
    for name, factory in FACTORIES.items():
        path = lab.trajectory(lambda ps, f=factory, lr=lrs[name]: f(ps, lr), fn, x0, steps)
        ax.plot(path[:, 0], path[:, 1], label=f"{name} (final loss {float(fn(path[-1])):.2e})", lw=1.2)
    ax.set(title=title, xlim=(x_lo, x_hi), ylim=(y_lo, y_hi))
    ax.legend(fontsize=7)
fig_paths.tight_layout()
plt.show()
training.log_figures("lab03_optimizers", f"experiments-{PROFILE}",
                     {"effective_step": fig_steps, "adam_bias_correction": fig_bias, "trajectories": fig_paths})

# %% [markdown]
# ## Experiment 3 — one classifier, four optimizers
#
# The same MLP on the 8×8 digits trained with SGD and the three optimizers of this lab, each with a learning rate
# that suits it; validation accuracy per epoch side by side.

# %%
PROFILES = {"cpu": dict(epochs=8, batch_size=64, limit=None), "gpu": dict(epochs=30, batch_size=64, limit=None),
            "grading": dict(epochs=1, batch_size=64, limit=256)}
LRS = {"sgd": 0.1, "adagrad": 0.05, "rmsprop": 1e-3, "adam": 1e-3}
cfg = PROFILES[PROFILE]
curves = {}
for name, lr in LRS.items():
    training.seed_everything(0)
    history = training.MetricHistory()
    trainer = training.make_trainer("lab03_optimizers", run_name=f"digits-{name}", config={**cfg, "lr": lr},
                                    max_epochs=cfg["epochs"], callbacks=[history], enable_progress_bar=False,
                                    enable_model_summary=False)
    trainer.fit(lab.DigitsClassifier(optimizer=name, lr=lr), datamodule=DigitsDataModule(batch_size=cfg["batch_size"],
                                                                                          limit=cfg["limit"]))
    curves[name] = history.series("val/acc")
    print(name, {"val/acc": round(curves[name][-1], 3)})
    training.finish(trainer)
fig = plotting.line_plot(curves, xlabel="epoch", ylabel="validation accuracy", title="MLP on 8x8 digits")
plt.show()

# %% [markdown] answer="answer_3a"
# **(a)** Compare and contrast Adagrad and RMSprop.
#
# ### BEGIN SOLUTION
# Both divide each coordinate's gradient by the root of an estimate of its squared gradients, so rarely-updated or
# small-gradient coordinates get larger steps (per-parameter adaptive learning rates), with eps added after the
# square root. **Adagrad** accumulates the **sum** of all past squared gradients, $s_t = \sum_{k \le t} g_k^2$: the
# effective step $\eta/\sqrt{s_t}$ only decreases and never recovers (good for sparse, convex problems; training can
# stall in deep nets — Experiment 1). **RMSprop** replaces the sum by an **exponential moving average**
# $v_t = \alpha v_{t-1} + (1-\alpha) g_t^2$, so it forgets old gradients: the step adapts to the recent gradient
# scale and recovers when gradients shrink (non-stationary, non-convex objectives).
#
# *Rubric (2 pts):* shared idea: per-parameter scaling by accumulated squared gradients (0.5); sum vs exponential
# moving average (1); consequence: monotonically decaying step vs recovering step (0.5).
# ### END SOLUTION

# %% [markdown] answer="answer_3b"
# **(b)** Compare and contrast RMSprop and Adam.
#
# ### BEGIN SOLUTION
# Adam keeps RMSprop's moving average of squared gradients (its second moment, $\beta_2$) and adds a moving average
# of the gradients themselves, the **first-moment estimate** $m_t$ ($\beta_1$, a momentum), which it uses instead of
# the raw gradient in the numerator. Both averages start at zero and are biased towards it early on, so Adam applies
# **bias correction** $\hat m_t = m_t/(1-\beta_1^t)$, $\hat v_t = v_t/(1-\beta_2^t)$; without it the first steps are
# mis-scaled (about $3.2\eta$ for the default betas — Experiment 2). Plain RMSprop has no momentum (unless added
# separately) and no bias correction.
#
# *Rubric (2 pts):* both use the EMA of squared gradients (0.5); Adam's first moment / momentum (0.75); bias
# correction and why (0.75).
# ### END SOLUTION
