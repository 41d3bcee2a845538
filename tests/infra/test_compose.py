"""docker-compose.yml, the Dockerfile and the infra/ files, checked against the code.

The compose deployment cannot run here, so every part, command, variable, port and mounted file is
verified by reading the files: a part added to gateway/registry.py without its services, a variable
name with a typo, or a Prometheus job pointing at a port nobody listens on fails here.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import pytest

try:
    import yaml
except ModuleNotFoundError:  # PyYAML comes with the test extras: `pip install -e '.[test]'`
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise
    pytest.skip("PyYAML is not installed; the compose checks need it", allow_module_level=True)

from gateway.registry import PARTS, extra_processes
from shared.settings import ENVIRONMENT_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"

# Parts whose registration in gateway/registry.py is under way: the compose file already runs them.
# The marks below expect their CLI checks to fail until then; once a part is in PARTS it is checked
# like every other, and its name can go from this list.
PENDING_PARTS: tuple[str, ...] = ()
ALL_PARTS = [*PARTS, *(name for name in PENDING_PARTS if name not in PARTS)]
NOT_YET_REGISTERED = {name for name in PENDING_PARTS if name not in PARTS}

# Processes beyond web + worker per part (mirrors gateway/local.py), without their --metrics-port.
# Processes beyond web + worker, as PARTS declares them: name → (part, the command line compose must run).
EXTRA_PROCESSES = {name: (part, ["duban", *argv]) for name, (part, argv) in extra_processes().items()}

# Processes without a web app serve their Prometheus metrics on a port of their own (shared.metrics.serve_metrics).
METRICS_PORT_OPTION = "--metrics-port"

# Host ports other than the gateway's: the consoles, bound to the host's loopback interface.
CONSOLES = {"rabbitmq": 15672, "prometheus": 9090, "grafana": 3000}


# ---- reading compose the way `docker compose` does ------------------------------------------------

_INTERPOLATION = re.compile(
    r"\$\$|\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)")


def interpolate(text: str, env: dict[str, str] | None = None) -> str:
    """Compose variable substitution; a required variable that is unset gets a stand-in value."""
    env = env or {}

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("braced") or match.group("bare")
        op, arg = match.group("op"), match.group("arg")
        value = env.get(name)
        if op == ":-":
            return value or arg
        if op == "-":
            return arg if value is None else value
        if op in (":?", "?"):
            return value if value else f"{name.lower().replace('_', '-')}-value"
        return value or ""

    return _INTERPOLATION.sub(substitute, text)


def compose_variables(text: str) -> dict[str, str | None]:
    """Every ${VAR…} of a compose file: name → operator (None, ':-', '-', ':?', '?')."""
    found: dict[str, str | None] = {}
    for match in _INTERPOLATION.finditer(text):
        name = match.group("braced") or match.group("bare")
        if name and (found.get(name) is None or match.group("op") in (":?", "?")):
            found[name] = match.group("op")
    return found


def resolve(value: Any) -> Any:
    if isinstance(value, str):
        return interpolate(value)
    if isinstance(value, list):
        return [resolve(item) for item in value]
    if isinstance(value, dict):
        return {key: resolve(item) for key, item in value.items()}
    return value


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def services(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: resolve(service) for name, service in raw["services"].items()}


def command(service: dict[str, Any]) -> list[str]:
    cmd = service.get("command") or []
    return shlex.split(cmd) if isinstance(cmd, str) else [str(arg) for arg in cmd]


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def metrics_port(cmd: list[str]) -> int | None:
    """The port given with --metrics-port (as a separate argument or with =), None without it."""
    ports = [cmd[i + 1] for i, arg in enumerate(cmd[:-1]) if arg == METRICS_PORT_OPTION]
    ports += [arg.split("=", 1)[1] for arg in cmd if arg.startswith(f"{METRICS_PORT_OPTION}=")]
    assert len(ports) <= 1, f"{METRICS_PORT_OPTION} given more than once in {cmd}"
    return int(ports[0]) if ports else None


def without_metrics_port(cmd: list[str]) -> list[str]:
    """The command without its --metrics-port option: what it runs, not where it serves its metrics."""
    kept: list[str] = []
    skip = False
    for arg in cmd:
        if skip:
            skip = False
        elif arg == METRICS_PORT_OPTION:
            skip = True
        elif not arg.startswith(f"{METRICS_PORT_OPTION}="):
            kept.append(arg)
    return kept


def role(service: dict[str, Any]) -> tuple[str, str] | None:
    """(role, part) of an app container, from its command; None for the engines."""
    cmd = command(service)
    if cmd[:1] == ["gunicorn"]:
        match = re.fullmatch(r'gateway\.wsgi:part\("([a-z_]+)"\)', cmd[-1])
        return ("web", match.group(1)) if match else ("web?", "")
    cmd = without_metrics_port(cmd)
    if cmd[:3] == ["duban", "events", "worker"] and len(cmd) == 4:
        return "worker", cmd[3]
    if cmd[:3] == ["duban", "migrate", "--part"] and len(cmd) == 4:
        return "migrate", cmd[3]
    for name, (part, argv) in EXTRA_PROCESSES.items():
        if cmd == argv:
            return name.removeprefix(f"{part}-"), part
    return None


def app_services(services: dict[str, dict[str, Any]]) -> dict[str, tuple[str, str]]:
    return {name: found for name, service in services.items() if (found := role(service))}


def web_services(services: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Web service name → its part."""
    return {name: part for name, (kind, part) in app_services(services).items() if kind == "web"}


