"""Plausible wrong implementations of Lab 1's functions: name -> {function: replacement source}.
Every one must lose points."""

# The sample class's partial student: the reference with these mutants.
SAMPLE_PARTIAL = ["receptive field misses the centre pixel", "same padding rounds up for even kernels"]

# A measurement on a copy of the model with its biases zeroed, after SETUP: right only when the weights happen to
# keep every ReLU of the field's edge active.
_MEASURED_FIELD = '''
def measured_receptive_field(model, input_size):
    probe = copy.deepcopy(model).double().eval()
    convs = [m for m in probe.modules() if isinstance(m, nn.Conv2d)]
    SETUP
    with torch.no_grad():
        for m in convs:
            if m.bias is not None:
                m.bias.zero_()
    x = torch.randn(1, convs[0].in_channels, input_size, input_size, dtype=torch.float64, requires_grad=True)
    fmap = last_feature_map(probe, x)
    h, w = fmap.shape[-2:]
    fmap[0, :, h // 2, w // 2].sum().backward()
    rows = (x.grad[0].abs().sum(dim=(0, 2)) > 0).nonzero()
    return int(rows.max() - rows.min() + 1) if len(rows) else 0
'''


def _measured_field(setup: str) -> dict[str, str]:
    return {"measured_receptive_field": _MEASURED_FIELD.replace("SETUP", setup)}


