# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lab 3 — Optimization: Adagrad, RMSprop and Adam, built and compared / Optimisation : Adagrad, RMSprop et Adam, programmés et comparés
#
# **Exam question 3 (10 points). Optimization.** Briefly compare and contrast the following pairs of optimization
# algorithms (be specific):
#
# - (a) Adagrad and RMSprop,
# - (b) RMSprop and Adam.
#
# **How this lab works.** Fill in the `step` methods and `trajectory` in `lab03_optimizers.py` (Tasks 3.1–3.4). Your
# optimizers must match `torch.optim` exactly, including where eps goes and how weight decay enters. Each
# test cell runs the public cases; more cases (hundreds of steps, tiny gradients, parameter groups with their own
# hyperparameters, parameters that get no gradient in some steps, `state_dict` round trips) are graded after you
# submit. The grader also reads your source: your classes may subclass `torch.optim.Optimizer`, but a class that
# hands the work to torch.optim's own Adagrad, RMSprop or Adam (or to their functional forms) scores 0 on its check.
# The experiments then run your optimizers side by side; write the two answers in the cells marked
# *YOUR ANSWER HERE*, from what the experiments measured.
#
# **FR —** **Question 3 de l'examen (10 points). Optimisation.** Comparez et contrastez brièvement les paires
# d'algorithmes d'optimisation suivantes (soyez spécifique!) :
#
# - (a) Adagrad et RMSprop,
# - (b) RMSprop et Adam.
#
# **Déroulement du lab.** Complétez les méthodes `step` et la fonction `trajectory` de `lab03_optimizers.py` (tâches
# 3.1 à 3.4). Vos optimiseurs doivent reproduire exactement `torch.optim`, y compris la place de eps et la façon
# dont intervient la pénalité L2 (*weight decay*). Chaque cellule de test exécute les cas publics ; d'autres cas (des
# centaines de pas, des gradients minuscules, des groupes de paramètres avec leurs propres hyperparamètres, des
# paramètres sans gradient à certains pas, des allers-retours par `state_dict`) sont notés après la remise. Le
# correcteur lit aussi votre code source : vos classes peuvent hériter de `torch.optim.Optimizer`, mais une classe qui
# confie le travail aux Adagrad, RMSprop ou Adam de torch.optim (ou à leurs formes fonctionnelles) obtient 0 au test
# correspondant. Les expériences font ensuite tourner vos optimiseurs côte à côte ; rédigez les deux réponses dans les
# cellules marquées *YOUR ANSWER HERE* (en français ou en anglais), à partir de ce que les expériences ont mesuré.

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
print("profile / profil:", PROFILE)

# %% [markdown]
# ## Tasks 3.1–3.3 — the three optimizers / Tâches 3.1 à 3.3 — les trois optimiseurs
#
# Fill in `Adagrad.step`, `RMSprop.step` and `Adam.step`. Each class's docstring gives the update that `torch.optim`
# computes for it, as the pseudo-code of the `torch.optim.Adagrad`, `torch.optim.RMSprop` and `torch.optim.Adam`
# documentation pages does; the module's docstring gives the rules the grader checks: eps after the square root, weight
# decay added to the gradient, every hyperparameter read from the parameter's group, the state in `self.state[p]`, and a
# parameter whose `.grad` is None left alone in that step. The cell after the test cells runs your classes and
# `torch.optim`'s for 300 steps on the same problem and prints the largest difference.
#
# **FR —** Complétez `Adagrad.step`, `RMSprop.step` et `Adam.step`. La docstring de chaque classe donne la mise à
# jour que `torch.optim` calcule pour elle, comme le pseudo-code des pages de documentation de `torch.optim.Adagrad`,
# `torch.optim.RMSprop` et `torch.optim.Adam` ; la docstring du module donne les règles que vérifie le
# correcteur : eps après la racine carrée, *weight decay* ajouté au gradient, chaque hyperparamètre lu dans le groupe
# du paramètre, l'état dans `self.state[p]`, et un paramètre dont le `.grad` vaut None laissé intact à ce pas. La
# cellule qui suit les cellules de test fait tourner vos classes et celles de `torch.optim` pendant 300 pas sur le
# même problème et affiche le plus grand écart.

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
    return max(float((a - b).detach().abs().max()) for a, b in zip(ours, theirs))


# %% check="adagrad"

# %% check="rmsprop"

# %% check="adam"