def metrics_endpoint(name: str, service: dict[str, Any]) -> int | None:
    """The port on which an app container serves /metrics; None for a release step, which has none.

    A web service serves them on its bind port (gateway.wsgi); every other long-running process (event
    workers, the sweeper) records bus or sweep figures only it knows, so it must serve them itself.
    """
    kind, _part = role(service) or ("", "")
    if kind == "migrate":
        return None
    if kind == "web":
        return bind_port(service)
    port = metrics_port(command(service))
    assert port is not None, f"{name} has metrics nobody can scrape: its command needs {METRICS_PORT_OPTION}"
    return port


def bind_port(service: dict[str, Any]) -> int:
    cmd = command(service)
    binds = [cmd[i + 1] for i, arg in enumerate(cmd) if arg in ("--bind", "-b")]
    binds += [arg.split("=", 1)[1] for arg in cmd if arg.startswith("--bind=")]
    assert len(binds) == 1, f"one --bind expected in {cmd}"
    host, _, port = binds[0].rpartition(":")
    assert host == "0.0.0.0", "a container must listen on all its interfaces to be reachable"
    return int(port)


def published(service: dict[str, Any]) -> list[tuple[str, int]]:
    """(host address, container port) of every published port (short syntax)."""
    found = []
    for spec in service.get("ports") or []:
        if isinstance(spec, dict):
            found.append((str(spec.get("host_ip", "")), int(spec["target"])))
            continue
        pieces = str(spec).split("/")[0].split(":")
        host = pieces[0] if len(pieces) == 3 else ""
        found.append((host, int(pieces[-1])))
    return found


def mounts(service: dict[str, Any]) -> dict[str, str]:
    """Bind mounts of repository files: source relative to the repository → target."""
    found = {}
    for volume in service.get("volumes") or []:
        source, _, rest = str(volume).partition(":")
        if source.startswith("."):
            found[str(Path(source))] = rest.split(":")[0]
    return found


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


# ---- parts, roles and the one image ---------------------------------------------------------------

def test_every_part_has_a_web_service_a_worker_and_a_migration(services: dict[str, dict[str, Any]]) -> None:
    apps = app_services(services)
    for part in ALL_PARTS:
        assert apps.get(part) == ("web", part), f"no web service {part!r} running gateway.wsgi:part({part!r})"
        assert apps.get(f"{part}-worker") == ("worker", part), f"no {part}-worker running its event worker"
        assert apps.get(f"migrate-{part}") == ("migrate", part), f"no migrate-{part} release step"
    assert {part for _, part in apps.values()} == set(ALL_PARTS), "a service runs a part the code does not have"
    unknown = [name for name, service in services.items()
               if "build" in service and name not in apps]
    assert not unknown, f"app containers whose command is not a known role: {unknown}"


