# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lab 1 — Convolutional neural nets: feature-map sizes, receptive fields, padding / Lab 1 — Réseaux de neurones convolutifs : tailles des cartes, champs récepteurs, padding
#
# **Exam question 1 (10 points).** Consider a CNN with 6 layers applied to an input image of size 256×256. For each
# layer we perform convolutions with kernels of size 5×5, a 2×2 zero-padding and a stride of 1.
#
# - (a) What are the dimensions of the feature maps for each layer?
# - (b) What is the effective receptive field for the neurons in the 6th layer (i.e. what dimensions of the input
#   does a middle neuron in the feature map "see")?
# - (c) How much zero-padding would you require to make this a "full" convolution?
# - (d) How much zero-padding would you require to make this a "valid" convolution?
# - (e) How much zero-padding would you require to make this a "same" convolution?
#
# **How this lab works.** Fill in the functions of `lab01_cnn.py` that raise `NotImplementedError` (Tasks 1.1–1.6).
# Tasks 1.1–1.4 are formulas: a method rule reads your source and refuses torch, lightning and torchmetrics in them
# (no layer run to read a size). Each test cell below runs the public cases; more cases are graded after you submit.
# Answer the written questions in the cells marked *YOUR ANSWER HERE*, showing your work as the exam asks.
#
# **FR —** **Question 1 de l'examen (10 points).** Considérez un CNN à six couches appliqué à une image de taille
# 256×256. Pour chacune des couches, nous performons des convolutions avec des noyaux de taille 5×5, un zéro padding
# de 2×2 et un 'stride' de 1.
#
# - (a) Quelles sont les dimensions des *features maps* pour chacune des couches ?
# - (b) Quel est le *effective receptive field* pour les neurones de la sixième couche (i.e. quelles sont les
#   dimensions de l'image d'entrée qu'un neurone peut "voir") ?
# - (c) Combien de zéro padding auriez-vous besoin pour effectuer une *full convolution* ?
# - (d) De combien de zéro padding auriez-vous besoin pour effectuer une *valid convolution* ?
# - (e) Combien de zéro padding auriez-vous besoin pour effectuer une *same convolution* ?
#
# **Comment fonctionne ce lab.** Complétez les fonctions de `lab01_cnn.py` qui lèvent `NotImplementedError`
# (tâches 1.1 à 1.6). Les tâches 1.1 à 1.4 sont des formules : une règle de méthode lit votre code source et y refuse
# torch, lightning et torchmetrics (aucune couche exécutée pour lire une taille). Chaque cellule de test ci-dessous
# exécute les cas publics ; d'autres cas sont notés après la remise. Répondez aux questions écrites dans les cellules
# marquées *YOUR ANSWER HERE*, en montrant votre démarche comme le demande l'examen.

# %%
# %load_ext autoreload
# %autoreload 2
import time

import matplotlib.pyplot as plt
import torch
from torch import nn

import lab01_cnn as lab
from labkit import plotting, training
from labkit.data import DigitsDataModule

training.seed_everything(0)
PROFILE = training.profile()  # "cpu" on a laptop, "gpu" on a GPU node, "grading" in the autograder
print("profile / profil:", PROFILE)

# %% [markdown]
# ## Task 1.1 — the size of one convolution's output / Tâche 1.1 — la taille de la sortie d'une convolution
#
# A kernel of side $k$ with dilation $d$ spans $d(k-1)+1$ pixels; with padding $p$ and stride $s$ on an input of side
# $n$ the output has side $\lfloor (n + 2p - d(k-1) - 1) / s \rfloor + 1$, provided the kernel's extent fits in the
# padded input.
#
# **FR —** Un noyau de côté $k$ et de dilatation $d$ couvre $d(k-1)+1$ pixels ; avec un padding $p$ et un pas
# (*stride*) $s$ sur une entrée de côté $n$, la sortie a pour côté $\lfloor (n + 2p - d(k-1) - 1) / s \rfloor + 1$,
# à condition que l'étendue du noyau tienne dans l'entrée complétée par le padding.

