# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lab 1 — Convolutional neural nets: feature-map sizes, receptive fields, padding
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
# **[FRANÇAIS]** Considérez un CNN à six couches appliqué à une image de taille 256×256. Pour chacune des couches,
# nous performons des convolutions avec des noyaux de taille 5×5, un zéro padding de 2×2 et un 'stride' de 1.
#
# - (a) Quelles sont les dimensions des *features maps* pour chacune des couches ?
# - (b) Quel est le *effective receptive field* pour les neurones de la sixième couche (i.e. quelles sont les
#   dimensions de l'image d'entrée qu'un neurone peut "voir") ?
# - (c) Combien de zéro padding auriez-vous besoin pour effectuer une *full convolution* ?
# - (d) De combien de zéro padding auriez-vous besoin pour effectuer une *valid convolution* ?
# - (e) Combien de zéro padding auriez-vous besoin pour effectuer une *same convolution* ?
#
# **How this lab works.** Fill in the functions of `lab01_cnn.py` that raise `NotImplementedError` (Tasks 1.1–1.6).
# Each test cell below runs the public cases; more cases are graded after you submit. Answer the written questions
# in the cells marked *YOUR ANSWER HERE*, showing your work as the exam asks.

# %%
# %load_ext autoreload
# %autoreload 2
import matplotlib.pyplot as plt
import torch

import lab01_cnn as lab
from labkit import plotting, training
from labkit.data import DigitsDataModule

training.seed_everything(0)
PROFILE = training.profile()  # "cpu" on a laptop, "gpu" on a GPU node, "grading" in the autograder
print("profile:", PROFILE)

# %% [markdown]
# ## Task 1.1 — the size of one convolution's output
#
# A kernel of side $k$ with dilation $d$ spans $d(k-1)+1$ pixels; with padding $p$ and stride $s$ on an input of side
# $n$ the output has side $\lfloor (n + 2p - d(k-1) - 1) / s \rfloor + 1$.

# %%
lab.conv_output_size(256, kernel=5, padding=2)

# %% check="conv_output_size"

# %% [markdown]
# ## Task 1.2 — question (a): the feature map of every layer

# %%
lab.feature_map_sizes(256, n_layers=6, kernel=5, padding=2)

# %% check="feature_map_sizes"

# %% [markdown] answer="answer_1a"
# **(a)** Write the feature-map dimensions of each of the six layers and show the computation.
#
# ### BEGIN SOLUTION
# Each layer maps $n \mapsto (n + 2p - k)/s + 1 = (256 + 4 - 5)/1 + 1 = 256$, so every one of the six feature maps is
# 256×256 (times the number of channels of that layer).
#
# *Rubric (1 pt):* formula with padding and stride (0.5), 256×256 for all six layers (0.5).
# ### END SOLUTION

# %% [markdown]
# ## Task 1.3 — question (b): the receptive field
#
# Each layer adds $d(k-1)$ times the *jump* (the product of the strides before it) to the field of view.

# %%
lab.receptive_field(n_layers=6, kernel=5)

# %% check="receptive_field"

# %% [markdown] answer="answer_1b"
# **(b)** What does a middle neuron of the 6th layer see? Show the recursion.
#
# ### BEGIN SOLUTION
# With stride 1 every layer widens the field by $k - 1 = 4$: $r_\ell = r_{\ell-1} + 4$, $r_0 = 1$, so
# $r_6 = 1 + 6 \cdot 4 = 25$: a 25×25 region of the input. Padding does not change it (it only adds zeros).
#
# *Rubric (1 pt):* recursion or formula (0.5), 25×25 (0.5).
# ### END SOLUTION

# %% [markdown]
# ## Task 1.4 — questions (c)–(e): full, valid and same padding

# %%
{mode: lab.padding_for(mode, 5) for mode in lab.MODES}

# %% check="padding_for"

# %% [markdown]
# The three paddings layer by layer on the exam's network:

