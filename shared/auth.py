"""Access tokens (JWT) and roles. The gateway issues tokens; every service verifies them itself."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import jwt
from flask import Flask, current_app, g, request

from shared.clock import Clock, SystemClock
from shared.errors import Forbidden, Unauthorized
from shared.keys import ALGORITHM, KeyRing
from shared.roles import ADMIN, DEPARTMENT, DISPATCHER, INSPECTOR, OPERATOR, ROLE_LABELS, ROLES, Principal

ISSUER = "duban-gateway"
AUDIENCE = "duban"  # every service of the suite: one user token works across them

__all__ = ["ADMIN", "DEPARTMENT", "DISPATCHER", "INSPECTOR", "OPERATOR", "ROLES", "ROLE_LABELS", "Principal",
           "TokenService", "current_principal", "init_auth", "require_principal", "requires"]


class TokenService:
    """Issues (the gateway, with the private key) and verifies (every part, with public keys) tokens."""

    def __init__(self, keys: KeyRing, *, ttl: timedelta = timedelta(hours=8), clock: Clock | None = None) -> None:
        self.keys = keys
        self.ttl = ttl
        # Expiry is checked against this clock, the same one the suite runs on (tests travel in time).
        self.clock: Clock = clock or SystemClock()

    def issue(self, principal: Principal, *, now: datetime) -> str:
        if self.keys.signing is None:
            raise RuntimeError("this process holds no token signing key (only the gateway does)")
        claims = {
            "iss": ISSUER, "aud": AUDIENCE, "sub": principal.username, "roles": sorted(principal.roles),
            "departments": sorted(principal.departments), "name": principal.display_name,
            "iat": int(now.timestamp()), "exp": int((now + self.ttl).timestamp()),
        }
        return jwt.encode(claims, self.keys.signing, algorithm=ALGORITHM, headers={"kid": self.keys.signing_kid})

    def verify(self, token: str) -> Principal:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self.keys.public.get(kid) if isinstance(kid, str) else None
            if key is None:
                raise jwt.InvalidTokenError("unknown key id")
            claims = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=ISSUER, audience=AUDIENCE,
                                options={"require": ["exp", "sub", "iss", "aud"], "verify_exp": False,
                                         "verify_iat": False})
        except jwt.InvalidTokenError as exc:
            raise Unauthorized("无效的访问令牌 / invalid token") from exc
        if not isinstance(claims["exp"], int | float) or claims["exp"] <= self.clock.now().timestamp():
            raise Unauthorized("登录已过期 / token expired")
        roles = frozenset(r for r in claims.get("roles", []) if r in ROLES)
        return Principal(username=claims["sub"], roles=roles,
                         departments=frozenset(claims.get("departments", [])),
                         display_name=claims.get("name", ""))


def init_auth(app: Flask, tokens: TokenService) -> None:
    """Verify the bearer token, if any, before each request; a bad token is a 401, never anonymous."""
    app.extensions["duban.tokens"] = tokens

    @app.before_request
    def _load_principal() -> None:
        g.principal = None
        header = request.headers.get("Authorization", "")
        if not header:
            return
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("Authorization 头应为 Bearer 令牌 / expected a Bearer token")
        g.principal = current_app.extensions["duban.tokens"].verify(token.strip())


def current_principal() -> Principal | None:
    return g.get("principal")


def require_principal(*roles: str) -> Principal:
    """The caller, who must be logged in and hold one of ``roles`` (admin holds all)."""
    principal = current_principal()
    if principal is None:
        raise Unauthorized("请先登录 / authentication required")
    if roles and not principal.has_any(*roles):
        raise Forbidden("无权执行此操作 / your role may not do this",
                        {"required_roles": list(roles)})
    return principal


F = TypeVar("F", bound=Callable[..., Any])


def requires(*roles: str) -> Callable[[F], F]:
    """View decorator: 401 without a token, 403 without one of ``roles``."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            require_principal(*roles)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