def test_the_monitoring_part_has_its_sweeper(services: dict[str, dict[str, Any]]) -> None:
    for name, (part, argv) in EXTRA_PROCESSES.items():
        assert name in services, f"{name} is missing"
        assert without_metrics_port(command(services[name])) == argv
        assert database_name(environment(services[name])["DATABASE_URL"]) == f"duban_{part}"


def test_one_image_for_every_role(services: dict[str, dict[str, Any]]) -> None:
    apps = app_services(services)
    images = {services[name].get("image") for name in apps}
    assert len(images) == 1 and None not in images, f"app services must share one image: {images}"
    for name in apps:
        build = services[name].get("build")
        context = build if isinstance(build, str) else (build or {}).get("context")
        assert context == ".", f"{name} must build the repository's Dockerfile"


def _cli_cases() -> list[Any]:
    with_roles = [*(f"{part}{suffix}" for part in ALL_PARTS for suffix in ("", "-worker")),
                  *(f"migrate-{part}" for part in ALL_PARTS), *EXTRA_PROCESSES]
    cases = []
    for name in with_roles:
        part = EXTRA_PROCESSES[name][0] if name in EXTRA_PROCESSES else name.removeprefix("migrate-").split("-")[0]
        marks = [pytest.mark.xfail(reason=f"{part} is not registered in gateway/registry.py and gateway/cli.py yet",
                                   strict=True)] if part in NOT_YET_REGISTERED else []
        cases.append(pytest.param(name, marks=marks, id=name))
    return cases


@pytest.mark.parametrize("name", _cli_cases())
def test_every_command_exists_in_the_code(services: dict[str, dict[str, Any]], name: str) -> None:
    """The command of each container parses against the real `duban` CLI and names a registered part."""
    from gateway.cli import main

    assert name in services, f"docker-compose.yml has no service {name}"
    kind, part = role(services[name]) or ("", "")
    assert part in PARTS, f"{name} runs {part!r}, which gateway/registry.py does not know"
    cmd = command(services[name])
    if kind == "web":
        return  # gateway.wsgi:part(name) needs nothing more than a registered part
    assert cmd[0] == "duban"
    group: click.Command = main
    args = cmd[1:]
    while isinstance(group, click.Group) and args and args[0] in group.commands:
        group = group.commands[args.pop(0)]
    assert not isinstance(group, click.Group), f"`{' '.join(cmd)}` is not a duban command"
    # Raises on an unknown option (such as a --metrics-port the command does not have) or a bad choice.
    context = group.make_context(group.name or "duban", list(args))
    if kind != "migrate":
        port = metrics_endpoint(name, services[name])
        assert context.params.get("metrics_port") == port, (
            f"`{' '.join(cmd)}` does not serve its metrics on port {port}: {context.params}")


# ---- environment ----------------------------------------------------------------------------------

def test_every_app_container_gets_the_distributed_settings(raw: dict[str, Any],
                                                           services: dict[str, dict[str, Any]]) -> None:
    init_sql = (ROOT / "infra" / "postgres" / "init.sql").read_text()
    created = set(re.findall(r"CREATE\s+DATABASE\s+\"?([a-z_]+)\"?", init_sql, flags=re.IGNORECASE))
    for name, (_kind, part) in app_services(services).items():
        env = environment(services[name])
        assert env.get("DUBAN_MODE") == "distributed", name
        url = urlsplit(env.get("DATABASE_URL", ""))
        assert url.scheme == "postgresql" and url.hostname == "postgres", f"{name}: {env.get('DATABASE_URL')}"
        assert database_name(env["DATABASE_URL"]) == f"duban_{part}", f"{name} must use its own part's database"
        assert f"duban_{part}" in created, f"infra/postgres/init.sql does not create duban_{part}"
        assert urlsplit(env.get("AMQP_URL", "")).hostname == "rabbitmq", name
        assert urlsplit(env.get("ELASTICSEARCH_URL", "")).hostname == "elasticsearch", name
        # Tokens: every part verifies with the public keys; only the gateway's web role can sign (DESIGN §8).
        assert env.get("DUBAN_JWT_PUBLIC_KEYS_FILE") == "/run/secrets/jwt-public-keys", name
        assert "jwt-public-keys" in (services[name].get("secrets") or []), name
        signs = name == "gateway"
        assert ("DUBAN_JWT_PRIVATE_KEY_FILE" in env) == signs, f"{name}: only the gateway holds the signing key"
        assert ("jwt-signing-key" in (services[name].get("secrets") or [])) == signs, name
        if signs:
            assert env["DUBAN_JWT_PRIVATE_KEY_FILE"] == "/run/secrets/jwt-signing-key"
        multiproc = env.get("PROMETHEUS_MULTIPROC_DIR")
        tmpfs = [str(entry).split(":")[0] for entry in services[name].get("tmpfs") or []]
        assert multiproc and multiproc in tmpfs, f"{name}: PROMETHEUS_MULTIPROC_DIR must be on a tmpfs"
        if _kind == "web":
            assert env.get("DUBAN_TRUSTED_PROXIES") == "1", f"{name} sits behind nginx: one trusted hop"