# %%
for name, kwargs in [("Adagrad", dict(lr=0.05)), ("RMSprop", dict(lr=0.01)), ("Adam", dict(lr=0.01)),
                     ("Adam", dict(lr=0.01, weight_decay=0.1))]:
    print(f"{name:<8} {kwargs}: max |ours / le nôtre - torch.optim| after / après 300 steps / pas = {compare_with_torch(name, **kwargs):.2e}")

# %% [markdown]
# ## Experiment 1 — the effective step when the gradient scale changes / Expérience 1 — le pas effectif quand l'échelle du gradient change
#
# One parameter, a gradient of 10 for 100 steps, then 0.1 for 400 steps, all with the same learning rate 0.1. The
# *effective step size* is $|\Delta p| / |g|$, the learning rate the optimizer really applies to this gradient.
# Adagrad runs with its other defaults, RMSprop twice: with $\alpha = 0.9$ and with its default $\alpha = 0.99$.
#
# **FR —** Un seul paramètre, un gradient de 10 pendant 100 pas, puis de 0,1 pendant 400 pas, toujours avec le même pas
# d'apprentissage 0,1. Le *pas effectif* est $|\Delta p| / |g|$, le pas d'apprentissage que l'optimiseur applique
# réellement à ce gradient. Adagrad tourne avec ses autres valeurs par défaut, RMSprop deux fois : avec $\alpha = 0{,}9$
# et avec sa valeur par défaut $\alpha = 0{,}99$.

# %%
def positions(opt_class, grads, **kwargs) -> torch.Tensor:
    """The parameter after each step (the first entry is the start) when the loss is g * p, so its gradient is g."""
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = opt_class([p], **kwargs)
    out = [p.detach().clone()]
    for g in grads:
        opt.zero_grad()
        (g * p).sum().backward()
        opt.step()
        out.append(p.detach().clone())
    return torch.cat(out)


def effective_steps(opt_class, grads, **kwargs) -> list[float]:
    return (positions(opt_class, grads, **kwargs).diff().abs() / torch.tensor(grads).abs()).tolist()


grads = [10.0] * 100 + [0.1] * 400
eff = {"Adagrad": effective_steps(lab.Adagrad, grads, lr=0.1),
       "RMSprop, alpha 0.9": effective_steps(lab.RMSprop, grads, lr=0.1, alpha=0.9),
       "RMSprop, alpha 0.99": effective_steps(lab.RMSprop, grads, lr=0.1, alpha=0.99)}
for name, e in eff.items():
    print(f"{name:<20} effective step / pas effectif at / en t=1: {e[0]:.2e}, t=100: {e[99]:.2e}, t=101: {e[100]:.2e}, "
          f"t=200: {e[199]:.2e}, t=500: {e[499]:.2e}")
print({"step_200/rmsprop_alpha_0.9_over_adagrad": round(eff["RMSprop, alpha 0.9"][199] / eff["Adagrad"][199], 1)})
fig_steps = plotting.line_plot(eff, xlabel="step / pas", ylabel="|dp| / |g|", logy=True,
                               title="Gradient 10, then 0.1 from step 101 (lr 0.1) / puis 0,1 dès le pas 101")
plt.show()

# %% [markdown]
# **Look at the curves.** What does each optimizer do with its effective step before step 100 and after the gradient
# shrinks? Which quantity kept in its state explains it, and what does $\alpha$ change? What would happen to each over
# a long training run whose gradients change scale? Use this in answer 3(a).
#
# **FR —** **Observez les courbes.** Comment le pas effectif de chaque optimiseur évolue-t-il avant le pas 100, puis
# après la baisse du gradient ? Quelle quantité conservée dans son état l'explique, et que change $\alpha$ ? Que se passerait-il
# pour chacun au cours d'un long entraînement dont les gradients changent d'échelle ? Servez-vous-en dans la
# réponse 3(a).

# %% [markdown]
# ## Experiment 2 — RMSprop and Adam on the same gradients / Expérience 2 — RMSprop et Adam sur les mêmes gradients
#
# Three optimizers with the same learning rate 0.01: RMSprop with $\alpha = 0.999$, Adam with its default
# $\beta = (0.9, 0.999)$, and Adam with $\beta_1 = 0$, i.e. $(0, 0.999)$. First a constant gradient $g = 1$ for 30
# steps: the step size $|\Delta p|$ divided by the learning rate. Then a noisy gradient, $g_t = 0.1 + \xi_t$ with
# $\xi_t \sim \mathcal{N}(0, 1)$, for 1,000 steps: the loss decreases in the $-p$ direction; *progress* is how far
# $p$ went that way, *path length* the sum of all $|\Delta p|$.
#
# **FR —** Trois optimiseurs avec le même pas d'apprentissage 0,01 : RMSprop avec $\alpha = 0{,}999$, Adam avec sa valeur
# par défaut $\beta = (0{,}9\,;\ 0{,}999)$, et Adam avec $\beta_1 = 0$, c'est-à-dire $(0\,;\ 0{,}999)$. D'abord un gradient constant
# $g = 1$ pendant 30 pas : la taille du pas $|\Delta p|$ divisée par le pas d'apprentissage. Puis un gradient bruité,
# $g_t = 0{,}1 + \xi_t$ avec $\xi_t \sim \mathcal{N}(0, 1)$, pendant 1 000 pas : le coût diminue dans la direction $-p$ ;
# le *progrès* est la distance parcourue par $p$ dans cette direction, la *longueur du chemin* la somme de tous les
# $|\Delta p|$.