# %%
lab.conv_output_size(256, kernel=5, padding=2)

# %% check="conv_output_size"

# %% [markdown]
# ## Task 1.2 — question (a): the feature map of every layer / Tâche 1.2 — question (a) : la carte de chaque couche

# %%
lab.feature_map_sizes(256, n_layers=6, kernel=5, padding=2)

# %% check="feature_map_sizes"

# %% [markdown] answer="answer_1a"
# **(a)** Write the feature-map dimensions of each of the six layers and show the computation.
#
# **FR —** **(a)** Donnez les dimensions des cartes de caractéristiques de chacune des six couches et montrez le
# calcul.
#
# ### BEGIN SOLUTION
# Each layer maps $n \mapsto \lfloor (n + 2p - k)/s \rfloor + 1 = \lfloor (256 + 4 - 5)/1 \rfloor + 1 = 256$, so
# every one of the six feature maps is 256×256 (times the number of channels of that layer).
#
# *Rubric (1 pt):* formula with padding and stride (0.5), 256×256 for all six layers (0.5).
# ### END SOLUTION

# %% [markdown]
# ## Task 1.3 — question (b): the receptive field / Tâche 1.3 — question (b) : le champ récepteur
#
# Question (b) calls the region of the input that a neuron "sees" its *effective receptive field*: every input pixel
# joined to that neuron by some path through the layers. This lab keeps the exam's meaning and says *receptive field*
# for short; `receptive_field` returns the side of that region. Each layer adds $d(k-1)$ times the *jump* (the
# product of the strides before it) to the field of view.
#
# **FR —** La question (b) appelle *effective receptive field* (champ récepteur effectif) la région de l'entrée que
# « voit » un neurone : tous les pixels de l'entrée reliés à ce neurone par un chemin à travers les couches. Ce lab
# garde le sens de l'examen et dit *champ récepteur* pour faire court ; `receptive_field` renvoie le côté de cette
# région. Chaque couche ajoute au champ de vision $d(k-1)$ fois le *saut* (*jump*, le produit des pas des couches
# précédentes).

# %%
lab.receptive_field(n_layers=6, kernel=5)

# %% check="receptive_field"

# %% [markdown] answer="answer_1b"
# **(b)** What is the effective receptive field of a middle neuron of the 6th layer? Show the recursion.
#
# **FR —** **(b)** Quel est le champ récepteur effectif d'un neurone du milieu de la sixième couche ? Montrez la
# récurrence.
#
# ### BEGIN SOLUTION
# With stride 1 every layer widens the field by $k - 1 = 4$: $r_\ell = r_{\ell-1} + 4$, $r_0 = 1$, so
# $r_6 = 1 + 6 \cdot 4 = 25$: a 25×25 region of the input. Padding does not change it (it only adds zeros).
#
# *Rubric (1 pt):* recursion or formula (0.5), 25×25 (0.5).
# ### END SOLUTION

# %% [markdown]
# ## Task 1.4 — questions (c)–(e): full, valid and same padding / Tâche 1.4 — questions (c) à (e) : padding full, valid et same

# %%
{mode: lab.padding_for(mode, 5) for mode in lab.MODES}

# %% check="padding_for"

# %% [markdown]
# The three paddings layer by layer on the exam's network:
#
# **FR —** Les trois paddings, couche par couche, sur le réseau de l'examen :

# %%
sizes = {mode: lab.feature_map_sizes(256, 6, 5, lab.padding_for(mode, 5)) for mode in lab.MODES}
for mode, row in sizes.items():
    print(f"{mode:>5} (padding {lab.padding_for(mode, 5)}):", row)
fig = plotting.line_plot(sizes, xlabel="layer / couche",
                         ylabel="feature-map side / côté de la carte",
                         title="5x5 convolutions, stride 1 / convolutions 5x5, pas 1")
