"""``duban local up|down|status``: the distributed topology as local processes.

Every part under gunicorn, each with its own PostgreSQL database, plus one event worker per part
(outbox relay + consumer) and the monitoring sweeper, against the local RabbitMQ; nginx at the edge on
$PORT routes ``/api/<service>/…`` to the services (gateway/edge.py) and Redis holds the counters shared
across processes. The case index is on ``ELASTICSEARCH_URL`` when it is set, else on the Elasticsearch-API
engine of noida-db started here on a free loopback port (real Elasticsearch cannot run on every machine;
docs/search.md lists what that engine lacks). Every gunicorn binds to loopback. State lives in
$DUBAN_DATA/local.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from gateway.registry import PARTS, extra_processes, queue_bindings
from shared.files import open_private_append, private_dir, write_new_private

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/"


@dataclass(frozen=True)
class Layout:
    root: Path
    port: int
    port_base: int
    pg: str
    db_prefix: str
    amqp_url: str
    redis_url: str

    @classmethod
    def from_env(cls) -> Layout:
        data = Path(os.environ.get("DUBAN_DATA", "var"))
        return cls(root=(data / "local").resolve(), port=int(os.environ.get("PORT", "8000")),
                   port_base=int(os.environ.get("DUBAN_LOCAL_PORT_BASE", "8100")),
                   pg=os.environ.get("POSTGRES_URL", PG_DEFAULT).rstrip("/") + "/",
                   db_prefix=os.environ.get("DUBAN_LOCAL_DB_PREFIX", "duban_"),
                   amqp_url=os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"),
                   redis_url=os.environ.get("DUBAN_REDIS_URL", "redis://127.0.0.1:6379/0"))

    @property
    def internal_port(self) -> int:
        """The edge's listener for the gateway's calls to the services (the port base itself, unused else)."""
        return self.port_base

    def port_of(self, part: str) -> int:
        """The loopback port of a part's gunicorn (nginx alone listens on $PORT)."""
        return self.port_base + 1 + list(PARTS).index(part)

    def database_url(self, part: str) -> str:
        return f"{self.pg}{self.db_prefix}{part}"

    def token_keys(self) -> tuple[Path, Path]:
        """The topology's token key pair: the private key file (gateway only) and the public bundle."""
        from shared.keys import embedded_keys

        embedded_keys(self.root / "keys")  # generated once, mode 0600, like a deployment's secret files
        return self.root / "keys" / "jwt-signing-key.pem", self.root / "keys" / "jwt-public-keys.pem"

    def elasticsearch_url(self) -> str:
        """The cluster the case index uses: ``ELASTICSEARCH_URL``, else the local engine ``up`` started."""
        if os.environ.get("ELASTICSEARCH_URL"):
            return os.environ["ELASTICSEARCH_URL"]
        path = self.root / "elasticsearch-url"
        return path.read_text().strip() if path.exists() else "http://127.0.0.1:9200"

    @property
    def search_index(self) -> str:
        """Each topology its own alias (index names are lower case, no underscores at the start)."""
        return self.db_prefix.replace("_", "-").strip("-") + "-cases"

    def caller_key(self) -> Path:
        """The key of the callers' phone hashes, shared by every process of the topology."""
        self.secret("caller-key")
        return self.root / "caller-key"

    def secret(self, name: str) -> str:
        path = self.root / name
        write_new_private(path, secrets.token_urlsafe(32))  # a no-op once it exists
        return path.read_text().strip()