MUTANTS = {
    "output size rounds instead of flooring": {"conv_output_size": '''
def conv_output_size(size, kernel, padding=0, stride=1, dilation=1):
    if min(size, kernel, stride, dilation) < 1 or padding < 0 or size + 2 * padding < dilation * (kernel - 1) + 1:
        raise ValueError("bad arguments")
    return round((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1
'''},
    "output size ignores dilation": {"conv_output_size": '''
def conv_output_size(size, kernel, padding=0, stride=1, dilation=1):
    if min(size, kernel, stride, dilation) < 1 or padding < 0 or size + 2 * padding < kernel:
        raise ValueError("bad arguments")
    return (size + 2 * padding - kernel) // stride + 1
'''},
    "output size pads one side only": {"conv_output_size": '''
def conv_output_size(size, kernel, padding=0, stride=1, dilation=1):
    span = dilation * (kernel - 1) + 1
    if min(size, kernel, stride, dilation) < 1 or padding < 0 or size + padding < span:
        raise ValueError("bad arguments")
    return (size + padding - span) // stride + 1
'''},
    "output size tests the fit with the kernel, not its dilated extent": {"conv_output_size": '''
def conv_output_size(size, kernel, padding=0, stride=1, dilation=1):
    if min(size, kernel, stride, dilation) < 1 or padding < 0 or size + 2 * padding < kernel:
        raise ValueError("bad arguments")
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
'''},
    "output size tests the fit on the unpadded input": {"conv_output_size": '''
def conv_output_size(size, kernel, padding=0, stride=1, dilation=1):
    span = dilation * (kernel - 1) + 1
    if min(size, kernel, stride, dilation) < 1 or padding < 0 or size < span:
        raise ValueError("bad arguments")
    return (size + 2 * padding - span) // stride + 1
'''},
    # Right on every case: only the method rule (a formula, no torch) tells it apart.
    "output size read from an nn.Conv2d": {"conv_output_size": '''
def conv_output_size(size, kernel, padding=0, stride=1, dilation=1):
    if min(size, kernel, stride, dilation) < 1 or padding < 0 or size + 2 * padding < dilation * (kernel - 1) + 1:
        raise ValueError("bad arguments")
    conv = nn.Conv2d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
    return conv(torch.zeros(1, 1, size, size)).shape[-1]
'''},
    "output size never raises": {"conv_output_size": '''
def conv_output_size(size, kernel, padding=0, stride=1, dilation=1):
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
'''},
    "feature maps include the input": {"feature_map_sizes": '''
def feature_map_sizes(input_size, n_layers, kernel, padding, stride=1):
    sizes = [input_size]
    for _ in range(n_layers):
        sizes.append(conv_output_size(sizes[-1], kernel, padding, stride))
    return sizes[:-1]
'''},
    "feature maps ignore stride": {"feature_map_sizes": '''
def feature_map_sizes(input_size, n_layers, kernel, padding, stride=1):
    sizes, size = [], input_size
    for _ in range(n_layers):
        size = conv_output_size(size, kernel, padding, 1)
        sizes.append(size)
    return sizes
'''},
    "feature maps read from running the layers": {"feature_map_sizes": '''
def feature_map_sizes(input_size, n_layers, kernel, padding, stride=1):
    x, sizes = torch.zeros(1, 1, input_size, input_size), []
    for _ in range(n_layers):
        x = F.conv2d(x, torch.ones(1, 1, kernel, kernel), padding=padding, stride=stride)
        sizes.append(x.shape[-1])
    return sizes
'''},
    "receptive field misses the centre pixel": {"receptive_field": '''
def receptive_field(n_layers, kernel, stride=1, dilation=1):
    if min(n_layers, kernel, stride, dilation) < 1:
        raise ValueError("bad arguments")
    return n_layers * (kernel - 1)
'''},
    "receptive field multiplies kernels": {"receptive_field": '''
def receptive_field(n_layers, kernel, stride=1, dilation=1):
    if min(n_layers, kernel, stride, dilation) < 1:
        raise ValueError("bad arguments")
    return 1 + n_layers * dilation * (kernel - 1) * stride
'''},
    "receptive field ignores dilation": {"receptive_field": '''
def receptive_field(n_layers, kernel, stride=1, dilation=1):
    if min(n_layers, kernel, stride, dilation) < 1:
        raise ValueError("bad arguments")
    field, jump = 1, 1
    for _ in range(n_layers):
        field += (kernel - 1) * jump
        jump *= stride
    return field
'''},
    "same padding rounds up for even kernels": {"padding_for": '''
def padding_for(mode, kernel):
    if mode == "full":
        return kernel - 1
    if mode == "valid":
        return 0
    if mode == "same":
        return kernel // 2
    raise ValueError(mode)
'''},
    "full padding is k // 2": {"padding_for": '''
def padding_for(mode, kernel):
    table = {"full": kernel // 2, "valid": 0, "same": (kernel - 1) // 2}
    if mode not in table or (mode == "same" and kernel % 2 == 0):
        raise ValueError(mode)
    return table[mode]
'''},
    "padding searched with an nn.Conv2d": {"padding_for": '''
def padding_for(mode, kernel):
    if mode not in MODES or kernel < 1 or (mode == "same" and kernel % 2 == 0):
        raise ValueError(mode)
    n = 2 * kernel + 1
    wanted = {"full": n + kernel - 1, "valid": n - kernel + 1, "same": n}[mode]
    for p in range(kernel):
        if nn.Conv2d(1, 1, kernel, padding=p)(torch.zeros(1, 1, n, n)).shape[-1] == wanted:
            return p
'''},
    "unknown mode falls back to valid": {"padding_for": '''
def padding_for(mode, kernel):
    if mode == "full":
        return kernel - 1
    if mode == "same":
        if kernel % 2 == 0:
            raise ValueError(mode)
        return (kernel - 1) // 2
    return 0
'''},
    "measured field with the model's own weights (dead ReLUs)": {"measured_receptive_field": '''
def measured_receptive_field(model, input_size):
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    x = torch.randn(1, convs[0].in_channels, input_size, input_size, requires_grad=True)
    fmap = last_feature_map(model, x)
    h, w = fmap.shape[-2:]
    fmap[0, :, h // 2, w // 2].sum().backward()
    rows = (x.grad[0].abs().sum(dim=(0, 2)) > 0).nonzero()
    return int(rows.max() - rows.min() + 1) if len(rows) else 0
'''},
    # The model's weights are random: ReLUs that happen to be off hide part of the field in most deep, narrow stacks.
    "measured field with the model's own weights, biases zeroed": _measured_field("pass"),
    # Fresh random weights under a seed that passes the public case: the same weights for every hidden case.
    "measured field with random weights (seed that passes the public case)": _measured_field(
        "torch.manual_seed(1)\n    with torch.no_grad():\n        for m in convs:\n            nn.init.normal_(m.weight)"),
    "measured field from model(x), not the feature maps": {"measured_receptive_field": '''
def measured_receptive_field(model, input_size):
    probe = copy.deepcopy(model).double()
    convs = [m for m in probe.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        for m in probe.modules():
            if isinstance(m, nn.Conv2d | nn.Linear):
                m.weight.fill_(1.0 / m.weight[0].numel())
                if m.bias is not None:
                    m.bias.zero_()
    x = torch.ones(1, convs[0].in_channels, input_size, input_size, dtype=torch.float64, requires_grad=True)
    out = probe(x)
    if out.dim() == 4:
        h, w = out.shape[-2:]
        out = out[0, :, h // 2, w // 2]
    out.sum().backward()
    rows = (x.grad[0].abs().sum(dim=(0, 2)) > 0).nonzero()
    return int(rows.max() - rows.min() + 1)
'''},
    "exam network without ReLUs": {"ExamCNN.feature_maps": '''
def feature_maps(self, x):
    maps = []
    for conv in self.convs:
        x = conv(x)
        maps.append(x)
    return maps
'''},
    "exam network with 3x3 kernels": {"ExamCNN.__init__": '''
def __init__(self, in_channels=1, width=16, n_classes=10, lr=1e-3, channels_last=False):
    super().__init__()
    self.save_hyperparameters()
    channels = [in_channels] + [width] * 6
    self.convs = nn.ModuleList(nn.Conv2d(a, b, kernel_size=3, padding=1) for a, b in zip(channels, channels[1:]))
    self.head = nn.Sequential(nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(width * 16, n_classes))
    self.train_acc = torchmetrics.Accuracy(task="multiclass", num_classes=n_classes)
    self.val_acc = torchmetrics.Accuracy(task="multiclass", num_classes=n_classes)
'''},
    "exam network pads by reflection, not with zeros": {"ExamCNN.__init__": '''
def __init__(self, in_channels=1, width=16, n_classes=10, lr=1e-3, channels_last=False):
    super().__init__()
    self.save_hyperparameters()
    channels = [in_channels] + [width] * 6
    self.convs = nn.ModuleList(nn.Conv2d(a, b, kernel_size=5, padding=2, padding_mode="reflect")
                               for a, b in zip(channels, channels[1:]))
    self.head = nn.Sequential(nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(width * 16, n_classes))
    self.train_acc = torchmetrics.Accuracy(task="multiclass", num_classes=n_classes)
    self.val_acc = torchmetrics.Accuracy(task="multiclass", num_classes=n_classes)
'''},
    # Evasions of the formula rule: torch reached without naming it, as a student hiding the layer would.
    "output size read from a convolution reached through sys.modules": {"conv_output_size": '''
def conv_output_size(size, kernel, padding=0, stride=1, dilation=1):
    import sys

    t = sys.modules["torch"]
    try:
        out = t.nn.functional.conv2d(t.zeros(1, 1, size, size), t.zeros(1, 1, kernel, kernel), padding=padding,
                                     stride=stride, dilation=dilation)
    except RuntimeError as exc:
        raise ValueError(str(exc)) from None
    return out.shape[-1]
'''},
    "padding searched with a Conv2d reached through sys.modules": {"padding_for": '''
def padding_for(mode, kernel):
    import sys

    if mode not in MODES or kernel < 1 or (mode == "same" and kernel % 2 == 0):
        raise ValueError(mode)
    layers = sys.modules["torch.nn"]
    conv_class, zeros = layers.Conv2d, sys.modules["torch"].zeros
    n = 2 * kernel + 1
    wanted = {"full": n + kernel - 1, "valid": n - kernel + 1, "same": n}[mode]
    for p in range(kernel):
        if conv_class(1, 1, kernel, padding=p)(zeros(1, 1, n, n)).shape[-1] == wanted:
            return p
'''},
}