plt.show()

# %% [markdown] answer="answer_1c"
# **(c)** Zero-padding for a *full* convolution, with the resulting sizes.
#
# **FR —** **(c)** Le zéro padding d'une convolution *full*, avec les tailles obtenues.
#
# ### BEGIN SOLUTION
# Full: every position where kernel and input overlap by at least one pixel, so $p = k - 1 = 4$. Each layer grows the
# map by $k - 1 = 4$: 260, 264, 268, 272, 276, 280.
#
# *Rubric (1 pt):* $p = k - 1 = 4$ (0.5), growth by 4 per layer (0.5).
# ### END SOLUTION

# %% [markdown] answer="answer_1d"
# **(d)** Zero-padding for a *valid* convolution, with the resulting sizes.
#
# **FR —** **(d)** Le zéro padding d'une convolution *valid*, avec les tailles obtenues.
#
# ### BEGIN SOLUTION
# Valid: only positions where the kernel lies entirely inside the input, so $p = 0$. Each layer shrinks the map by 4:
# 252, 248, 244, 240, 236, 232.
#
# *Rubric (1 pt):* $p = 0$ (0.5), shrinking by 4 per layer (0.5).
# ### END SOLUTION

# %% [markdown] answer="answer_1e"
# **(e)** Zero-padding for a *same* convolution.
#
# **FR —** **(e)** Le zéro padding d'une convolution *same*.
#
# ### BEGIN SOLUTION
# Same: output side equals input side, $n + 2p - k + 1 = n$, so $p = (k - 1)/2 = 2$ — the exam's 2×2 padding is
# already "same", which is why (a) gives 256 everywhere. For an even kernel no symmetric padding works.
#
# *Rubric (1 pt):* $p = (k-1)/2 = 2$ (0.5), remark that the exam's network is already "same" (0.5).
# ### END SOLUTION

# %% [markdown]
# ## Task 1.5 — measuring the receptive field with autograd / Tâche 1.5 — mesurer le champ récepteur avec autograd
#
# The formula of Task 1.3 can be checked empirically: back-propagate from the centre unit of the last feature map to
# the input and look where the gradient is non-zero. Beware of ReLUs that happen to be inactive: the measurement
# must describe the architecture, not one set of weights.
#
# **FR —** La formule de la tâche 1.3 se vérifie par l'expérience : rétropropagez depuis l'unité centrale de la
# dernière carte jusqu'à l'entrée et regardez où le gradient est non nul. Attention aux ReLU qui se trouvent
# inactives : la mesure doit décrire l'architecture, pas un jeu de poids particulier.

# %% check="measured_receptive_field"

# %%
def stack(n_layers: int, channels: int = 1) -> nn.Module:
    """n_layers of 5x5 convolutions, padding 2, stride 1, each followed by a ReLU (PyTorch's default init)."""
    layers, c_in = [], 1
    for _ in range(n_layers):
        layers += [nn.Conv2d(c_in, channels, kernel_size=5, padding=2), nn.ReLU()]
        c_in = channels
    return nn.Sequential(*layers)


depths = list(range(1, 7))
measured = [lab.measured_receptive_field(stack(n), 64) for n in depths]
formula = [lab.receptive_field(n, 5) for n in depths]
print("measured / mesuré :", measured)
print("formula / formule :", formula)
print({"receptive_field/six_layers_measured": measured[-1]})
fig = plotting.line_plot({"measured (autograd) / mesuré": measured, "formula / formule": formula}, x=depths,
                         xlabel="layers / couches", ylabel="receptive field side / côté du champ récepteur",
                         title="Receptive field of 5x5 convolutions / champ récepteur des convolutions 5x5")
plt.show()