def test_no_credentials_are_written_in_the_compose_file(services: dict[str, dict[str, Any]]) -> None:
    """Every password in a URL comes from .env (the stand-in values of `interpolate`)."""
    for name in app_services(services):
        for key in ("DATABASE_URL", "AMQP_URL", "ELASTICSEARCH_URL"):
            password = urlsplit(environment(services[name])[key]).password
            assert password and password.endswith("-value"), f"{name}: {key} has a password written in the file"


def test_every_variable_set_on_an_app_container_is_one_the_code_reads(services: dict[str, dict[str, Any]]) -> None:
    for name in app_services(services):
        unknown = set(environment(services[name])) - set(ENVIRONMENT_VARIABLES)
        assert not unknown, f"{name} sets {sorted(unknown)}, unknown to shared.settings.ENVIRONMENT_VARIABLES"


def test_every_compose_variable_is_documented_in_env_example() -> None:
    example = (ROOT / ".env.example").read_text()
    listed = {name: commented for commented, name in re.findall(r"^(#?)([A-Z][A-Z0-9_]*)=", example, re.M)}
    for name, op in compose_variables(COMPOSE_FILE.read_text()).items():
        assert name in listed, f"${{{name}}} is used by docker-compose.yml but not described in .env.example"
        if op in (":?", "?"):
            assert listed[name] == "", f"{name} is required: .env.example must list it uncommented"


# ---- the gateway, ports and health ----------------------------------------------------------------

def test_the_edge_routes_to_every_part_with_the_config_the_code_renders(services: dict[str, dict[str, Any]]) -> None:
    from gateway.edge import COMPOSE_CONF, compose_config, render

    config = compose_config()
    assert COMPOSE_CONF.read_text() == render(config), (
        "infra/nginx/nginx.conf is stale: rewrite it with gateway.edge.render(gateway.edge.compose_config())")
    assert mounts(services["edge"]).get("infra/nginx/nginx.conf") == "/etc/nginx/nginx.conf"
    assert str(services["edge"]["image"]).startswith("nginx:")
    webs = web_services(services)
    assert set(config.upstreams) == set(ALL_PARTS)
    for part, address in config.upstreams.items():
        host, _, port = address.partition(":")
        assert webs.get(host) == part, f"{part} → {address}: no web service of {part} there"
        assert int(port) == bind_port(services[host]), f"{part} → {address}: nobody listens there"
        depends = services["edge"].get("depends_on") or {}
        assert depends.get(host, {}).get("condition") == "service_healthy", f"edge must wait for {host}"


def test_only_the_edge_and_the_consoles_publish_ports(services: dict[str, dict[str, Any]]) -> None:
    from gateway.edge import compose_config

    for name, service in services.items():
        ports = published(service)
        if not ports:
            continue
        if name == "edge":
            assert [port for _, port in ports] == [int(compose_config().listen)]
        else:
            assert name in CONSOLES, f"{name} must not publish ports: {service['ports']}"
            assert ports == [("127.0.0.1", CONSOLES[name])], f"{name}: console on the host's loopback only"
    assert published(services["edge"]), "nginx is the entry point: it publishes its port"


