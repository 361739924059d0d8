"""Correct implementations of Lab 1's functions in the styles students write: name -> {function: replacement source}.
Every one must keep full marks (the mirror of mutants.py)."""

HONEST = {
    "output size with math.floor, imported inside the function": {"conv_output_size": '''
def conv_output_size(size, kernel, padding=0, stride=1, dilation=1):
    import math

    for name, value in (("size", size), ("kernel", kernel), ("stride", stride), ("dilation", dilation)):
        if value < 1:
            raise ValueError(f"{name} must be at least 1 / {name} doit valoir au moins 1")
    if padding < 0:
        raise ValueError("negative padding / padding négatif")
    effective_kernel = dilation * kernel - dilation + 1
    padded = size + padding + padding
    if effective_kernel > padded:
        raise ValueError("the kernel does not fit / le noyau ne tient pas")
    return math.floor((padded - effective_kernel) / stride) + 1
'''},
    "feature map sizes with a local named like a module function": {"feature_map_sizes": '''
def feature_map_sizes(input_size, n_layers, kernel, padding, stride=1):
    last_feature_map = input_size  # the side of the last feature map so far
    sizes = []
    while len(sizes) < n_layers:
        last_feature_map = conv_output_size(last_feature_map, kernel, padding, stride)
        sizes.append(last_feature_map)
    return sizes
'''},
    "feature map sizes by a comprehension over a helper": {"feature_map_sizes": '''
def _after(size, layers, kernel, padding, stride):
    for _ in range(layers):
        size = conv_output_size(size, kernel, padding, stride)
    return size


def feature_map_sizes(input_size, n_layers, kernel, padding, stride=1):
    return [_after(input_size, i + 1, kernel, padding, stride) for i in range(n_layers)]
'''},
    "receptive field in closed form (geometric series)": {"receptive_field": '''
def receptive_field(n_layers, kernel, stride=1, dilation=1):
    _require_positive(n_layers=n_layers, kernel=kernel, stride=stride, dilation=dilation)
    span = dilation * (kernel - 1)
    if stride == 1:
        return 1 + n_layers * span
    return 1 + span * (stride**n_layers - 1) // (stride - 1)
'''},
    "receptive field by recursion, backwards from the last layer": {"receptive_field": '''
def receptive_field(n_layers, kernel, stride=1, dilation=1):
    _require_positive(n_layers=n_layers, kernel=kernel, stride=stride, dilation=dilation)
    field = 1
    for _ in range(n_layers):  # one layer down: each unit sees `kernel` dilated taps, `stride` apart
        field = (field - 1) * stride + dilation * (kernel - 1) + 1
    return field
'''},
    "padding with a dict of modes": {"padding_for": '''
def padding_for(mode, kernel):
    if kernel < 1:
        raise ValueError("kernel must be at least 1 / kernel doit valoir au moins 1")
    if mode == "same" and kernel % 2 == 0:
        raise ValueError("no symmetric same padding for an even kernel / pas de padding same pour un noyau pair")
    paddings = {"full": kernel - 1, "valid": 0, "same": (kernel - 1) // 2}
    if mode not in paddings:
        raise ValueError(f"unknown mode {mode!r} / mode inconnu {mode!r}")
    return paddings[mode]
'''},
    "padding with match": {"padding_for": '''
def padding_for(mode, kernel):
    _require_positive(kernel=kernel)
    match mode:
        case "full":
            return kernel - 1
        case "valid":
            return 0
        case "same" if kernel % 2:
            return kernel // 2
        case "same":
            raise ValueError("even kernel / noyau pair")
        case _:
            raise ValueError(f"unknown mode {mode!r} / mode inconnu {mode!r}")
'''},
    "measured field with torch.autograd.grad and columns": {"measured_receptive_field": '''
def measured_receptive_field(model, input_size):
    import copy as copy_module

    net = copy_module.deepcopy(model).double().eval()
    convs = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
    if len(convs) == 0:
        raise ValueError("no Conv2d / aucune Conv2d")
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                m.weight.copy_(torch.full_like(m.weight, 0.01))
                if m.bias is not None:
                    m.bias.fill_(0.0)
    x = torch.ones(1, convs[0].in_channels, input_size, input_size, dtype=torch.float64).requires_grad_()
    out = last_feature_map(net, x)
    centre = out[0, :, out.shape[-2] // 2, out.shape[-1] // 2].sum()
    (g,) = torch.autograd.grad(centre, x)
    cols = torch.nonzero(g[0].abs().sum(dim=(0, 1)))
    return int(cols.max().item() - cols.min().item()) + 1
'''},
    "exam network with padding='same'": {"ExamCNN.__init__": '''
def __init__(self, in_channels=1, width=16, n_classes=10, lr=1e-3, channels_last=False):
    super().__init__()
    self.save_hyperparameters()
    layers = []
    for i in range(6):
        layers.append(nn.Conv2d(in_channels if i == 0 else width, width, 5, padding="same"))
    self.convs = nn.ModuleList(layers)
    self.head = nn.Sequential(nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(width * 16, n_classes))
    self.train_acc = torchmetrics.Accuracy(task="multiclass", num_classes=n_classes)
    self.val_acc = torchmetrics.Accuracy(task="multiclass", num_classes=n_classes)
'''},
    "exam network padding explicitly with F.pad": {"ExamCNN.__init__": '''
def __init__(self, in_channels=1, width=16, n_classes=10, lr=1e-3, channels_last=False):
    super().__init__()
    self.save_hyperparameters()
    self.convs = nn.ModuleList([nn.Conv2d(in_channels, width, 5, padding=0)]
                               + [nn.Conv2d(width, width, 5, padding=0) for _ in range(5)])
    self.head = nn.Sequential(nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(width * 16, n_classes))
    self.train_acc = torchmetrics.Accuracy(task="multiclass", num_classes=n_classes)
    self.val_acc = torchmetrics.Accuracy(task="multiclass", num_classes=n_classes)
''', "ExamCNN.feature_maps": '''
def feature_maps(self, x):
    maps = []
    for conv in self.convs:
        x = torch.relu(conv(F.pad(x, (2, 2, 2, 2))))  # zero-padding 2 on every side, then a valid convolution
        maps.append(x)
    return maps
'''},
    "exam network with in-place ReLUs": {"ExamCNN.feature_maps": '''
def feature_maps(self, x):
    out = []
    for layer in self.convs:
        x = layer(x).clamp_(min=0)
        out.append(x)
    return out
'''},
}