# %% [markdown]
# ### Inside the receptive field: the gradient-weighted footprint / Dans le champ récepteur : l'empreinte pondérée par le gradient
#
# Every pixel of the receptive field influences the centre unit, but not necessarily equally. Luo et al. (2016,
# *Understanding the Effective Receptive Field in Deep Convolutional Neural Networks*) study how the gradient
# $|\partial\, \text{unit} / \partial\, \text{input}|$ is spread over that region, and name that distribution the
# "effective receptive field": a different thing from question (b)'s. Here it is the **gradient-weighted footprint**,
# and its size is measured as the side of the smallest square centred on the unit that holds 95% of the gradient
# mass. The cell measures the support of the gradient (where it is non-zero) and the footprint, at every depth, for
# two networks: uniform weights with a positive input (every ReLU active), and the average of
# $|\partial\, \text{unit} / \partial\, \text{input}|$ over randomly initialised 8-channel stacks fed Gaussian noise.
#
# **FR —** Chaque pixel du champ récepteur influence l'unité centrale, mais pas forcément autant. Luo et al. (2016,
# *Understanding the Effective Receptive Field in Deep Convolutional Neural Networks*) étudient comment le gradient
# $|\partial\, \text{unité} / \partial\, \text{entrée}|$ se répartit sur cette région et appellent cette répartition
# « effective receptive field » : autre chose que celui de la question (b). Ici, c'est l'**empreinte pondérée par le
# gradient**, et sa taille se mesure par le côté du plus petit carré centré sur l'unité qui contient 95 % de la masse
# du gradient. La cellule mesure le support du gradient (là où il est non nul) et l'empreinte, à chaque profondeur,
# pour deux réseaux : des poids uniformes avec une entrée positive (toutes les ReLU actives), et la moyenne de
# $|\partial\, \text{unité} / \partial\, \text{entrée}|$ sur des empilements de 8 canaux initialisés au hasard,
# alimentés par du bruit gaussien.

# %%
SIDE, MASS = 64, 0.95
N_RANDOM = {"cpu": 16, "gpu": 64, "grading": 2}[PROFILE]  # random stacks averaged per depth


