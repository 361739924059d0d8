#!/usr/bin/env bash
# Set up everything on a fresh Linux machine (idempotent), then run one job:
#   ./course.sh demo   release every lab and autograde the bundled sample class into out/
#   ./course.sh test   the project's tests
set -euo pipefail
cd "$(dirname "$0")"
VENV=${VENV:-.venv}
if [ ! -x "$VENV/bin/autograder" ] || [ pyproject.toml -nt "$VENV/.installed" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
  # The torch the course pins, the CPU build on a machine without an NVIDIA GPU (the same script as students use).
  labs/install-torch.sh "$VENV/bin/pip"
  "$VENV/bin/pip" install --quiet -e ".[dev]"
  touch "$VENV/.installed"
fi
# Grading kernels run inside bubblewrap (SECURITY.md); the grader refuses to run student code without it.
if ! command -v bwrap >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap) >/dev/null
  else
    echo "warning: bubblewrap (bwrap) is not installed; grading will refuse to run student code" >&2
  fi
fi
export PATH="$PWD/$VENV/bin:$PATH" WANDB_MODE="${WANDB_MODE:-offline}" WANDB_SILENT=true
case "${1:-}" in
  demo) shift; exec autograder demo "$@" ;;
  # Everything: pytest-xdist workers (tests that share a graded batch share it through a file lock), then the
  # adversarial corpus on its own, so that its fork and memory bombs meet only their own batch's limits.
  # With arguments: pytest with those arguments.
  test) shift
    if [ $# -gt 0 ]; then exec python -m pytest "$@"; fi
    python -m pytest -n auto --dist loadgroup --ignore=tests/test_sandbox.py
    exec python -m pytest tests/test_sandbox.py ;;
  *) echo "usage: $0 demo|test [args]" >&2; exit 2 ;;
esac
