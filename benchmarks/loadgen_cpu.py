"""What the profile's load generator costs in CPU, with the load in one process or shared
over several, side by side against the same paced fake server in one run.

    .venv/bin/python benchmarks/loadgen_cpu.py [--tok-s 60] [--concurrency 64] [--processes 1,2,4]

The fake vLLM server paces each stream at --tok-s tokens/s, so the aggregate rate is about
concurrency × tok-s, like a GPU server's decode (each token in a chunk of its own, one read
per token: the expensive case for the client). Per setting: output tok/s, the busiest
client process's CPU (% of one core; a level above 70 % is invalid), and CPU µs per
token. Sharding holds the busiest process well under the limit as the server gets faster.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from trinity.agent.loadgen import LoadSpec, run  # noqa: E402

from tests.fakes.fake_supervisor import FakeServers  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tok-s", type=float, default=60.0, help="per stream")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--processes", default="1,2,4",
                        type=lambda s: [int(x) for x in s.split(",")])  # fmt: skip
    parser.add_argument("--output-tokens", type=int, default=128)
    parser.add_argument("--requests", type=int, default=0, help="0: 2 x concurrency")
    args = parser.parse_args()
    requests = args.requests or 2 * args.concurrency
    print(f"load generator CPU: c={args.concurrency}, {args.tok_s:g} tok/s per stream, "
          f"{requests} requests of {args.output_tokens} tokens", flush=True)  # fmt: skip
    with FakeServers() as servers:
        endpoint = servers.start("vllm", f"tok_s={args.tok_s:g}", name="fake")
        for processes in args.processes:
            spec = LoadSpec(base_url=endpoint.base_url, model=endpoint.served_name,
                            concurrency=(args.concurrency,), prompt_tokens=64,
                            output_tokens=args.output_tokens, requests_per_level=requests,
                            warmup_requests=1, processes=processes)  # fmt: skip
            (level,) = run(spec, nvml=None)
            per_token = level.client_cpu_percent / 100 / level.output_tok_s * 1e6
            print(f"  processes {level.client_processes:<3} {level.output_tok_s:8.0f} tok/s   "
                  f"busiest process {level.client_cpu_percent:5.1f}% of a core   "
                  f"{per_token:6.1f} µs per token in it   failed {level.failed}   "
                  f"{'valid' if level.valid else 'INVALID: ' + '; '.join(level.invalid_reasons)}",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
