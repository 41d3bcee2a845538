"""The pages' English catalogue keeps up with the Chinese source texts."""

from __future__ import annotations

from gateway.ui.catalogue import read_english, source_texts
from gateway.ui.i18n import compile_catalogue


def test_every_text_of_the_pages_has_an_english_translation() -> None:
    catalogue = read_english()
    untranslated = [text for text in source_texts() if not (catalogue.get(text) and catalogue.get(text).string)]
    assert not untranslated, f"run python -m gateway.ui.catalogue and translate: {untranslated}"


def test_the_catalogue_holds_no_text_the_sources_no_longer_use() -> None:
    used = set(source_texts())
    stale = [m.id for m in read_english() if m.id and m.id not in used]
    assert not stale, f"run python -m gateway.ui.catalogue to drop: {stale}"


def test_translations_keep_their_placeholders() -> None:
    for message in read_english():
        if message.id and "%(" in message.id:
            names = sorted(part.split(")")[0] for part in message.id.split("%(")[1:])
            assert names == sorted(part.split(")")[0] for part in message.string.split("%(")[1:]), message.id


def test_the_catalogue_compiles_in_memory_and_chinese_needs_none() -> None:
    assert compile_catalogue("en").gettext("新建工单") == "New ticket"
    assert compile_catalogue("zh_CN").gettext("新建工单") == "新建工单"
