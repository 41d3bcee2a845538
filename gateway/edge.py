"""The edge of the distributed topology: nginx, configured from the list of parts.

nginx routes ``/api/<service>/…`` (and a part's other mounts, e.g. ``/open311/``) to that service and
everything else to the gateway, caps request
bodies, rate-limits the public endpoints per client address (``limit_req``, shared by its worker
processes) and sets ``X-Forwarded-For`` to the address it saw, replacing whatever the client sent,
so one trusted hop (``DUBAN_TRUSTED_PROXIES=1``) gives each app the real client. The services' own
limits (shared.ratelimit, in Redis) then hold across gunicorn workers and across several edges.

The same function renders the local topology's config (``duban local up``) and compose's
``infra/nginx/nginx.conf`` (tests/infra checks that the committed file is this rendering).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gateway.registry import PARTS, mounts

COMPOSE_CONF = Path(__file__).resolve().parents[1] / "infra" / "nginx" / "nginx.conf"

# Everything anonymous may send is small; ticket intake with attachments is not (yet) a thing.
MAX_BODY = "1m"

LIMITED_BODY = ('{"code": 429, "status": "Too Many Requests", '
                '"message": "请求过于频繁，请稍后再试 / too many requests, try again later", "errors": {}}')
TOO_LARGE_BODY = ('{"code": 413, "status": "Payload Too Large", '
                  f'"message": "请求体过大 / request body larger than {MAX_BODY}", "errors": {{}}}}')
UNAVAILABLE_BODY = ('{"code": 502, "status": "Bad Gateway", '
                    '"message": "上游服务不可用 / upstream unavailable", "errors": {}}')


@dataclass(frozen=True)
class EdgeConfig:
    listen: str                     # "127.0.0.1:8000" or "8080"
    upstreams: Mapping[str, str]    # part → "host:port" of its gunicorn
    public_per_minute: int = 20     # DUBAN_PUBLIC_RATE_LIMIT, the apps' own limit
    login_per_minute: int = 10      # gateway.LOGIN_ATTEMPTS_PER_MINUTE
    prefix: Path | None = None      # local topology: pid, logs and temp files here; None: the image's
    workers: str = "auto"
    # Address nginx connects to the apps from. The local topology uses a loopback address of its own
    # (127.0.0.2), which the apps alone trust, so another local process reaching a service port
    # directly is the client itself, whatever X-Forwarded-For it sends.
    source: str | None = None
    # Where the gateway's pages reach the APIs (DUBAN_SERVICES_URL): a listener on the internal side only,
    # without the edge's own rate limits, passing on the X-Forwarded-For the gateway sets (the browser's
    # address), so the services' per-client limits count each citizen, not the gateway. None: no such
    # listener.
    internal_listen: str | None = None


def render(config: EdgeConfig) -> str:
    """nginx.conf for the edge: one server, one upstream per part."""
    local = config.prefix is not None
    lines = ["# Rendered by gateway/edge.py; do not edit by hand.",
             f"worker_processes {config.workers};"]
    if local:
        lines += [f"pid {config.prefix}/nginx.pid;", f"error_log {config.prefix}/logs/edge-error.log warn;"]
    else:
        lines += ["pid /tmp/nginx.pid;", "error_log /dev/stderr warn;"]
    # The access log names the path, never the query string: the public lookup's query carries a
    # citizen's query code (查询码), as in gateway/gunicorn_conf.py.
    log = f"{config.prefix}/logs/edge-access.log" if local else "/dev/stdout"
    lines += ["events {", "    worker_connections 1024;", "}", "", "http {",
              "    default_type application/octet-stream;",
              "    server_tokens off;",
              "    log_format duban '$remote_addr - [$time_local] \"$request_method $uri $server_protocol\" '",
              "                     '$status $body_bytes_sent \"$http_user_agent\" $request_time';",
              f"    access_log {log} duban;"]
    if local:
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            lines.append(f"    {kind}_temp_path {config.prefix}/temp/{kind};")
    else:
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            lines.append(f"    {kind}_temp_path /tmp/nginx-{kind};")
    # Burst = one minute's allowance, so the apps' own (Redis) limit is what a well-behaved client meets;
    # the edge refuses floods before they reach a worker.
    lines += [
        "",
        f"    client_max_body_size {MAX_BODY};",
        f"    client_body_buffer_size {MAX_BODY};  # bodies stay in memory",
        "    proxy_max_temp_file_size 0;",
        *([f"    proxy_bind {config.source};"] if config.source else []),
        "    proxy_http_version 1.1;",
        "    proxy_read_timeout 60s;",
        "    # The client address is the one nginx saw: a client's own X-Forwarded-For is replaced, not extended.",
        "    proxy_set_header Host $host;",
        "    proxy_set_header X-Forwarded-For $remote_addr;",
        "    proxy_set_header X-Forwarded-Proto $scheme;",
        "    proxy_set_header X-Request-Id $request_id;",
        "    proxy_set_header Connection \"\";",
        "",
        f"    limit_req_zone $binary_remote_addr zone=public:10m rate={config.public_per_minute}r/m;",
        f"    limit_req_zone $binary_remote_addr zone=login:10m rate={config.login_per_minute}r/m;",
        "    # submit: anonymous writes only; reads give an empty key, which nginx does not count.",
        "    map $request_method $duban_write_client {",
        "        GET \"\";", "        HEAD \"\";", "        OPTIONS \"\";",
        "        default $binary_remote_addr;", "    }",
        f"    limit_req_zone $duban_write_client zone=submit:10m rate={config.public_per_minute}r/m;",
        "    limit_req_status 429;",
        "",
    ]
    for part, address in config.upstreams.items():
        lines += [f"    upstream {part} {{", f"        server {address};", "        keepalive 16;", "    }"]
    lines += ["", "    server {", f"        listen {config.listen};", "",
              "        error_page 429 = @limited;", "        error_page 413 = @too_large;",
              "        error_page 502 503 504 = @unavailable;", "",
              "        # metrics are for Prometheus on the internal network, not for the public",
              "        location = /metrics { return 404; }", ""]
    bursts = {"public": config.public_per_minute, "login": config.login_per_minute,
              "submit": config.public_per_minute}
    for part in config.upstreams:  # the anonymous paths each part declares in gateway/registry.py
        for path, zone in PARTS[part].limited.items():
            match = path if path.endswith("/") else f"= {path}"
            lines += [f"        location {match} {{",
                      f"            limit_req zone={zone} burst={bursts[zone]} nodelay;",
                      f"            proxy_pass http://{part};", "        }"]
    limited = {path for part in config.upstreams for path in PARTS[part].limited}
    for prefix, part in mounts().items():
        if part in config.upstreams and prefix not in limited:
            lines += [f"        location {prefix} {{", f"            proxy_pass http://{part};", "        }"]
    lines += ["        location / {", "            proxy_pass http://gateway;", "        }", ""]
    for name, status, body in (("limited", 429, LIMITED_BODY), ("too_large", 413, TOO_LARGE_BODY),
                               ("unavailable", 502, UNAVAILABLE_BODY)):
        escaped = body.replace("'", "\\'")
        lines += [f"        location @{name} {{", "            default_type application/json;",
                  *(["            add_header Retry-After 60 always;"] if status == 429 else []),
                  f"            return {status} '{escaped}';", "        }"]
    lines += ["    }"]
    if config.internal_listen:
        lines += _internal_server(config)
    lines += ["}", ""]
    return "\n".join(lines)


def _internal_server(config: EdgeConfig) -> list[str]:
    """The gateway's way to the APIs: routed like the public server, the client named by the gateway."""
    headers = ["proxy_set_header Host $host;", "proxy_set_header X-Forwarded-For $http_x_forwarded_for;",
               "proxy_set_header X-Forwarded-Proto $scheme;", "proxy_set_header X-Request-Id $request_id;",
               'proxy_set_header Connection "";']
    lines = ["", "    # The gateway's pages call the APIs here (never published): no edge limit, and the client",
             "    # address is the one the gateway passes on (the services' own limits count it).",
             "    server {", f"        listen {config.internal_listen};",
             *(f"        {header}" for header in headers),
             "        location = /metrics { return 404; }"]
    for part in config.upstreams:
        if part != "gateway":
            lines += [f"        location /api/{part}/ {{", f"            proxy_pass http://{part};", "        }"]
    lines += ["        location /api/ {", "            proxy_pass http://gateway;", "        }",
              "        location / { return 404; }", "    }"]
    return lines


def compose_config() -> EdgeConfig:
    """The edge of docker-compose.yml: every part's web service on its port 8000; 8081 for the gateway's pages."""
    return EdgeConfig(listen="8080", upstreams={part: f"{part}:8000" for part in PARTS}, internal_listen="8081")


def nginx_binary() -> str:
    """The nginx executable (Debian's package on these machines: `make nginx` installs it)."""
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if found is None:
        raise RuntimeError("nginx is not installed; `make nginx` (apt-get install nginx) installs it")
    return found


def write_local(config: EdgeConfig) -> Path:
    """Write the local edge's config and folders under ``config.prefix``; returns the config file."""
    assert config.prefix is not None
    for sub in ("logs", "temp"):
        (config.prefix / sub).mkdir(parents=True, exist_ok=True)
    path = config.prefix / "nginx.conf"
    path.write_text(render(config))
    return path


LOCAL_SOURCE = "127.0.0.2"  # the local edge's own loopback address (all of 127/8 is loopback on Linux)


def argv(conf: Path) -> list[str]:
    """nginx in the foreground (the launcher supervises it like every other process)."""
    return [nginx_binary(), "-p", str(conf.parent), "-c", str(conf), "-g", "daemon off;"]
