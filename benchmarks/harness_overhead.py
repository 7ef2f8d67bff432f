"""What our harness costs a model server's throughput, measured side by side in one run.

    # a model already up in a cluster (e.g. llama.cpp on a GPU node):
    .venv/bin/python benchmarks/harness_overhead.py --config models.toml --model gpu/smollm2
    # our own overhead alone: an agent of its own in front of the fake server (no model)
    .venv/bin/python benchmarks/harness_overhead.py --fake

For each concurrency level, the same number of requests of the same shape (a unique
prompt each, so no prefix cache helps either side; max_tokens output tokens with
ignore_eos; temperature 0) go (a) straight to the model server's OpenAI endpoint and
(b) through trinityctl's client → the node's agent (gRPC Generate) → the same server.
Rounds alternate a, b, a, b so drift hits both. Aggregate tok/s = completion tokens /
wall time of the level; the ratio b / a is what the harness leaves of the server's
throughput. Target (issue 5): ≥ 0.97 at concurrency 1, 16 and 64. When the agent runs on
this machine, the CPU per token of each path is printed too: this process (the direct
client, or the controller's side) plus, for the harness, the agent process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from trinity.agent.loadgen import (  # noqa: E402
    LoadSpec,
    Timeline,
    make_prompt,
    request_body,
    stream_chunks,
    take_chunk,
)
from trinity.controller.client import AgentClient  # noqa: E402
from trinity.controller.config import load_config  # noqa: E402
from trinity.v1 import agent_pb2 as pb  # noqa: E402

One = Callable[[str], Awaitable[int]]  # prompt → completion tokens


SHORT: list[int] = []  # completion counts that were not --output-tokens
SERVER_DECODE: list[float] = []  # llama.cpp's own timings.predicted_per_second (direct path)


async def level(
    concurrency: int, requests: int, prompt_tokens: int, one: One, expected: int = 0
) -> tuple[float, int]:
    """(aggregate tok/s, tokens) of `requests` requests, `concurrency` at a time."""
    prompts = iter([make_prompt(prompt_tokens) for _ in range(requests)])
    total = 0

    async def worker() -> None:
        nonlocal total
        for prompt in prompts:
            tokens = await one(prompt)
            total += tokens
            if expected and tokens != expected:
                SHORT.append(tokens)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - start), total


def listening_process(port: int) -> psutil.Process | None:
    """The local process listening on `port` (the agent), None when not visible here."""
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
                return psutil.Process(conn.pid)
    except (psutil.AccessDenied, psutil.NoSuchProcess):
        pass
    return None


def cpu_s(process: psutil.Process | None) -> float:
    if process is None:
        return 0.0
    times = process.cpu_times()
    return float(times.user + times.system)


def direct(http: httpx.AsyncClient, base_url: str, served: str, output_tokens: int) -> One:
    """The same request body and stream parsing as the profile's load generator."""
    spec = LoadSpec(base_url=base_url, model=served, concurrency=(1,), output_tokens=output_tokens)
    url = f"{base_url}/v1/chat/completions"

    async def one(prompt: str) -> int:
        timeline = Timeline(due=0.0)
        async for chunk in stream_chunks(http, url, request_body(spec, prompt)):
            take_chunk(timeline, chunk, 0.0)
        decode = (timeline.timings or {}).get("predicted_per_second")
        if decode:
            SERVER_DECODE.append(float(decode))
        usage = timeline.usage or {}
        return int(usage.get("completion_tokens", len(timeline.chunk_times)))

    return one


def harness(client: AgentClient, model: str, output_tokens: int) -> One:
    async def one(prompt: str) -> int:
        request = pb.GenerateRequest(
            model=model,
            messages=[pb.ChatMessage(role="user", content=prompt)],
            max_tokens=output_tokens,
            ignore_eos=True,
            temperature=0.0,
            timeout_s=600,
        )
        result = await client.generate(request)
        return int(result.usage.completion_tokens)

    return one