def test_apps_and_engines_sit_on_the_internal_network_only(raw: dict[str, Any],
                                                           services: dict[str, dict[str, Any]]) -> None:
    assert raw["networks"]["internal"].get("internal") is True
    [subnet] = [interpolate(str(c["subnet"])) for c in raw["networks"]["internal"]["ipam"]["config"]]
    for name, (kind, _part) in app_services(services).items():
        if kind == "web":  # X-Forwarded-For is believed from the internal network only (the edge's)
            assert environment(services[name]).get("DUBAN_TRUSTED_PROXY_NETWORKS") == subnet, name
    for name, service in services.items():
        networks = service.get("networks") or []
        assert "internal" in networks, f"{name} must join the internal network"
        if name == "edge" or name in CONSOLES:
            assert set(networks) == {"internal", "public"}, name
        else:
            assert networks == ["internal"], f"{name} is not for the outside: internal network only"


def test_redis_holds_the_shared_counters(services: dict[str, dict[str, Any]]) -> None:
    assert str(services["redis"]["image"]).startswith("redis:")
    assert services["redis"].get("healthcheck")
    for name, (kind, _part) in app_services(services).items():
        if kind == "web":
            assert urlsplit(environment(services[name]).get("DUBAN_REDIS_URL", "")).hostname == "redis", name
            depends = services[name].get("depends_on") or {}
            assert depends.get("redis", {}).get("condition") == "service_healthy", name


def test_web_services_are_healthy_when_ready(services: dict[str, dict[str, Any]]) -> None:
    for name in web_services(services):
        check = " ".join(str(arg) for arg in services[name].get("healthcheck", {}).get("test", []))
        assert f"http://127.0.0.1:{bind_port(services[name])}/readyz" in check, f"{name}: healthcheck on /readyz"


def test_start_order_and_restart_policies(services: dict[str, dict[str, Any]]) -> None:
    for name, (kind, part) in app_services(services).items():
        depends = services[name].get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions"
        assert depends.get("postgres", {}).get("condition") == "service_healthy", name
        if kind == "migrate":
            assert services[name].get("restart") == "no", f"{name} runs once"
            continue
        assert depends.get("rabbitmq", {}).get("condition") == "service_healthy", name
        assert depends.get(f"migrate-{part}", {}).get("condition") == "service_completed_successfully", name
        assert services[name].get("restart") in ("always", "unless-stopped", "on-failure"), name
    for engine in ("postgres", "rabbitmq"):
        assert services[engine].get("healthcheck"), f"{engine} needs a healthcheck for service_healthy"


# ---- engines and their files ----------------------------------------------------------------------