# %%
lr = 0.01
CONTENDERS = {"RMSprop, alpha 0.999": (lab.RMSprop, dict(lr=lr, alpha=0.999)),
              "Adam, betas=(0.9, 0.999)": (lab.Adam, dict(lr=lr, betas=(0.9, 0.999))),
              "Adam, betas=(0, 0.999)": (lab.Adam, dict(lr=lr, betas=(0.0, 0.999)))}
first_steps = {name: [s / lr for s in effective_steps(cls, [1.0] * 30, **kw)]
               for name, (cls, kw) in CONTENDERS.items()}
for name, steps_over_lr in first_steps.items():
    print(f"{name:<26} |dp| / lr at steps / aux pas 1-5: {[round(s, 3) for s in steps_over_lr[:5]]}, "
          f"step / pas 30: {steps_over_lr[-1]:.3f}")
print({"step_1/rmsprop_over_adam": round(first_steps["RMSprop, alpha 0.999"][0]
                                         / first_steps["Adam, betas=(0.9, 0.999)"][0], 2)})
fig_first = plotting.line_plot(first_steps, xlabel="step / pas", ylabel="|dp| / lr", logy=True,
                               title="Constant gradient 1 / gradient constant 1")
plt.show()

noise = torch.Generator().manual_seed(0)
noisy_grads = (0.1 + torch.randn(1000, generator=noise, dtype=torch.float64)).tolist()
paths = {name: positions(cls, noisy_grads, **kw) for name, (cls, kw) in CONTENDERS.items()}
for name, path in paths.items():
    print(f"{name:<26} progress / progrès {float(path[0] - path[-1]):.3f}, path length / longueur du chemin {float(path.diff().abs().sum()):.3f}")
fig_noisy = plotting.line_plot({name: path.tolist() for name, path in paths.items()}, xlabel="step / pas", ylabel="p",
                               title="Noisy gradient, mean 0.1, std 1 / gradient bruité, moyenne 0,1, écart type 1")
plt.show()

# %% [markdown]
# **Look at both measurements.** Which optimizer's first steps are far from the learning rate, and what are its
# state variables worth after one step? Which pair differs in the first measurement and which in the second, and what
# in the update rules accounts for each difference? Use this in answer 3(b).
#
# **FR —** **Observez les deux mesures.** Quel optimiseur fait des premiers pas qui s'écartent du pas d'apprentissage,
# et que valent ses variables d'état après un pas ? Quelle paire diffère dans la première mesure, laquelle dans la
# seconde, et qu'est-ce qui, dans les règles de mise à jour, explique chaque différence ? Servez-vous-en dans la
# réponse 3(b).

