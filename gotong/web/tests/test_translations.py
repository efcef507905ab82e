"""The Indonesian catalog is complete, and the committed .mo says what the .po says.

After changing a user-facing string: `make messages`, translate every new entry in
locale/id/LC_MESSAGES/django.po, `make messages` again, and commit both django.po and django.mo.
"""

import re

import polib  # type: ignore[import-untyped]  # no types-polib in the dev extras
from django.conf import settings
from django.utils import translation

LC_MESSAGES = settings.BASE_DIR / "locale" / "id" / "LC_MESSAGES"
PO = polib.pofile(str(LC_MESSAGES / "django.po"))
ENTRIES = [e for e in PO if not e.obsolete]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def label(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


def msgstrs(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def django_says(entry: polib.POEntry) -> str:
    """What Django serves for ``entry`` in Indonesian (singular form for plurals)."""
    with translation.override("id"):
        if entry.msgid_plural and entry.msgctxt:
            return translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
        if entry.msgid_plural:
            return translation.ngettext(entry.msgid, entry.msgid_plural, 1)
        if entry.msgctxt:
            return translation.pgettext(entry.msgctxt, entry.msgid)
        return translation.gettext(entry.msgid)


def test_header_is_indonesian() -> None:
    assert not PO.metadata_is_fuzzy
    assert PO.metadata["Language"] == "id"
    assert PO.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert "charset=UTF-8" in PO.metadata["Content-Type"]


def test_every_entry_is_translated_and_not_fuzzy() -> None:
    assert [label(e) for e in ENTRIES if not e.translated() or "fuzzy" in e.flags] == []


def test_plural_entries_have_the_one_indonesian_form() -> None:
    assert [label(e) for e in ENTRIES if e.msgid_plural and list(e.msgstr_plural) != [0]] == []


def test_translations_keep_the_placeholders() -> None:
    def kept(e: polib.POEntry) -> bool:
        wanted = set(PLACEHOLDER.findall(e.msgid))
        return all(set(PLACEHOLDER.findall(s)) == wanted for s in msgstrs(e))

    assert [label(e) for e in ENTRIES if not kept(e)] == []


def test_mo_holds_exactly_the_po_translations() -> None:
    mo = polib.mofile(str(LC_MESSAGES / "django.mo"))
    in_mo = {label(e): msgstrs(e) for e in mo if e.msgid}
    in_po = {label(e): msgstrs(e) for e in ENTRIES if e.translated()}
    assert in_mo == in_po, "django.mo is stale: run `make messages` and commit it"


def test_django_serves_the_po_translations() -> None:
    translated = [e for e in ENTRIES if e.translated()]
    wrong = {label(e): django_says(e) for e in translated if django_says(e) != msgstrs(e)[0]}
    assert wrong == {}, "django.mo is stale or not found: run `make messages` and commit it"
