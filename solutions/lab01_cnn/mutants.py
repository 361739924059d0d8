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