def test_every_mounted_file_exists(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for source in mounts(service):
            assert (ROOT / source).exists(), f"{name} mounts {source}, which does not exist"


def test_postgres_creates_the_databases_on_first_start(services: dict[str, dict[str, Any]]) -> None:
    targets = mounts(services["postgres"])
    assert targets.get("infra/postgres/init.sql", "").startswith("/docker-entrypoint-initdb.d/")
    assert environment(services["postgres"]).get("POSTGRES_PASSWORD", "").endswith("-value"), "from .env only"


def test_rabbitmq_loads_the_definitions(services: dict[str, dict[str, Any]]) -> None:
    rabbitmq = services["rabbitmq"]
    assert str(rabbitmq["image"]).startswith("rabbitmq:4") and "management" in rabbitmq["image"]
    targets = mounts(rabbitmq)
    definitions = targets.get("infra/rabbitmq/definitions.json")
    config = targets.get("infra/rabbitmq/rabbitmq.conf")
    assert definitions and config, "rabbitmq must mount definitions.json and rabbitmq.conf"
    assert config == "/etc/rabbitmq/rabbitmq.conf" or (config.startswith("/etc/rabbitmq/conf.d/")
                                                       and config.endswith(".conf"))
    conf = (ROOT / "infra" / "rabbitmq" / "rabbitmq.conf").read_text()
    settings = dict(re.findall(r"^\s*([\w.]+)\s*=\s*(\S+)", conf, flags=re.MULTILINE))
    loads = settings.get("load_definitions", "").rstrip("/")
    assert loads, "rabbitmq.conf must set load_definitions"
    assert definitions == loads or (definitions.startswith(loads + "/") and definitions.endswith(".json")), (
        f"rabbitmq.conf loads {loads}, the definitions are mounted at {definitions}")
    # With definitions to load RabbitMQ creates no default user: the entrypoint writes the users file
    # into the same folder, from the passwords in .env.
    entrypoint = " ".join(str(arg) for arg in rabbitmq.get("entrypoint") or [])
    assert f"{loads}/" in entrypoint and "docker-entrypoint.sh rabbitmq-server" in entrypoint
    app_user = urlsplit(environment(services["hotline"])["AMQP_URL"]).username
    assert environment(rabbitmq).get("BROKER_APP_USER") == app_user


def test_elasticsearch_is_a_bounded_single_node(services: dict[str, dict[str, Any]]) -> None:
    es = services["elasticsearch"]
    assert re.fullmatch(r"docker\.elastic\.co/elasticsearch/elasticsearch:9\.\d+\.\d+", es["image"])
    env = environment(es)
    assert env.get("discovery.type") == "single-node"
    assert re.search(r"-Xms\S+", env.get("ES_JAVA_OPTS", "")) and re.search(r"-Xmx\S+", env["ES_JAVA_OPTS"])
    assert es.get("deploy", {}).get("resources", {}).get("limits", {}).get("memory")
    assert env.get("ELASTIC_PASSWORD", "").endswith("-value"), "from .env only"


# ---- metrics ----------------------------------------------------------------------------------------

def test_prometheus_scrapes_every_process_that_has_metrics(services: dict[str, dict[str, Any]]) -> None:
    """Web services on their bind port, event workers and the sweeper on their --metrics-port; nothing else."""
    config = yaml.safe_load((ROOT / "infra" / "prometheus" / "prometheus.yml").read_text())
    mounted = mounts(services["prometheus"]).get("infra/prometheus/prometheus.yml")
    assert mounted == "/etc/prometheus/prometheus.yml"
    apps = app_services(services)
    expected = {(name, port) for name in apps if (port := metrics_endpoint(name, services[name])) is not None}
    for name, port in expected:
        if apps[name][0] != "web":
            exposed = {str(entry).split("/")[0] for entry in services[name].get("expose") or []}
            assert str(port) in exposed, f"{name}: expose its metrics port {port} on the compose network"
            assert port not in [target for _, target in published(services[name])], f"{name}: do not publish {port}"
    app_targets, other_targets = set(), set()
    for job in config["scrape_configs"]:
        found = [tuple(target.rsplit(":", 1)) for static in job.get("static_configs", [])
                 for target in static["targets"]]
        found += [(name, str(dns["port"])) for dns in job.get("dns_sd_configs", []) for name in dns["names"]]
        for host, port in found:
            if host in apps:
                assert job.get("metrics_path", "/metrics") == "/metrics", job["job_name"]
                assert job["job_name"] == host, (
                    f"job {job['job_name']} scrapes {host}: one job per service, named after it (the dashboards "
                    "select processes by job)")
                # Every replica of a service (docker compose up --scale) is found by its DNS name.
                assert job.get("dns_sd_configs") and not job.get("static_configs"), (
                    f"job {job['job_name']}: DNS discovery, so that every replica of {host} is scraped")
                app_targets.add((host, int(port)))
            else:
                assert host in services, f"job {job['job_name']} scrapes {host}, which is not a service"
                other_targets.add(host)
    assert not expected - app_targets, f"not scraped (or not on the port they serve): {sorted(expected - app_targets)}"
    assert not app_targets - expected, f"scraped where nothing serves /metrics: {sorted(app_targets - expected)}"
    assert not other_targets & set(apps)


def _known_metric_names() -> set[str]:
    from prometheus_client import REGISTRY

    importlib.import_module("shared.metrics")
    for part in ALL_PARTS:
        package = PARTS[part].package if part in PARTS else f"services.{part}"
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(f"{package}.metrics")
    names = set()
    for family in REGISTRY.collect():
        names.add(family.name)
        suffixes = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created"),
                    "summary": ("_count", "_sum", "_created")}.get(family.type, ())
        names.update(family.name + suffix for suffix in suffixes)
    return names