# %%
sizes = {mode: lab.feature_map_sizes(256, 6, 5, lab.padding_for(mode, 5)) for mode in lab.MODES}
for mode, row in sizes.items():
    print(f"{mode:>5} (padding {lab.padding_for(mode, 5)}):", row)
fig = plotting.line_plot(sizes, xlabel="layer", ylabel="feature-map side", title="5x5 convolutions, stride 1")
plt.show()

# %% [markdown] answer="answer_1c"
# **(c)** Zero-padding for a *full* convolution, with the resulting sizes.
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
# ### BEGIN SOLUTION
# Valid: only positions where the kernel lies entirely inside the input, so $p = 0$. Each layer shrinks the map by 4:
# 252, 248, 244, 240, 236, 232.
#
# *Rubric (1 pt):* $p = 0$ (0.5), shrinking by 4 per layer (0.5).
# ### END SOLUTION

# %% [markdown] answer="answer_1e"
# **(e)** Zero-padding for a *same* convolution.
#
# ### BEGIN SOLUTION
# Same: output side equals input side, $n + 2p - k + 1 = n$, so $p = (k - 1)/2 = 2$ — the exam's 2×2 padding is
# already "same", which is why (a) gives 256 everywhere. For an even kernel no symmetric padding works.
#
# *Rubric (1 pt):* $p = (k-1)/2 = 2$ (0.5), remark that the exam's network is already "same" (0.5).
# ### END SOLUTION

# %% [markdown]
# ## Task 1.5 — measuring the receptive field with autograd
#
# The formula of Task 1.3 can be checked empirically: back-propagate from the centre unit of the last feature map to
# the input and look where the gradient is non-zero. Beware of ReLUs that happen to be inactive: the measurement
# must describe the architecture, not one set of weights.

# %% check="measured_receptive_field"

# %%
from torch import nn


def stack(n_layers: int) -> nn.Module:
    layers = []
    for _ in range(n_layers):
        layers += [nn.Conv2d(1, 1, kernel_size=5, padding=2), nn.ReLU()]
    return nn.Sequential(*layers)


depths = list(range(1, 7))
measured = [lab.measured_receptive_field(stack(n), 64) for n in depths]
formula = [lab.receptive_field(n, 5) for n in depths]
print("measured:", measured)
print("formula: ", formula)
fig = plotting.line_plot({"measured (autograd)": measured, "formula": formula}, x=depths, xlabel="layers",
                         ylabel="receptive field side", title="Receptive field of 5x5 convolutions")
plt.show()

# %% [markdown]
# The gradient of the centre unit of the 6th layer with respect to the input: a 25×25 square whose weights peak in
# the middle (the *effective* receptive field is smaller than the theoretical one).

# %%
net = stack(6).double()
with torch.no_grad():
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            m.weight.fill_(1 / 25)
            m.bias.zero_()
x = torch.ones(1, 1, 64, 64, dtype=torch.float64, requires_grad=True)
net(x)[0, 0, 32, 32].backward()
fig = plotting.heatmap(x.grad[0, 0, 20:45, 20:45], title="d unit(6, centre) / d input")
plt.show()

# %% [markdown]
# ## Task 1.6 — the exam's network, trained on digits
#
# `ExamCNN` stacks the six 5×5 / padding 2 / stride 1 convolutions and adds a classification head. The CPU profile
# upsamples scikit-learn's 8×8 digits to 32×32 and trains a narrow network for a few epochs (about a minute on two
# cores); the GPU profile trains at the exam's 256×256 with bf16 mixed precision and channels-last memory.

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
print("feature maps (channels, height, width):", shapes)
trainer = training.make_trainer("lab01_cnn", run_name=f"exam-cnn-{PROFILE}", config=cfg,
                                max_epochs=cfg["max_epochs"], precision=cfg["precision"])
trainer.fit(model, datamodule=data)
print({k: round(float(v), 3) for k, v in trainer.callback_metrics.items()})
training.finish(trainer)