# %% [markdown]
# ## Task 3.4 — trajectories on 2-D functions / Tâche 3.4 — trajectoires sur des fonctions à deux variables
#
# Fill in `trajectory`. The cell after the test then runs SGD and your three optimizers from the same start on the
# Rosenbrock function and on an ill-conditioned quadratic, each with a learning rate that suits it; the legend gives
# each one's final loss.
#
# **FR —** Complétez `trajectory`. La cellule qui suit le test fait ensuite tourner SGD et vos trois optimiseurs
# depuis le même point de départ sur la fonction de Rosenbrock et sur une quadratique mal conditionnée, chacun avec un
# pas d'apprentissage qui lui convient ; la légende donne le coût final de chacun.

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
    "ill-conditioned quadratic / quadratique mal conditionnée": (lab.ill_conditioned_quadratic, torch.tensor([-2.0, 1.0]),
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
        ax.plot(path[:, 0], path[:, 1], label=f"{name} (final loss / coût final {float(fn(path[-1])):.2e})", lw=1.2)
    ax.set(title=title, xlim=(x_lo, x_hi), ylim=(y_lo, y_hi))
    ax.legend(fontsize=7)
fig_paths.tight_layout()
plt.show()
training.log_figures("lab03_optimizers", f"experiments-{PROFILE}",
                     {"effective_step": fig_steps, "first_steps": fig_first, "noisy_gradient": fig_noisy,
                      "trajectories": fig_paths})

# %% [markdown]
# ## Experiment 3 — one classifier, four optimizers / Expérience 3 — un classifieur, quatre optimiseurs
#
# The same MLP on the 8×8 digits trained with SGD and the three optimizers of this lab, each with a learning rate
# that suits it; validation accuracy per epoch side by side.
#
# **FR —** Le même MLP sur les chiffres 8×8, entraîné avec SGD et les trois optimiseurs de ce lab, chacun avec un pas
# d'apprentissage qui lui convient ; l'exactitude de validation à chaque époque, côte à côte.

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
fig = plotting.line_plot(curves, xlabel="epoch / époque",
                         ylabel="validation accuracy / exactitude en validation",
                         title="MLP on 8x8 digits / MLP sur les chiffres 8x8")
plt.show()

# %% [markdown] answer="answer_3a"
# **Answer 3(a).** Compare and contrast Adagrad and RMSprop: what they share, how they differ, and what follows from
# the difference. Use what Experiment 1 measured.
#
# **FR —** **Réponse 3(a).** Comparez et contrastez Adagrad et RMSprop : ce qu'ils ont en commun, en quoi ils
# diffèrent, et ce qui découle de cette différence. Appuyez-vous sur ce que l'expérience 1 a mesuré.
#
# ### BEGIN SOLUTION
# Both divide each coordinate's gradient by the root of an estimate of its squared gradients, so rarely-updated or
# small-gradient coordinates get larger steps (per-parameter adaptive learning rates), with eps added after the
# square root. **Adagrad** accumulates the **sum** of all past squared gradients, $s_t = \sum_{k \le t} g_k^2$: the
# effective step $\eta/\sqrt{s_t}$ only decreases and never recovers (good for sparse, convex problems; training can
# stall in deep nets — Experiment 1: after the gradient drops to 0.1 Adagrad's effective step stays at its low value).
# **RMSprop** replaces the sum by an **exponential moving average** $v_t = \alpha v_{t-1} + (1-\alpha) g_t^2$, so it
# forgets old gradients (memory of about $1/(1-\alpha)$ steps): the step adapts to the recent gradient scale and
# recovers when gradients shrink (Experiment 1: within about a hundred steps for $\alpha = 0.9$, while with 0.99 it
# is still rising at step 500), which suits non-stationary, non-convex objectives.
#
# *Rubric (2 pts):* shared idea: per-parameter scaling by accumulated squared gradients (0.5); sum vs exponential
# moving average (1); consequence: monotonically decaying step vs recovering step (0.5).
# ### END SOLUTION

# %% [markdown] answer="answer_3b"
# **Answer 3(b).** Compare and contrast RMSprop and Adam: what they share, how they differ, and what each difference
# does. Use what Experiment 2 measured.
#
# **FR —** **Réponse 3(b).** Comparez et contrastez RMSprop et Adam : ce qu'ils ont en commun, en quoi ils
# diffèrent, et l'effet de chaque différence. Appuyez-vous sur ce que l'expérience 2 a mesuré.
#
# ### BEGIN SOLUTION
# Adam keeps RMSprop's moving average of squared gradients (its second moment, $\beta_2$ playing $\alpha$'s role) and
# adds a moving average of the gradients themselves, the **first-moment estimate** $m_t$ ($\beta_1$, a momentum),
# which it uses instead of the raw gradient in the numerator: noise in the gradient averages out (Experiment 2: with
# $\beta_1 = 0.9$ the path length under noisy gradients is a fraction of the $\beta_1 = 0$ one for similar progress).
# Both averages start at zero and are biased towards it early on, so Adam applies **bias correction**
# $\hat m_t = m_t/(1-\beta_1^t)$, $\hat v_t = v_t/(1-\beta_2^t)$; RMSprop has none, so with a long memory its first
# steps are too large (Experiment 2: about $\sqrt{1/(1-\alpha)} \approx 31.6$ learning rates at step 1 for
# $\alpha = 0.999$, against exactly one for Adam). Plain RMSprop has no momentum (unless added separately) and no bias
# correction.
#
# *Rubric (2 pts):* both use the EMA of squared gradients (0.5); Adam's first moment / momentum (0.75); bias
# correction and why (0.75).
# ### END SOLUTION