def _mistake(en: str, fr: str, hint_en: str, hint_fr: str) -> dict[str, str]:
    return {"en": en, "fr": fr, "hint_en": hint_en, "hint_fr": hint_fr}


# What each mutant gets wrong, in the course's terms (never the fix), and a question that leads the student there.
# Teaching assistants read the descriptions (the class report); students see only the hint, at --feedback hints.
_CONV_LAYER = _mistake(
    "the formula is replaced by running a convolution layer: the task asks for the arithmetic of output sizes",
    "la formule est remplacée par l'exécution d'une couche de convolution : la tâche demande l'arithmétique des "
    "tailles de sortie",
    "Could you compute this size with pen and paper, from the size, kernel, padding, stride and dilation alone?",
    "Pourriez-vous calculer cette taille sur papier, à partir de la taille, du noyau, du padding, du pas et de la "
    "dilatation seulement ?")
_PADDING_SEARCH = _mistake(
    "the padding is found by trying convolution layers instead of being derived from the kernel size",
    "le padding est trouvé en essayant des couches de convolution au lieu d'être déduit de la taille du noyau",
    "For a kernel of size k, which padding keeps the size (same), adds k - 1 (full), removes k - 1 (valid)?",
    "Pour un noyau de taille k, quel padding conserve la taille (same), l'augmente de k - 1 (full), la réduit de "
    "k - 1 (valid) ?")

