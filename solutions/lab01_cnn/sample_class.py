"""Lab 1's partial student: right sizes, a receptive field that forgets the centre pixel, a "same" padding that
rounds up, so some checks pass fully and others partly."""

PARTIAL = {
    "receptive_field": '''
def receptive_field(n_layers, kernel, stride=1, dilation=1):
    if min(n_layers, kernel, stride, dilation) < 1:
        raise ValueError("arguments must be at least 1")
    return n_layers * dilation * (kernel - 1) * stride
''',
    "padding_for": '''
def padding_for(mode, kernel):
    return {"full": kernel - 1, "valid": 0, "same": kernel // 2}[mode]
''',
}