def test_the_dashboards_chart_metrics_the_code_exports(services: dict[str, dict[str, Any]]) -> None:
    datasources = yaml.safe_load(
        (ROOT / "infra" / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text())
    uids = {source["uid"] for source in datasources["datasources"]}
    known = _known_metric_names()
    dashboards = sorted((ROOT / "infra" / "grafana" / "dashboards").glob("*.json"))
    assert dashboards
    for path in dashboards:
        dashboard = json.loads(path.read_text())
        text = path.read_text()
        used = set(re.findall(r"\bduban_[a-z_]+", text)) - {"duban_" + part for part in ALL_PARTS}
        assert not used - known, f"{path.name} charts metrics nobody exports: {sorted(used - known)}"
        for required in ("duban_http_request_duration_seconds", "duban_outbox_backlog",
                         "duban_outbox_oldest_age_seconds", "duban_outbox_publish_failures_total",
                         "duban_bus_redeliveries_total", "duban_bus_dead_letters_total",
                         "duban_monitoring_cards_issued_total", "duban_hotline_tickets"):
            assert required in text, f"{path.name} has no panel for {required}"
        for panel in dashboard["panels"]:
            source = panel.get("datasource")
            if source:
                assert source["uid"] in uids, f"{path.name}: panel {panel['title']!r} uses an unknown datasource"
    grafana = mounts(services["grafana"])
    assert grafana.get("infra/grafana/provisioning") == "/etc/grafana/provisioning"
    provider = yaml.safe_load(
        (ROOT / "infra" / "grafana" / "provisioning" / "dashboards" / "duban.yml").read_text())
    assert {p["options"]["path"] for p in provider["providers"]} == {grafana["infra/grafana/dashboards"]}


# ---- the image --------------------------------------------------------------------------------------

def _dockerfile() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip() if " " in line.strip() else "")
            for line in (raw.strip() for raw in text.splitlines()) if line and not line.startswith("#")]


def test_the_dockerfile_installs_the_project_and_runs_its_commands() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    instructions = _dockerfile()
    bases = [args.split()[0] for op, args in instructions if op == "FROM"]
    assert bases and all(base == "python:3.11-slim" for base in bases)
    runs = " ".join(args for op, args in instructions if op == "RUN")
    assert re.search(r"\bpip install \.(\s|$)", runs), "the image installs the project with `pip install .`"
    assert "[test]" not in runs and "pip install -e" not in runs, "no test extras, no editable install"
    copied = " ".join(args for op, args in instructions if op == "COPY" and "--from" not in args)
    for pattern in [*pyproject["tool"]["setuptools"]["packages"]["find"]["include"], "pyproject.toml"]:
        assert pattern.rstrip("*") in copied.split(), f"the build copies no {pattern.rstrip('*')}"
    final = instructions[max(i for i, (op, _) in enumerate(instructions) if op == "FROM"):]
    users = [args for op, args in final if op == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the image runs as a non-root user"
    env = " ".join(args for op, args in final if op == "ENV")
    assert "PYTHONUNBUFFERED=1" in env
    assert all(op != "HEALTHCHECK" for op, _ in instructions), "health checks are per service, in compose"
    programs = {*pyproject["project"]["scripts"], "gunicorn"}
    assert any(dep.startswith("gunicorn") for dep in pyproject["project"]["dependencies"])
    for op, args in instructions:
        if op in ("CMD", "ENTRYPOINT"):
            assert json.loads(args)[0] in programs, f"{op} {args}: not a program the install provides"


def test_every_app_command_is_a_program_the_image_has(services: dict[str, dict[str, Any]]) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    programs = {*pyproject["project"]["scripts"], "gunicorn"}
    for name in app_services(services):
        assert command(services[name])[0] in programs, name
    ignored = (ROOT / ".dockerignore").read_text().split()
    for private in (".git", ".venv", ".env", "var"):
        assert private in ignored, f".dockerignore must keep {private} out of the build context"
