"""The pages' message catalogue: which texts the sources use, and the English ``.po`` kept in step with them.

``python -m gateway.ui.catalogue`` adds new texts (untranslated) to the English catalogue and drops the
ones no source uses any more; tests/gateway/test_ui_i18n.py fails while any text lacks its translation.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from gateway.ui.i18n import CATALOGUES

ROOT = Path(__file__).resolve().parent.parent
METHODS = [("ui/**.py", "python"), ("templates/ui/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None}
OPTIONS = {"templates/ui/**.html": {"extensions": "jinja2.ext.i18n"}}


def source_texts() -> list[str]:
    """Every translatable text of the pages, in the order the sources first use them."""
    found: dict[str, None] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), METHODS, keywords=KEYWORDS, options_map=OPTIONS):
        found.setdefault(message if isinstance(message, str) else message[0])
    return list(found)


def english_path() -> Path:
    return CATALOGUES / "en" / "LC_MESSAGES" / "messages.po"


def read_english() -> Catalog:
    with english_path().open("rb") as source:
        return read_po(source, locale="en")


def update() -> tuple[int, int]:
    """Bring the English catalogue in step with the sources; returns (added, dropped)."""
    old = read_english() if english_path().exists() else Catalog(locale="en")
    wanted = source_texts()
    new = Catalog(locale="en", project="duban", fuzzy=False)
    for text in wanted:
        kept = old.get(text)
        new.add(text, kept.string if kept is not None else "")
    dropped = sum(1 for m in old if m.id and m.id not in set(wanted))
    added = sum(1 for text in wanted if old.get(text) is None)
    english_path().parent.mkdir(parents=True, exist_ok=True)
    with english_path().open("wb") as target:
        write_po(target, new, width=120, omit_header=False, sort_output=False, no_location=True)
    return added, dropped


if __name__ == "__main__":
    added, dropped = update()
    sys.stdout.write(f"{english_path()}: {added} added, {dropped} dropped\n")
