"""Languages of the pages: Simplified Chinese (the source text), English from ``gateway/translations``.

Message ids are the Chinese text itself, so the default language needs no catalogue and a string
missing from the English one still reads correctly in Chinese. The ``.po`` files are compiled in
memory when first used: nothing to build, no tool to install.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from threading import Lock

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, request, session
from flask_babel import Babel, Domain

CATALOGUES = Path(__file__).resolve().parent.parent / "translations"
DEFAULT = "zh_CN"
LANGUAGES = {"zh_CN": "中文", "en": "English"}


class CatalogueDomain(Domain):
    """Flask-Babel's domain, reading ``<lang>/LC_MESSAGES/messages.po`` compiled once per process."""

    def __init__(self) -> None:
        super().__init__(domain="messages")
        self._compiled: dict[str, NullTranslations] = {}
        self._lock = Lock()

    def get_translations(self) -> NullTranslations:
        from flask_babel import get_locale

        locale = str(get_locale() or DEFAULT)
        with self._lock:
            if locale not in self._compiled:
                self._compiled[locale] = compile_catalogue(locale)
            return self._compiled[locale]


def compile_catalogue(locale: str) -> NullTranslations:
    """The translations of ``locale`` from its ``.po`` file (none for the source language)."""
    import io

    path = CATALOGUES / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as source:
        catalogue = read_po(source, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    return Translations(buffer, domain="messages")


def select_locale() -> str:
    """``?lang=`` (remembered in the session), else what the session chose, else Chinese."""
    wanted = request.args.get("lang")
    if wanted in ("en", "zh", "zh_CN"):
        chosen = "en" if wanted == "en" else DEFAULT
        if session.get("lang") != chosen:
            session["lang"] = chosen
        return chosen
    lang = session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT


class CatalogueBabel(Babel):
    """Flask-Babel with the in-memory catalogues above as its default domain."""

    @cached_property
    def domain_instance(self) -> Domain:
        return CatalogueDomain()


def init_i18n(app: Flask, timezone: str) -> None:
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT
    app.config["BABEL_DEFAULT_TIMEZONE"] = timezone
    CatalogueBabel(app, locale_selector=select_locale)
