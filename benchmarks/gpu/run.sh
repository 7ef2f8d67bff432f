#!/usr/bin/env bash
# Trinity on a CUDA machine: build llama.cpp from the llama-cpp-python sdist, serve
# SmolLM2 with every layer on the GPU through our agent, and print our figures beside
# llama-bench's and the server's own.
#
#   bash benchmarks/gpu/run.sh stage  PAYLOAD   # copy what PAYLOAD holds to $WORK (optional)
#   bash benchmarks/gpu/run.sh all    [PAYLOAD] # stage, build, measure
#
# PAYLOAD (a folder) may hold, in any split across stage calls:
#   llama-src.tgz   vendor/llama.cpp of the llama-cpp-python 0.3.36 sdist
#                   (models/ docs/ media/ benches/ may be left out)
#   gguf.part*      SmolLM2-135M-Instruct.Q4_1.gguf cut with `split -d` (or smollm2.gguf)
#   gguf.sha256     its sha256sum line, checked after joining
#   wheels/         Python wheels to add to the machine's Python (offline machines)
# Results: $OUT (or $WORK/out): llama-bench.json, profile.json, overhead.json, summary.md.
# Environment: WORK (default /root/trinity-gpu), CUDA_ARCH (default 90 = H100),
# LEVELS (default 1,4,16,64), OUTPUT_TOKENS (default 256), PROMPT_TOKENS (default 128),
# CMAKE_EXTRA (more cmake flags, e.g. -DGGML_CUDA_FA=OFF for a shorter build),
# ONLY_OVERHEAD=1 (skip llama-bench and the profile) with OVERHEAD_ARGS (e.g. --rounds 1).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
WORK=${WORK:-/root/trinity-gpu}
OUT=${OUT:-$WORK/out}
LEVELS=${LEVELS:-1,4,16,64}
OUTPUT_TOKENS=${OUTPUT_TOKENS:-256}
PROMPT_TOKENS=${PROMPT_TOKENS:-128}
CUDA_ARCH=${CUDA_ARCH:-90}
PORT=50161
mkdir -p "$WORK" "$OUT"
log() { echo "gpu: $(date +%T) $*" >&2; }

stage() {
  local from=$1
  [[ -d $from ]] || return 0
  cp -r "$from"/. "$WORK"/
  log "staged $(ls "$from" | tr '\n' ' ')"
}