def _env(layout: Layout, part: str) -> dict[str, str]:
    from gateway.edge import LOCAL_SOURCE

    env = {**os.environ, "DUBAN_MODE": "distributed", "DATABASE_URL": layout.database_url(part),
           "AMQP_URL": layout.amqp_url, "DUBAN_JWT_PUBLIC_KEYS_FILE": str(layout.token_keys()[1]),
           "DUBAN_CALLER_KEY_FILE": str(layout.caller_key()),
           "ELASTICSEARCH_URL": layout.elasticsearch_url(), "DUBAN_SEARCH_INDEX": layout.search_index,
           "PROMETHEUS_MULTIPROC_DIR": str(layout.root / "prometheus" / part), "PORT": str(layout.port_of(part)),
           "PYTHONUNBUFFERED": "1", "DUBAN_REDIS_URL": layout.redis_url, "DUBAN_REDIS_PREFIX": layout.db_prefix,
           # behind nginx: one trusted hop, which replaces any X-Forwarded-For a client sends, believed only
           # from the edge's own loopback address
           "DUBAN_TRUSTED_PROXIES": "1", "DUBAN_TRUSTED_PROXY_NETWORKS": f"{LOCAL_SOURCE}/32"}
    env.pop("DUBAN_JWT_PRIVATE_KEY_FILE", None)
    if part == "gateway":
        env["DUBAN_JWT_PRIVATE_KEY_FILE"] = str(layout.token_keys()[0])
        # Its pages call the services through the edge's internal listener (gateway/edge.py).
        env["DUBAN_SERVICES_URL"] = f"http://127.0.0.1:{layout.internal_port}"
    return env


def admin_env(layout: Layout) -> dict[str, str]:
    """What an operator's shell needs for the admin commands against this topology (`duban local env`)."""
    return {"DUBAN_MODE": "distributed", "AMQP_URL": layout.amqp_url,
            "DUBAN_DATABASE_URLS": ",".join(f"{part}={layout.database_url(part)}" for part in PARTS),
            "DUBAN_JWT_PUBLIC_KEYS_FILE": str(layout.token_keys()[1]),
            "DUBAN_REDIS_URL": layout.redis_url, "DUBAN_REDIS_PREFIX": layout.db_prefix,
            "ELASTICSEARCH_URL": layout.elasticsearch_url(), "DUBAN_SEARCH_INDEX": layout.search_index,
            "DUBAN_CALLER_KEY_FILE": str(layout.caller_key())}


def _create_databases(layout: Layout) -> None:
    import psycopg

    with psycopg.connect(layout.pg + "postgres", autocommit=True) as conn:
        existing = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
        for part in PARTS:
            name = layout.db_prefix + part
            if name not in existing:
                conn.execute(f'CREATE DATABASE "{name}"')


def _spawn(layout: Layout, name: str, argv: list[str], env: dict[str, str]) -> int:
    commands = layout.root / "commands.json"
    known = json.loads(commands.read_text()) if commands.exists() else {}
    commands.write_text(json.dumps({**known, name: argv}, indent=2))  # what `duban local restart` runs again
    log = open_private_append(layout.root / "logs" / f"{name}.log")
    try:
        process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                   cwd=Path(__file__).resolve().parents[1])
    finally:
        os.close(log)
    return process.pid


