"""Settings from the environment (12-factor), with the embedded defaults.

Every setting a process reads is named here, so deployment files can be checked against one list.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

EMBEDDED = "embedded"
DISTRIBUTED = "distributed"

# Every environment variable the code reads, with what it means (docs and compose checks use this).
ENVIRONMENT_VARIABLES: dict[str, str] = {
    "DUBAN_MODE": "embedded (default) or distributed",
    "DUBAN_DATA": "data folder for embedded mode (SQLite files, generated secret); default ./var",
    "DATABASE_URL": "database of the service this process runs (distributed mode)",
    "DUBAN_DATABASE_URLS": "admin commands across parts (distributed mode): part=url,… each part's own database",
    "AMQP_URL": "RabbitMQ URL (distributed mode)",
    "ELASTICSEARCH_URL": "Elasticsearch URL (distributed mode)",
    "DUBAN_SEARCH_BACKEND": "case index engine: fts (SQLite FTS5, the embedded default) or elasticsearch "
                            "(the distributed default)",
    "DUBAN_SEARCH_INDEX": "Elasticsearch alias of the case index (versioned indices behind it); default duban-cases",
    "DUBAN_JWT_PRIVATE_KEY_FILE": "gateway only: PEM file of the Ed25519 key that signs access tokens; "
                                  "required there in distributed mode",
    "DUBAN_JWT_PUBLIC_KEYS_FILE": "PEM file of the public key(s) tokens are verified with (several during a "
                                  "rotation); required for services in distributed mode",
    "DUBAN_CALLER_KEY_FILE": "file holding the secret key of the callers' phone hashes (hotline and search share "
                             "it); embedded: generated in the data folder; unset in distributed mode: no "
                             "same-caller suggestions",
    "DUBAN_TOKEN_TTL_MINUTES": "access token lifetime in minutes; default 480 (one shift)",
    "DUBAN_TIMEZONE": "administrative time zone; default Asia/Shanghai",
    "DUBAN_WORKDAY_CLOSE": "time of day a working day closes, HH:MM; default 24:00",
    "DUBAN_CALENDAR_FILE": "legacy JSON file of holiday/make-up overrides (prefer duban calendar set-year)",
    "DUBAN_PUBLIC_RATE_LIMIT": "anonymous lookups per client per minute; default 20",
    "DUBAN_REDIS_URL": "Redis for counters shared across processes and edges (login attempts, public "
                       "lookups); unset: counted in the process (embedded mode)",
    "DUBAN_REDIS_PREFIX": "prefix of this deployment's Redis keys; default duban",
    "DUBAN_OPEN311_JURISDICTION": "Open311 jurisdiction_id the hotline answers for (then required on every "
                                  "request); unset: none is required",
    "DUBAN_OPEN311_RATE_LIMIT": "Open311 requests posted per API key per minute; default 30",
    "DUBAN_DEMO_PASSWORD": "password of the demo users (embedded mode only); default duban-demo",
    "DUBAN_LOG_LEVEL": "log level; default INFO",
    "DUBAN_MAX_BODY_BYTES": "largest request body a service reads, in bytes (413 above it); default 1048576",
    "DUBAN_IDEMPOTENCY_TTL_HOURS": "hours a stored Idempotency-Key answer is kept and replayed; default 24",
    "PORT": "HTTP port of the gateway; default 8000",
    "DUBAN_SERVICES_URL": "gateway, distributed mode: where its pages reach the services' APIs (the edge, "
                          "e.g. http://edge:8080); unset in embedded mode, where they are called in-process",
    "DUBAN_SECURE_COOKIES": "1: the pages' session cookie is sent over HTTPS only (TLS at the edge); default 0",
    "DUBAN_TRUSTED_PROXIES": "proxy hops in front of this process whose X-Forwarded-For is trusted; default 0",
    "DUBAN_TRUSTED_PROXY_NETWORKS": "addresses those proxies connect from (a,b/24,…); X-Forwarded-For from any "
                                    "other peer is ignored; default loopback",
    "PROMETHEUS_MULTIPROC_DIR": "gunicorn: folder where worker processes share their metrics",
    "POSTGRES_URL": "duban local up: PostgreSQL server the local topology creates its databases on",
    "DUBAN_LOCAL_PORT_BASE": "duban local up: services listen on base+1, base+2, …; default 8100",
    "DUBAN_LOCAL_DB_PREFIX": "duban local up: prefix of the databases it creates; default duban_",
}


@dataclass(frozen=True)
class Settings:
    """One immutable settings object handed to every factory."""

    mode: str = EMBEDDED
    data_dir: Path = Path("var")
    database_url: str | None = None
    database_urls: Mapping[str, str] = field(default_factory=dict)
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    elasticsearch_url: str = "http://127.0.0.1:9200"
    search_backend: str | None = None      # None: fts embedded, elasticsearch distributed
    search_index: str = "duban-cases"
    jwt_private_key_file: Path | None = None
    jwt_public_keys_file: Path | None = None
    caller_key_file: Path | None = None
    token_ttl_minutes: int = 480
    timezone: str = "Asia/Shanghai"
    workday_close: str = "24:00"
    calendar_file: Path | None = None
    # How stale the entered holiday years may be in a process: each calendar re-checks them this often.
    calendar_refresh_seconds: float = 5.0
    public_rate_limit: int = 20
    open311_jurisdiction: str | None = None
    open311_rate_limit: int = 30
    redis_url: str | None = None
    redis_prefix: str = "duban"
    demo_password: str = "duban-demo"
    log_level: str = "INFO"
    port: int = 8000
    trusted_proxies: int = 0
    max_body_bytes: int = 1024 * 1024
    idempotency_ttl_hours: int = 24
    trusted_proxy_networks: str = "127.0.0.0/8,::1/128"
    services_url: str | None = None
    secure_cookies: bool = False
    # Background delivery of events in embedded mode; tests turn it off and drain by hand.
    background_workers: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read the environment; keyword overrides win (tests use them)."""
        env = os.environ if env is None else env
        calendar_file = env.get("DUBAN_CALENDAR_FILE")
        settings = cls(
            mode=env.get("DUBAN_MODE", EMBEDDED),
            data_dir=Path(env.get("DUBAN_DATA", "var")),
            database_url=env.get("DATABASE_URL") or None,
            database_urls=parse_database_urls(env.get("DUBAN_DATABASE_URLS", "")),
            amqp_url=env.get("AMQP_URL", cls.amqp_url),
            elasticsearch_url=env.get("ELASTICSEARCH_URL", cls.elasticsearch_url),
            search_backend=env.get("DUBAN_SEARCH_BACKEND") or None,
            search_index=env.get("DUBAN_SEARCH_INDEX", cls.search_index),
            jwt_private_key_file=_path(env.get("DUBAN_JWT_PRIVATE_KEY_FILE")),
            jwt_public_keys_file=_path(env.get("DUBAN_JWT_PUBLIC_KEYS_FILE")),
            caller_key_file=_path(env.get("DUBAN_CALLER_KEY_FILE")),
            token_ttl_minutes=int(env.get("DUBAN_TOKEN_TTL_MINUTES", "480")),
            timezone=env.get("DUBAN_TIMEZONE", cls.timezone),
            workday_close=env.get("DUBAN_WORKDAY_CLOSE", cls.workday_close),
            calendar_file=Path(calendar_file) if calendar_file else None,
            public_rate_limit=int(env.get("DUBAN_PUBLIC_RATE_LIMIT", "20")),
            open311_jurisdiction=env.get("DUBAN_OPEN311_JURISDICTION") or None,
            open311_rate_limit=int(env.get("DUBAN_OPEN311_RATE_LIMIT", "30")),
            redis_url=env.get("DUBAN_REDIS_URL") or None,
            redis_prefix=env.get("DUBAN_REDIS_PREFIX", cls.redis_prefix),
            demo_password=env.get("DUBAN_DEMO_PASSWORD", cls.demo_password),
            log_level=env.get("DUBAN_LOG_LEVEL", cls.log_level),
            port=int(env.get("PORT", "8000")),
            trusted_proxies=int(env.get("DUBAN_TRUSTED_PROXIES", "0")),
            max_body_bytes=int(env.get("DUBAN_MAX_BODY_BYTES", str(cls.max_body_bytes))),
            idempotency_ttl_hours=int(env.get("DUBAN_IDEMPOTENCY_TTL_HOURS", str(cls.idempotency_ttl_hours))),
            trusted_proxy_networks=env.get("DUBAN_TRUSTED_PROXY_NETWORKS", cls.trusted_proxy_networks),
            services_url=env.get("DUBAN_SERVICES_URL") or None,
            secure_cookies=env.get("DUBAN_SECURE_COOKIES", "0").lower() in ("1", "true", "yes"),
        )
        if settings.mode not in (EMBEDDED, DISTRIBUTED):
            raise ValueError(f"DUBAN_MODE must be {EMBEDDED} or {DISTRIBUTED}, not {settings.mode!r}")
        return replace(settings, **overrides)

    @property
    def embedded(self) -> bool:
        return self.mode == EMBEDDED

    def database_url_for(self, service: str) -> str:
        """The database of one service: explicit URL, else a SQLite file in the data folder."""
        if service in self.database_urls:
            return self.database_urls[service]
        if self.database_url and not self.embedded:
            return self.database_url
        if not self.embedded:
            raise RuntimeError(f"DATABASE_URL is required for {service} in distributed mode")
        return f"sqlite:///{(self.data_dir / f'{service}.db').resolve()}"


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def parse_database_urls(text: str) -> dict[str, str]:
    """``gateway=postgresql://…/duban_gateway,hotline=…`` → {part: url} (URLs hold no bare commas)."""
    urls = {}
    for item in filter(None, (entry.strip() for entry in text.split(","))):
        name, sep, url = item.partition("=")
        if not sep or "://" not in url:
            raise ValueError(f"DUBAN_DATABASE_URLS entry {item!r} must look like part=scheme://…")
        urls[name.strip()] = url.strip()
    return urls
