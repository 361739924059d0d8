#!/usr/bin/env bash
# Install the torch version the course pins, the build that suits this machine:
# - with an NVIDIA GPU, the default build (CUDA);
# - without one, the CPU build from PyTorch's CPU wheel index: a bare `pip install torch` on Linux pulls a
#   multi-GB CUDA build a laptop cannot use. When that index cannot be reached, the default build, with a notice.
# Usage: ./install-torch.sh [PIP]   (PIP defaults to `python3 -m pip`; the course's own scripts pass their venv's)
set -euo pipefail
TORCH_VERSION=2.13.0  # the course pins it: students and the grader run the same torch
CPU_INDEX=https://download.pytorch.org/whl/cpu
PIP=${1:-python3 -m pip}
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  exec $PIP install --quiet "torch==$TORCH_VERSION"
fi
if python3 -c "import urllib.request; urllib.request.urlopen('$CPU_INDEX/torch/', timeout=5)" 2>/dev/null; then
  exec $PIP install --quiet --index-url "$CPU_INDEX" --extra-index-url https://pypi.org/simple "torch==$TORCH_VERSION"
fi
echo "notice: PyTorch's CPU wheel index ($CPU_INDEX) cannot be reached; installing torch==$TORCH_VERSION from the default index" >&2
exec $PIP install --quiet "torch==$TORCH_VERSION"