def _wait_ready(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


@click.group("local")
def local() -> None:
    """The distributed topology as local processes (PostgreSQL + RabbitMQ on this machine)."""


@local.command("up")
@click.option("--workers", default=2, show_default=True, help="gunicorn workers per part")
def up(workers: int) -> None:
    """Create databases, apply the broker topology, migrate, seed the directory, start everything."""
    from shared.bus.topology import apply_definitions
    from shared.settings import Settings

    layout = Layout.from_env()
    if (layout.root / "pids.json").exists():
        raise click.ClickException(f"already running (see {layout.root / 'pids.json'}); run `duban local down`")
    for sub in ("logs", "prometheus", "run", "edge"):
        shutil.rmtree(layout.root / sub, ignore_errors=True)
        private_dir(layout.root / sub)
    (layout.root / "commands.json").unlink(missing_ok=True)
    from gateway import edge

    edge_conf = edge.write_local(_edge_config(layout))  # fails early when nginx's config is wrong or absent
    try:
        edge_argv = edge.argv(edge_conf)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
    check = subprocess.run([*edge_argv[:-2], "-t", "-q"], capture_output=True, text=True)
    if check.returncode != 0:
        raise click.ClickException(f"nginx refused its configuration: {check.stderr.strip()}")
    for part in PARTS:
        private_dir(layout.root / "prometheus" / part)
    pids: dict[str, int] = {}
    if not os.environ.get("ELASTICSEARCH_URL"):
        pids["elasticsearch"] = _start_search_engine(layout)
        (layout.root / "pids.json").write_text(json.dumps(pids, indent=2))  # `down` stops it if up fails later
    _create_databases(layout)
    apply_definitions(layout.amqp_url, queue_bindings=queue_bindings())
    for part_name, spec in PARTS.items():
        spec.migrate(Settings.from_env(_env(layout, part_name)))
    _seed(layout)
    python = sys.executable
    for part in PARTS:
        argv = [python, "-m", "gunicorn", "--workers", str(workers), "--threads", "4",
                "--worker-class", "gthread", "--bind", f"127.0.0.1:{layout.port_of(part)}",
                "--access-logfile", "-", "--config", "python:gateway.gunicorn_conf",
                # each gunicorn its own control socket (the default path is one per user)
                "--control-socket", str(layout.root / "run" / f"{part}-web.ctl"),
                f'gateway.wsgi:part("{part}")']
        pids[f"{part}-web"] = _spawn(layout, f"{part}-web", argv, _env(layout, part))
        pids[f"{part}-worker"] = _spawn(layout, f"{part}-worker",
                                        [python, "-m", "gateway.cli", "events", "worker", part],
                                        _env(layout, part))
    for name, argv in _extra_processes(python).items():
        pids[name] = _spawn(layout, name, argv, _env(layout, extra_processes()[name][0]))
    pids["edge"] = _spawn(layout, "edge", edge_argv, {**os.environ})
    (layout.root / "pids.json").write_text(json.dumps(pids, indent=2))
    for part in PARTS:
        url = f"http://127.0.0.1:{layout.port_of(part)}/readyz"
        if not _wait_ready(url, 60):
            raise click.ClickException(f"{part} did not become ready; see {layout.root / 'logs'}")
    if not _wait_ready(f"http://127.0.0.1:{layout.port}/readyz", 30):
        raise click.ClickException(f"the nginx edge did not answer on {layout.port}; see {layout.root / 'logs'}")
    click.echo(f"Duban distributed topology is up: http://127.0.0.1:{layout.port}/ (nginx edge)")
    for part in PARTS:
        click.echo(f"  {part:<12} 127.0.0.1:{layout.port_of(part)} (loopback)  db {layout.database_url(part)}")
    click.echo(f"  demo users' password: {(layout.root / 'demo-password').read_text().strip()}")
    click.echo(f"  logs: {layout.root / 'logs'}; stop with `make down-local`")


def _start_search_engine(layout: Layout) -> int:
    """noida-db's Elasticsearch-API engine on a free loopback port, its data in the topology's folder."""
    import socket

    binary = shutil.which("noida-db") or str(Path(sys.executable).with_name("noida-db"))
    if not Path(binary).exists():
        raise click.ClickException("the case index needs Elasticsearch: set ELASTICSEARCH_URL, or install the "
                                   "test extras (pip install -e '.[test]') for the local noida-db engine")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (layout.root / "elasticsearch-url").write_text(f"http://127.0.0.1:{port}\n")
    private_dir(layout.root / "elasticsearch")
    pid = _spawn(layout, "elasticsearch", [binary, "start", "--only", "elasticsearch", "--elasticsearch-port",
                                           str(port), "--data-dir", str(layout.root / "elasticsearch")],
                 {**os.environ})
    if not _wait_ready(layout.elasticsearch_url(), 30):
        raise click.ClickException(f"the local Elasticsearch-API engine did not start; see {layout.root / 'logs'}")
    return pid


def _part_of(process: str) -> str:
    """The part a process name (``hotline-web``, ``monitoring-sweeper``) belongs to."""
    extras = extra_processes()
    return extras[process][0] if process in extras else process.rsplit("-", 1)[0]


def _edge_config(layout: Layout) -> Any:
    from gateway.edge import LOCAL_SOURCE, EdgeConfig

    return EdgeConfig(listen=f"127.0.0.1:{layout.port}", workers="2", prefix=layout.root / "edge",
                      source=LOCAL_SOURCE, internal_listen=f"127.0.0.1:{layout.internal_port}",
                      upstreams={part: f"127.0.0.1:{layout.port_of(part)}" for part in PARTS},
                      public_per_minute=int(os.environ.get("DUBAN_PUBLIC_RATE_LIMIT", "20")))


def _extra_processes(python: str) -> dict[str, list[str]]:
    """Processes beyond web + worker per part (e.g. the monitoring sweeper), from ``PARTS``."""
    return {name: [python, "-m", "gateway.cli", *argv] for name, (_part, argv) in extra_processes().items()}


def _seed(layout: Layout) -> None:
    """Demo directory with a generated password (never the published default outside embedded mode)."""
    import gateway
    from gateway.handlers import seed_demo
    from shared.bootstrap import Environment
    from shared.settings import Settings

    directory = gateway.open_context(Environment(Settings.from_env(_env(layout, "gateway"))))
    try:
        seed_demo(directory, password=layout.secret("demo-password"))
    finally:
        directory.db.dispose()


@local.command("down")
def down() -> None:
    """Stop every process `duban local up` started (SIGTERM, then SIGKILL after 10 s)."""
    layout = Layout.from_env()
    path = layout.root / "pids.json"
    if not path.exists():
        click.echo("nothing is running")
        return
    pids: dict[str, int] = json.loads(path.read_text())
    _stop(list(pids.values()))
    path.unlink()
    click.echo(f"stopped {len(pids)} processes")


@local.command("restart")
@click.argument("name")
def restart(name: str) -> None:
    """Stop one process (a NAME `duban local status` prints) and start it again with the same command."""
    layout = Layout.from_env()
    path, commands = layout.root / "pids.json", layout.root / "commands.json"
    if not path.exists():
        raise click.ClickException("nothing is running; `duban local up` first")
    pids: dict[str, int] = json.loads(path.read_text())
    argv = json.loads(commands.read_text()).get(name) if commands.exists() else None
    if name not in pids or argv is None:
        raise click.BadParameter(f"{name!r} is not a process of this topology (known: {', '.join(pids)})",
                                 param_hint="NAME")
    _stop([pids[name]])
    env = {**os.environ} if name in ("edge", "elasticsearch") else _env(layout, _part_of(name))
    pids[name] = _spawn(layout, name, argv, env)
    path.write_text(json.dumps(pids, indent=2))  # `duban local down` stops the new process too
    click.echo(f"restarted {name}: pid {pids[name]}")


@local.command("env")
def env_command() -> None:
    """Shell exports for the admin commands against this topology: eval "$(duban local env)"."""
    import shlex

    for key, value in admin_env(Layout.from_env()).items():
        click.echo(f"export {key}={shlex.quote(value)}")


@local.command("status")
def status() -> None:
    """Which local processes are alive."""
    layout = Layout.from_env()
    path = layout.root / "pids.json"
    if not path.exists():
        click.echo("nothing is running")
        return
    for name, pid in json.loads(path.read_text()).items():
        click.echo(f"{name:<22} {pid:>8} {'up' if _alive(pid) else 'DOWN'}")


def _stop(pids: list[int]) -> None:
    """SIGTERM each process group, then SIGKILL what is left after 10 s."""
    for pid in pids:
        _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.1)
    for pid in pids:
        if _alive(pid):
            _signal_group(pid, signal.SIGKILL)


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie child of ours counts as gone
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True
