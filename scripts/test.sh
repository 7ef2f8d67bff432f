#!/usr/bin/env bash
# The whole test suite as CI runs it: install (dev), the real vLLM CPU server's virtualenv
# and converted model, lint, then every test (unit, integration with real llama.cpp and
# vLLM servers, security). Runs with no stdin; exits non-zero on any failure, including
# a pytest run that collects nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v bwrap >/dev/null 2>&1; then
  echo "test: installing bubblewrap (the sandbox for untrusted code)"
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -q >/dev/null && apt-get install -y -q bubblewrap >/dev/null
  else
    sudo apt-get update -q >/dev/null && sudo apt-get install -y -q bubblewrap >/dev/null
  fi
fi

# The HTML report's test drives Debian's headless Chromium (tests/browser.py).
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  echo "test: installing chromium and chromium-driver (the HTML report's browser test)"
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -q >/dev/null && apt-get install -y -q chromium chromium-driver >/dev/null
  else
    sudo apt-get update -q >/dev/null && sudo apt-get install -y -q chromium chromium-driver >/dev/null
  fi
fi

bash scripts/install.sh --dev
bash scripts/setup_vllm_cpu.sh
export TRINITY_VLLM_PYTHON="${TRINITY_VLLM_VENV:-$HOME/.cache/trinity/vllm-venv}/bin/python"
export TRINITY_VLLM_MODEL_DIR="${TRINITY_VLLM_MODEL_DIR:-$HOME/.cache/trinity/smollm2-hf}"

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy agent controller

set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [[ $rc -eq 5 ]]; then
  echo "test: pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit $rc
