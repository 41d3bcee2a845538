"""Server-side sessions for the pages: the browser holds a random id, the gateway's database the rest.

The access token a user logs in with lives only in the session row, so no script in the page (and no
one reading the cookie) ever holds a bearer token. Rows are keyed by a hash of the id: a copy of the
table opens no session. A session ends when its token does; anonymous ones (a login or portal form's
CSRF token) ``ANONYMOUS_TTL`` after they were last written.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from gateway import store
from shared.clock import Clock
from shared.db import Database

COOKIE = "duban_session"
ANONYMOUS_TTL = timedelta(hours=2)


class UiSession(CallbackDict[str, Any], SessionMixin):
    """A session's data, its id, and whether the visitor arrived with one that had expired."""

    def __init__(self, initial: dict[str, Any] | None = None, *, sid: str | None = None,
                 expired: bool = False) -> None:
        def changed(_self: Any) -> None:
            self.modified = True

        super().__init__(initial or {}, changed)
        self.sid = sid
        self.new = sid is None
        self.expired = expired
        self.modified = False
        self.rotate = False
        self.ended = False

    def regenerate(self) -> None:
        """A new id for the same data (at login: an id planted before it is worth nothing after)."""
        self.rotate = True
        self.modified = True

    def end(self) -> None:
        """Forget the session: its row and its cookie."""
        self.clear()
        self.ended = True


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class DatabaseSessions(SessionInterface):
    """Flask's session interface on the ``ui_sessions`` table."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def open_session(self, app: Flask, request: Request) -> UiSession:
        sid = request.cookies.get(COOKIE)
        if not sid or len(sid) > 100:
            return UiSession()
        with self.db.read() as conn:
            found = store.load_ui_session(conn, _hash(sid))
        if found is None:
            return UiSession(expired=True)  # a cookie the server no longer knows: it ran out and was purged
        data, expires_at = found
        if expires_at <= self.clock.now():
            return UiSession(expired=True)
        return UiSession(json.loads(data), sid=sid)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, UiSession)
        secure = bool(app.config.get("SESSION_COOKIE_SECURE"))
        if session.ended:
            if session.sid:
                with self.db.engine.begin() as conn:
                    store.delete_ui_sessions(conn, id_hash=_hash(session.sid))
            response.delete_cookie(COOKIE, path="/")
            return
        if not session.modified:
            return
        now = self.clock.now()
        old = session.sid
        if session.sid is None or session.rotate:
            session.sid = secrets.token_urlsafe(32)
        expires_at = _expiry(session, now)
        with self.db.engine.begin() as conn:
            if old and old != session.sid:
                store.delete_ui_sessions(conn, id_hash=_hash(old))
            if session.new:  # sessions are made one at a time, so sweeping then costs little
                store.delete_ui_sessions(conn, expired_before=now)
            store.save_ui_session(conn, _hash(session.sid), data=json.dumps(dict(session)),
                                  expires_at=expires_at)
        max_age = max(int((expires_at - now).total_seconds()), 1)
        response.set_cookie(COOKIE, session.sid, max_age=max_age, httponly=True, samesite="Lax", path="/",
                            secure=secure)


def _expiry(session: UiSession, now: datetime) -> datetime:
    user = session.get("user")
    if user:
        return datetime.fromisoformat(user["expires_at"])
    return now + ANONYMOUS_TTL