python_env() {
  PY=${PYTHON:-python3}
  if [[ -d $WORK/wheels && ! -d $WORK/site ]]; then
    "$PY" -m pip install -q --no-deps --no-index --target "$WORK/site" "$WORK"/wheels/*.whl
  fi
  export PYTHONPATH="$WORK/site:$REPO/agent:$REPO/controller:$REPO/protos:$REPO"
  "$PY" -c "import trinity.agent.server, trinity.controller.cli" \
    || { log "python dependencies missing (see wheels/ in the header)"; exit 1; }
}

model_file() {
  GGUF=$WORK/smollm2.gguf
  if [[ ! -s $GGUF ]]; then
    cat "$WORK"/gguf.part* > "$GGUF"
  fi
  if [[ -f $WORK/gguf.sha256 ]]; then
    echo "$(cut -d' ' -f1 "$WORK/gguf.sha256")  $GGUF" | sha256sum -c --quiet
  fi
}

build() {
  BIN=$WORK/llama.cpp/build/bin
  [[ -x $BIN/llama-server && -x $BIN/llama-bench ]] && return 0
  local t0=$SECONDS
  tar -xzf "$WORK/llama-src.tgz" -C "$WORK"
  mkdir -p "$WORK/llama.cpp/app" && touch "$WORK/llama.cpp/app/CMakeLists.txt"
  cmake -S "$WORK/llama.cpp" -B "$WORK/llama.cpp/build" -DGGML_CUDA=ON \
    -DCMAKE_CUDA_ARCHITECTURES="$CUDA_ARCH" -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=OFF -DGGML_CCACHE=OFF -DCMAKE_BUILD_TYPE=Release \
    ${CMAKE_EXTRA:-} >"$OUT/cmake.log" 2>&1
  cmake --build "$WORK/llama.cpp/build" -j"$(nproc)" --target llama-server llama-bench \
    >>"$OUT/cmake.log" 2>&1 || { tail -30 "$OUT/cmake.log"; exit 1; }
  log "built llama-server and llama-bench in $((SECONDS - t0)) s"
}

measure() {
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >"$OUT/gpu.txt"
  if [[ -z ${ONLY_OVERHEAD:-} ]]; then
    log "llama-bench"
    "$BIN/llama-bench" -m "$GGUF" -ngl 99 -p 512 -n 128 -o json >"$OUT/llama-bench.json" \
      2>"$OUT/llama-bench.log"
  fi

  local agent_dir=$WORK/agent
  rm -rf "$agent_dir"
  "$PY" -m trinity.agent init --dir "$agent_dir" --listen "127.0.0.1:$PORT" >/dev/null
  sed -i "s|^# server_binary = .*|server_binary = \"$BIN/llama-server\"|" "$agent_dir/agent.toml"
  cat >"$WORK/models.toml" <<EOF
[nodes.gpu]
address = "127.0.0.1:$PORT"
token_file = "$agent_dir/token"
timeout_s = 120

[[models]]
name = "smollm2"
node = "gpu"
label = "llama.cpp Q4_1 (GPU)"
backend = "llamacpp"
model = "$GGUF"
gpu_layers = 99
context_length = ${CONTEXT:-32768}
extra_args = ["-np", "64"]
concurrency = 64
EOF
  "$PY" -m trinity.agent serve --config "$agent_dir/agent.toml" >"$OUT/agent.log" 2>&1 &
  AGENT=$!
  trap 'kill $AGENT 2>/dev/null; wait $AGENT 2>/dev/null || true' EXIT
  export TRINITY_CONFIG=$WORK/models.toml TRINITY_DB=$OUT/results.db COLUMNS=220
  for _ in $(seq 50); do "$PY" -m trinity.controller status >/dev/null 2>&1 && break; sleep 0.2; done
  "$PY" -m trinity.controller up --no-smoke | tee "$OUT/up.txt"
  if [[ -n ${ONLY_OVERHEAD:-} ]]; then
    "$PY" benchmarks/harness_overhead.py --config "$WORK/models.toml" --model gpu/smollm2 \
      --concurrency "$LEVELS" --output-tokens "$OUTPUT_TOKENS" --prompt-tokens "$PROMPT_TOKENS" \
      --json "$OUT/overhead.json" \
      ${OVERHEAD_ARGS:-} | tee "$OUT/overhead.txt"
    return
  fi
  log "profile $LEVELS"
  "$PY" -m trinity.controller profile --concurrency "$LEVELS" --output-tokens "$OUTPUT_TOKENS" \
    --prompt-tokens "$PROMPT_TOKENS" --json --html "$OUT/profile.html" >"$OUT/profile.json" || true
  "$PY" -m trinity.controller profile --show "$(
    "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["profile_id"])' "$OUT/profile.json"
  )" | tee "$OUT/profile.txt" || true  # exit 1 = a level marked invalid: still report it
  log "harness overhead $LEVELS"
  "$PY" benchmarks/harness_overhead.py --config "$WORK/models.toml" --model gpu/smollm2 \
    --concurrency "$LEVELS" --output-tokens "$OUTPUT_TOKENS" --prompt-tokens "$PROMPT_TOKENS" \
    --json "$OUT/overhead.json" \
    | tee "$OUT/overhead.txt" || log "harness overhead failed"
  "$PY" benchmarks/gpu/summary.py "$OUT" | tee "$OUT/summary.md"
}

case ${1:-all} in
  stage) stage "${2:?payload folder}" ;;
  all)
    [[ -n ${2:-} ]] && stage "$2"
    python_env
    model_file
    build
    measure
    ;;
  *) echo "usage: $0 stage PAYLOAD | all [PAYLOAD]" >&2; exit 2 ;;
esac
