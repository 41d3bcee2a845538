"""Where a view finds its part's context and database: on the Flask app ``create_service_app`` built."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from shared.db import Database

__all__ = ["service_context", "service_db"]


def service_db(app: Flask | None = None) -> Database:
    """The database of the part serving this request."""
    return (app or current_app).extensions["duban.db"]


def service_context(app: Flask | None = None) -> Any:
    """The part's context this app was built around (``Hotline``, ``Monitoring``, ``Directory`` …)."""
    return (app or current_app).extensions["duban.context"]