MISTAKES = {
    "output size rounds instead of flooring": _mistake(
        "the output size rounds the division by the stride to the nearest integer instead of flooring it",
        "la taille de sortie arrondit la division par le pas à l'entier le plus proche au lieu de prendre sa partie "
        "entière",
        "When the stride does not divide the span exactly, can the kernel take one more step past the border?",
        "Quand le pas ne divise pas exactement l'étendue, le noyau peut-il faire un pas de plus au-delà du bord ?"),
    "output size ignores dilation": _mistake(
        "the output size ignores the dilation: the kernel's extent is taken as k instead of d(k - 1) + 1",
        "la taille de sortie ignore la dilatation : l'étendue du noyau est prise égale à k au lieu de d(k - 1) + 1",
        "How many input pixels does a kernel of size k with dilation d cover, from its first tap to its last?",
        "Combien de pixels d'entrée un noyau de taille k et de dilatation d couvre-t-il, de son premier à son "
        "dernier coefficient ?"),
    "output size pads one side only": _mistake(
        "the padding is added on one side only: the padded size is n + p instead of n + 2p",
        "le padding n'est ajouté que d'un côté : la taille complétée vaut n + p au lieu de n + 2p",
        "A padding of p adds how many zeros to a row of the input, counting both ends?",
        "Un padding de p ajoute combien de zéros à une ligne de l'entrée, en comptant les deux bouts ?"),
    "output size tests the fit with the kernel, not its dilated extent": _mistake(
        "the check that the kernel fits in the padded input uses the kernel size, not its dilated extent, so a "
        "dilated kernel that does not fit gives a size instead of an error",
        "le test qui vérifie que le noyau tient dans l'entrée complétée utilise la taille du noyau et non son "
        "étendue dilatée : un noyau dilaté qui ne tient pas donne une taille au lieu d'une erreur",
        "With dilation d, how wide is the kernel when you decide whether it fits in the input?",
        "Avec une dilatation d, quelle largeur a le noyau quand vous décidez s'il tient dans l'entrée ?"),
    "output size tests the fit on the unpadded input": _mistake(
        "the check that the kernel fits compares it with the input before padding, so valid padded layers raise "
        "an error",
        "le test qui vérifie que le noyau tient le compare à l'entrée avant padding : des couches valides avec "
        "padding lèvent une erreur",
        "Does the kernel slide over the input as given, or over the input after padding?",
        "Le noyau glisse-t-il sur l'entrée telle quelle, ou sur l'entrée après padding ?"),
    "output size read from an nn.Conv2d": _CONV_LAYER,
    "output size never raises": _mistake(
        "impossible arguments (a kernel larger than the padded input, a stride or size below 1, a negative "
        "padding) give a number instead of a ValueError",
        "des arguments impossibles (un noyau plus grand que l'entrée complétée, un pas ou une taille inférieurs à "
        "1, un padding négatif) donnent un nombre au lieu d'une ValueError",
        "What should your function do when no position of the kernel fits in the input?",
        "Que doit faire votre fonction quand aucune position du noyau ne tient dans l'entrée ?"),
    "feature maps include the input": _mistake(
        "the list starts with the input's size and misses the last layer's: one entry per layer must be the "
        "size after that layer",
        "la liste commence par la taille de l'entrée et oublie celle de la dernière couche : chaque élément doit "
        "être la taille après la couche correspondante",
        "For n layers, what is the first size of your list: before or after the first convolution?",
        "Pour n couches, quelle est la première taille de votre liste : avant ou après la première convolution ?"),
    "feature maps ignore stride": _mistake(
        "the feature-map sizes are computed as if every layer had stride 1",
        "les tailles des cartes de caractéristiques sont calculées comme si chaque couche avait un pas de 1",
        "Where does the stride argument enter your computation of each layer's size?",
        "Où l'argument de pas intervient-il dans votre calcul de la taille de chaque couche ?"),
    "feature maps read from running the layers": _mistake(
        "the sizes are read from running convolutions on a tensor instead of being computed from the formula",
        "les tailles sont lues en exécutant des convolutions sur un tenseur au lieu d'être calculées par la "
        "formule",
        "Could you compute these sizes from the output-size formula alone, without building any layer?",
        "Pourriez-vous calculer ces tailles avec la seule formule de la taille de sortie, sans construire de "
        "couche ?"),
    "receptive field misses the centre pixel": _mistake(
        "the receptive field counts the growth of each layer but not the output pixel itself: it is one short",
        "le champ récepteur compte l'élargissement apporté par chaque couche mais pas le pixel de sortie "
        "lui-même : il manque un pixel",
        "What is the receptive field of a network with no layer at all, or of one 1x1 convolution?",
        "Quel est le champ récepteur d'un réseau sans aucune couche, ou d'une seule convolution 1x1 ?"),
    "receptive field multiplies kernels": _mistake(
        "the stride multiplies every layer's growth by the same factor instead of compounding layer after layer",
        "le pas multiplie l'élargissement de chaque couche par un même facteur au lieu de se cumuler couche après "
        "couche",
        "After two layers of stride s, how far apart in the input are two neighbouring pixels of the feature map?",
        "Après deux couches de pas s, quelle distance sépare dans l'entrée deux pixels voisins de la carte de "
        "caractéristiques ?"),
    "receptive field ignores dilation": _mistake(
        "the receptive field ignores the dilation: each layer widens the field by k - 1 instead of d(k - 1)",
        "le champ récepteur ignore la dilatation : chaque couche l'élargit de k - 1 au lieu de d(k - 1)",
        "How far apart are the first and last taps of a kernel of size k with dilation d?",
        "Quelle distance sépare le premier et le dernier coefficient d'un noyau de taille k et de dilatation d ?"),
    "same padding rounds up for even kernels": _mistake(
        "'same' padding is given for even kernels (k // 2), where no symmetric padding keeps the size: it "
        "should be refused",
        "un padding « same » est donné pour les noyaux pairs (k // 2), alors qu'aucun padding symétrique ne "
        "conserve la taille : il faut le refuser",
        "With a kernel of size 4 and the same padding p on both sides, can n + 2p - 3 equal n?",
        "Avec un noyau de taille 4 et le même padding p des deux côtés, n + 2p - 3 peut-il valoir n ?"),
    "full padding is k // 2": _mistake(
        "'full' padding is taken as k // 2, the 'same' padding, instead of k - 1",
        "le padding « full » est pris égal à k // 2, celui de « same », au lieu de k - 1",
        "In a 'full' convolution, how many positions of the kernel overlap the input by a single pixel?",
        "Dans une convolution « full », combien de positions du noyau ne recouvrent l'entrée que d'un seul "
        "pixel ?"),
    "padding searched with an nn.Conv2d": _PADDING_SEARCH,
    "unknown mode falls back to valid": _mistake(
        "an unknown mode gets the 'valid' padding (0) instead of a ValueError",
        "un mode inconnu reçoit le padding « valid » (0) au lieu d'une ValueError",
        "What should padding_for('wide', 3) do?",
        "Que doit faire padding_for('wide', 3) ?"),
    "measured field with the model's own weights (dead ReLUs)": _mistake(
        "the field is measured through the model's own random weights and biases, so ReLUs that happen to be "
        "off hide part of the field",
        "le champ est mesuré à travers les poids et biais aléatoires du modèle : des ReLU éteintes par hasard "
        "cachent une partie du champ",
        "Can a gradient pass through a ReLU whose input is negative?",
        "Un gradient peut-il traverser une ReLU dont l'entrée est négative ?"),
    "measured field with the model's own weights, biases zeroed": _mistake(
        "the biases are zeroed but the model's random weights are kept, so some ReLUs can still be off and hide "
        "part of the field",
        "les biais sont mis à zéro mais les poids aléatoires du modèle sont gardés : des ReLU peuvent encore être "
        "éteintes et cacher une partie du champ",
        "With random weights of both signs, is every ReLU of the field's edge sure to be active?",
        "Avec des poids aléatoires des deux signes, chaque ReLU du bord du champ est-elle sûre d'être active ?"),
    "measured field with random weights (seed that passes the public case)": _mistake(
        "the field is measured with fresh random weights under a fixed seed: right on some networks only, since "
        "ReLUs that happen to be off hide part of the field",
        "le champ est mesuré avec de nouveaux poids aléatoires sous une graine fixe : correct pour certains "
        "réseaux seulement, car des ReLU éteintes par hasard cachent une partie du champ",
        "Which weights make sure that every input pixel of the field changes the centre output?",
        "Quels poids garantissent que chaque pixel d'entrée du champ modifie la sortie centrale ?"),
    "measured field from model(x), not the feature maps": _mistake(
        "the gradient is taken from the model's final output, after the head, instead of from the centre of the "
        "last feature map",
        "le gradient est pris sur la sortie finale du modèle, après la tête, au lieu du centre de la dernière "
        "carte de caractéristiques",
        "Does the pooling and linear head let one output depend on every input pixel?",
        "Le pooling et la tête linéaire font-ils dépendre une sortie de tous les pixels d'entrée ?"),
    "exam network without ReLUs": _mistake(
        "the exam's network has no ReLU between its convolutions",
        "le réseau de l'examen n'a pas de ReLU entre ses convolutions",
        "What does a stack of convolutions with nothing between them compute: more than one convolution?",
        "Que calcule une pile de convolutions sans rien entre elles : plus qu'une seule convolution ?"),
    "exam network with 3x3 kernels": _mistake(
        "the exam's network uses 3x3 kernels instead of the 5x5 kernels of the question",
        "le réseau de l'examen utilise des noyaux 3x3 au lieu des noyaux 5x5 de l'énoncé",
        "Which kernel size does the question give for each of the six layers?",
        "Quelle taille de noyau l'énoncé donne-t-il pour chacune des six couches ?"),
    "exam network pads by reflection, not with zeros": _mistake(
        "the convolutions pad by reflecting the border instead of with zeros",
        "les convolutions complètent le bord par réflexion au lieu de zéros",
        "Which values does the question's padding put around the image?",
        "Quelles valeurs le padding de l'énoncé place-t-il autour de l'image ?"),
    "output size read from a convolution reached through sys.modules": _CONV_LAYER,
    "padding searched with a Conv2d reached through sys.modules": _PADDING_SEARCH,
}