async def measure(
    args: argparse.Namespace, config_path: Path, model_key: str, levels: list[int]
) -> list[dict]:
    config = load_config(config_path)
    model = next(m for m in config.models if m.key == model_key or m.name == model_key)
    rows = []
    async with AgentClient(model.node, config.nodes[model.node]) as client:
        status = next(s for s in await client.list_models() if s.spec.name == model.name)
        host = config.nodes[model.node].address.rsplit(":", 1)[0]
        base_url = f"http://{host}:{status.port}"
        served = status.spec.served_name or model.name
        # Idle connections go before the server's keep-alive timeout closes them under us
        # (llama-server: 'Server disconnected without sending a response').
        limits = httpx.Limits(max_connections=max(levels) + 4, keepalive_expiry=1.0)
        async with httpx.AsyncClient(timeout=600, limits=limits, trust_env=False) as http:
            paths = {
                "direct": direct(http, base_url, served, args.output_tokens),
                "harness": harness(client, model.name, args.output_tokens),
            }
            me = psutil.Process()
            agent = listening_process(int(config.nodes[model.node].address.rsplit(":", 1)[1]))
            await level(1, 2, args.prompt_tokens, paths["direct"])  # warm-up, discarded
            for c in levels:
                n = args.requests or max(8, 4 * c)
                seen: dict[str, list[float]] = {"direct": [], "harness": []}
                # CPU ms per token of this process (client / controller) and the agent.
                cost: dict[str, list[tuple[float, float]]] = {"direct": [], "harness": []}
                for _ in range(args.rounds):
                    for name in ("direct", "harness"):
                        mine, theirs = cpu_s(me), cpu_s(agent)
                        tok_s, tokens = await level(
                            c, n, args.prompt_tokens, paths[name], args.output_tokens
                        )
                        seen[name].append(tok_s)
                        cost[name].append(((cpu_s(me) - mine) * 1e3 / max(tokens, 1),
                                           (cpu_s(agent) - theirs) * 1e3 / max(tokens, 1)))  # fmt: skip
                a, b = statistics.median(seen["direct"]), statistics.median(seen["harness"])
                client_ms = statistics.median(x for x, _ in cost["direct"])
                ours_ms = statistics.median(x + y for x, y in cost["harness"])
                short, SHORT[:] = list(SHORT), []
                decodes, SERVER_DECODE[:] = list(SERVER_DECODE), []
                # The server's own per-request decode speed tells a slow server (it drops
                # too) from time lost between requests (it stays put).
                server = f"   server decode p50 {statistics.median(decodes):.0f} tok/s" \
                    if decodes else ""  # fmt: skip
                rows.append({"concurrency": c, "requests": n, "direct_tok_s": a,
                             "harness_tok_s": b, "ratio": b / a, "short": len(short),
                             "server_decode_p50": statistics.median(decodes) if decodes else None,
                             "direct_client_cpu_ms_per_token": client_ms,
                             "harness_cpu_ms_per_token": ours_ms if agent else None,
                             })  # fmt: skip
                warn = f"   INVALID: {len(short)} requests not {args.output_tokens} tokens " \
                       f"(e.g. {short[:3]})" if short else ""  # fmt: skip
                cpu = f"   CPU ms/token: direct client {client_ms:.2f}, controller + agent " \
                      f"{ours_ms:.2f}" if agent else ""  # fmt: skip
                print(f"  c={c:<4} direct {a:9.1f} tok/s   harness {b:9.1f} tok/s   "
                      f"ratio {b / a:.3f}{server}{cpu}{warn}", flush=True)  # fmt: skip
    return rows


def fake_cluster(folder: Path, tok_s: float = 0.0) -> tuple[Path, str, object]:
    """An agent of its own with the fake server (vLLM flavour): as fast as it can go, or
    each stream paced at tok_s tokens/s."""
    from tests.integration.agent_process import AgentProcess

    pace = ["--fault", f"tok_s={tok_s:g}"] if tok_s else []
    command = json.dumps([sys.executable, "-m", "tests.fakes.fake_openai", "--flavour", "vllm",
                          *pace])  # fmt: skip
    agent = AgentProcess(folder / "agent", f"[vllm]\ncommand = {command}\n")
    agent.write_config()
    agent.start()
    (folder / "model").mkdir()
    spec = pb.ModelSpec(name="fake", backend="vllm", model=str(folder / "model"),
                        served_name="fake", context_length=4096)  # fmt: skip
    status = agent.stub.StartModel(pb.StartModelRequest(spec=spec, wait_ready_s=60),
                                   metadata=agent.metadata, timeout=90)  # fmt: skip
    if status.state != pb.MODEL_STATE_READY:
        agent.stop()
        raise SystemExit(f"fake model not ready: {status.last_error}")
    models = folder / "models.toml"
    models.write_text(f'[nodes.fake]\naddress = "{agent.address}"\ntoken_file = '
                      f'"{agent.token_file}"\n\n[[models]]\nname = "fake"\nnode = "fake"\n'
                      f'backend = "vllm"\nmodel = "{folder / "model"}"\nserved_name = "fake"\n')  # fmt: skip
    return models, "fake/fake", agent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, help="models.toml with the model up")
    parser.add_argument("--model", help="NODE/NAME of the model to measure")
    parser.add_argument("--fake", action="store_true", help="an agent + fake server of its own")
    parser.add_argument("--fake-tok-s", default="",
                        help="with --fake: pace each stream, one rate per level (e.g. 620,190,63 "
                             "gives the reference H100's 620/3,012/4,027 tok/s at 1,16,64)")  # fmt: skip
    parser.add_argument("--concurrency", default="1,16,64",
                        type=lambda s: [int(x) for x in s.split(",")])  # fmt: skip
    parser.add_argument("--requests", type=int, default=0, help="per level (0: max(8, 4c))")
    parser.add_argument("--output-tokens", type=int, default=128)
    parser.add_argument("--prompt-tokens", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
    if not args.fake and not (args.config and args.model):
        parser.error("give --config and --model, or --fake")
    paces = [float(x) for x in args.fake_tok_s.split(",") if x.strip()]
    if paces and (not args.fake or len(paces) != len(args.concurrency)):
        parser.error("--fake-tok-s needs --fake and one rate per --concurrency level")
    rows = []
    # A paced fake runs one level per server (its pace is fixed when it starts).
    runs = (
        [([c], pace) for c, pace in zip(args.concurrency, paces, strict=True)]
        if paces
        else [(args.concurrency, 0.0)]
    )
    for levels, pace in runs:
        with tempfile.TemporaryDirectory() as tmp:
            agent = None
            config, model = args.config, args.model
            if args.fake:
                config, model, agent = fake_cluster(Path(tmp), pace)
            try:
                paced = f", paced at {pace:g} tok/s per stream" if pace else ""
                print(f"harness overhead: {model}{paced}, {args.output_tokens} output tokens, "
                      f"median of {args.rounds} alternating rounds", flush=True)  # fmt: skip
                rows += asyncio.run(measure(args, config, model, levels))
            finally:
                if agent is not None:
                    agent.stop()  # type: ignore[attr-defined]
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