def centre_gradient(net: nn.Module, uniform: bool) -> torch.Tensor:
    """|d (centre unit of the last layer, summed over channels) / d input|, a (SIDE, SIDE) map."""
    net = net.double()
    if uniform:
        with torch.no_grad():
            for m in net.modules():
                if isinstance(m, nn.Conv2d):
                    m.weight.fill_(1 / m.weight[0].numel())
                    m.bias.zero_()
    x = (torch.ones if uniform else torch.randn)(1, 1, SIDE, SIDE, dtype=torch.float64, requires_grad=True)
    net(x)[0, :, SIDE // 2, SIDE // 2].sum().backward()
    return x.grad[0, 0].abs()


def support_side(g: torch.Tensor) -> int:
    rows = (g.sum(dim=1) > 0).nonzero()
    return int(rows.max() - rows.min() + 1)


def footprint_side(g: torch.Tensor, mass: float = MASS) -> int:
    """Side of the smallest square centred on the unit that holds `mass` of the gradient's total."""
    c, total = SIDE // 2, g.sum()
    return next(2 * r + 1 for r in range(c + 1) if g[c - r:c + r + 1, c - r:c + r + 1].sum() >= mass * total)


torch.manual_seed(0)
grads = {"uniform": [centre_gradient(stack(n), uniform=True) for n in depths],
         "random": [torch.stack([centre_gradient(stack(n, 8), uniform=False) for _ in range(N_RANDOM)]).mean(0)
                    for n in depths]}
KINDS = {"uniform": ("uniform weights", "poids uniformes"), "random": ("random weights", "poids aléatoires")}
sides = {"support, uniform weights / support, poids uniformes": [support_side(g) for g in grads["uniform"]]}
sides |= {f"{MASS:.0%} footprint, {KINDS[kind][0]} / empreinte à {MASS * 100:.0f} %, {KINDS[kind][1]}":
          [footprint_side(g) for g in grads[kind]] for kind in grads}
for name, row in sides.items():
    print(f"{name:>58}:", row)
fig = plotting.line_plot(sides, x=depths, xlabel="layers / couches",
                         ylabel="side (input pixels) / côté (pixels d'entrée)",
                         title="Support of the gradient and its 95% footprint / support du gradient et son empreinte à 95 %")
plt.show()
c, half = SIDE // 2, next(iter(sides.values()))[-1] // 2 + 2  # the six-layer support and a 2-pixel margin
for kind, maps in grads.items():
    fig = plotting.heatmap(maps[-1][c - half:c + half + 1, c - half:c + half + 1],
                           title=f"|d unit(6, centre) / d input|, {' / '.join(KINDS[kind])}")
    plt.show()

# %% [markdown]
# How does each curve grow with depth, and what does that say about how much of the receptive field a deep unit
# really uses? (Not graded.)
#
# **FR —** Comment chaque courbe croît-elle avec la profondeur, et qu'est-ce que cela dit de la part du champ
# récepteur qu'une unité profonde utilise vraiment ? (Non noté.)

# %% [markdown]
# ## Task 1.6 — the exam's network, trained on digits / Tâche 1.6 — le réseau de l'examen, entraîné sur des chiffres
#
# `ExamCNN` stacks the six 5×5 / padding 2 / stride 1 convolutions and adds a classification head. The check judges
# the geometry (output shapes, kernels, strides, zeros added per side), not how you spell the `padding` argument.
# The CPU profile upsamples scikit-learn's 8×8 digits to 32×32 and trains a narrow network
# for a few epochs; the GPU profile trains at the exam's 256×256 with bf16 mixed precision and channels-last memory.
# The training cell prints how long it took.
#
# **FR —** `ExamCNN` empile les six convolutions 5×5 / padding 2 / pas 1 et ajoute une tête de classification. Le test
# juge la géométrie (formes des sorties, noyaux, pas, zéros ajoutés de chaque côté), pas la façon d'écrire l'argument
# `padding`. Le profil CPU agrandit les chiffres 8×8 de scikit-learn en
# 32×32 et entraîne un réseau étroit pendant quelques époques ; le profil GPU entraîne le réseau à la taille 256×256 de
# l'examen, en précision mixte bf16 et en mémoire *channels-last*. La cellule d'entraînement affiche sa durée.

# %% check="exam_cnn"

# %%
PROFILES = {
    "cpu": dict(image_size=32, width=16, batch_size=64, max_epochs=4, precision="32-true", channels_last=False),
    "gpu": dict(image_size=256, width=64, batch_size=64, max_epochs=5, precision="bf16-mixed", channels_last=True),
    "grading": dict(image_size=16, width=4, batch_size=64, max_epochs=1, precision="32-true", channels_last=False,
                    limit=256),
}
cfg = PROFILES[PROFILE]
data = DigitsDataModule(image_size=cfg["image_size"], batch_size=cfg["batch_size"], limit=cfg.get("limit"))
model = lab.ExamCNN(width=cfg["width"], channels_last=cfg["channels_last"])
with torch.no_grad():
    shapes = [tuple(m.shape[1:]) for m in model.feature_maps(torch.zeros(1, 1, cfg["image_size"], cfg["image_size"]))]
print("feature maps (channels, height, width) / cartes (canaux, hauteur, largeur) :", shapes)
trainer = training.make_trainer("lab01_cnn", run_name=f"exam-cnn-{PROFILE}", config=cfg,
                                max_epochs=cfg["max_epochs"], precision=cfg["precision"])
start = time.perf_counter()
trainer.fit(model, datamodule=data)
print(f"trained in / entraîné en {time.perf_counter() - start:.0f} s")
print({k: round(float(v), 3) for k, v in trainer.callback_metrics.items()})
training.finish(trainer)
