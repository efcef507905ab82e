"""The public log carries no free text: every entry type has a typed schema (issue 13, item 1).

Entries are checked against their type's declared fields; unknown types, unknown keys and
wrong kinds are refused; a typed text is logged only as its SHA-256; and the personal-data
check stands behind the schema for numbers in any spelling.
"""

import ast
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gotong.territory.models import Kelurahan
from gotong.transparency.log_schema import (
    ENTRY_TYPES,
    FORBIDDEN_KEYS,
    Kind,
    LogSchemaViolation,
    PersonalDataInLog,
    entry_data_clean,
    schema_fields_walk,
)
from gotong.transparency.selectors import log_size
from gotong.transparency.services import entry_enqueue, entry_record

GOTONG = Path(__file__).resolve().parents[2]
# The functions through which the apps write log entries (and helpers named ``*_log``).
LOG_WRITERS = {"entry_record", "entry_enqueue", "_log", "_audit"}
# Kinds whose values are closed (a set, a pattern, a number, a digest): none holds text.
CLOSED_KINDS = {
    "id",
    "count",
    "amount",
    "number",
    "bool",
    "pseudonym",
    "ref",
    "time",
    "date",
    "month",
    "enum",
    "code",
    "hash",
    "text_hash",
    "coordinate",
    "list",
    "mapping",
    "one_of",
}


def _source_files() -> Iterator[Path]:
    for path in sorted(GOTONG.rglob("*.py")):
        if "tests" not in path.parts and "migrations" not in path.parts:
            yield path


def _type_patterns(node: ast.expr) -> list[str]:
    """Regexes for the entry types an expression can evaluate to (literals, f-strings,
    ``a if c else b``); empty when the type is a plain variable (the helper's parameter)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [re.escape(node.value)]
    if isinstance(node, ast.JoinedStr):
        parts = [
            re.escape(str(v.value)) if isinstance(v, ast.Constant) else "[a-z_]+"
            for v in node.values
        ]
        return ["".join(parts)]
    if isinstance(node, ast.IfExp):
        return _type_patterns(node.body) + _type_patterns(node.orelse)
    return []


def emitted_entry_types() -> dict[str, str]:
    """Every entry type (as a regex) passed to a log writer anywhere in the code -> where."""
    found: dict[str, str] = {}
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
            if name not in LOG_WRITERS and not str(name).endswith("_log"):
                continue
            candidates = [k.value for k in call.keywords if k.arg == "type"]
            # Positional helpers: _log(need, "need.submitted", ...), _log(kelurahan, "x", ...)
            candidates += call.args[:3]
            for candidate in candidates:
                for pattern in _type_patterns(candidate):
                    if "\\." in pattern:  # an escaped dot: "app.event"
                        where = f"{path.relative_to(GOTONG.parent)}:{call.lineno}"
                        found.setdefault(pattern, where)
    return found


def test_the_walk_finds_the_types_of_every_app() -> None:
    found = emitted_entry_types()
    prefixes = {re.sub(r"\\", "", p).split(".")[0] for p in found}
    assert {"need", "activity", "funds", "market", "person", "matching", "membership"} <= prefixes
    assert len(found) > 80


def test_every_entry_type_the_code_can_emit_has_a_schema() -> None:
    missing = {
        pattern: where
        for pattern, where in emitted_entry_types().items()
        if not any(re.fullmatch(pattern, declared) for declared in ENTRY_TYPES)
    }
    assert missing == {}


def test_no_schema_allows_free_text() -> None:
    for type_name, schema in ENTRY_TYPES.items():
        for field, kind in schema_fields_walk(schema):
            assert isinstance(kind, Kind), (type_name, field)
            assert kind.name in CLOSED_KINDS, (type_name, field, kind.name)
            assert field.rsplit(".", 1)[-1].lower() not in FORBIDDEN_KEYS, (type_name, field)
            if kind.name == "code":
                # A code admits no spaces and is short: no sentence fits in it.
                assert not re.fullmatch(kind.pattern, "Ibu Sari"), (type_name, field)
                assert kind.max_length <= 64, (type_name, field)
            if kind.name == "enum":
                assert kind.values and all(" " not in v for v in kind.values), (type_name, field)


def test_a_schema_refuses_a_sentence_in_every_closed_string_kind() -> None:
    sentence = "Diserahkan ke Ibu Sari (diabetes), Jl. Melati 5"
    for type_name, schema in ENTRY_TYPES.items():
        for field, kind in schema.fields.items():
            if isinstance(kind, Kind) and kind.name not in ("text_hash", "list", "mapping"):
                with pytest.raises(LogSchemaViolation):
                    kind.clean(sentence, f"{type_name}.{field}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("type_name", "data", "error"),
    [
        ("nothing.declared", {}, LogSchemaViolation),
        ("need.verified", {"description": "Ibu Sari sakit"}, LogSchemaViolation),
        ("need.verified", {"rw": "satu"}, LogSchemaViolation),
        ("need.verified", {"rw": True}, LogSchemaViolation),
        ("need.verified", {"rw": 3515010101010001}, LogSchemaViolation),
        ("need.verified", {"status": "menunggu Ibu Sari"}, LogSchemaViolation),
        ("need.verified", {"name": "Sari"}, PersonalDataInLog),
        ("activity.created", {"slots": [{"skill": "driver", "who": "Sari"}]}, LogSchemaViolation),
    ],
)
def test_undeclared_types_keys_and_wrong_kinds_are_refused_and_nothing_is_logged(
    kelurahan: Kelurahan, type_name: str, data: dict[str, Any], error: type[Exception]
) -> None:
    before = log_size(kelurahan=kelurahan)
    with pytest.raises(error):
        entry_record(kelurahan=kelurahan, type=type_name, actor=None, subject="need:1", data=data)
    with pytest.raises(error):
        entry_enqueue(kelurahan=kelurahan, type=type_name, actor=None, subject="need:1", data=data)
    assert log_size(kelurahan=kelurahan) == before


def test_a_typed_text_is_logged_as_its_sha256_and_a_given_hash_is_kept() -> None:
    text = "Diserahkan ke Ibu Sari (diabetes), Jl. Melati 5, HP 0812-3456-7890"
    digest = hashlib.sha256(text.encode()).hexdigest()
    assert entry_data_clean("evidence.recorded", {"note": text}) == {"note": digest}
    assert entry_data_clean("evidence.recorded", {"note": digest}) == {"note": digest}


@pytest.mark.parametrize(
    "value",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "0812.3456.7890",
        "(0812) 3456-7890",
        "+62 812-3456-7890",
        "+62 (812) 3456 7890",
        "+6281234567890",
        "62-812-3456-7890",
        "3515010101010001",
        "3515 0101 0101 0001",
        "3515.0101.0101.0001",
        "3515-0101-0101-0001",
        "NIK 3515",
        "nik:35150101",
        "KK 3515-0101",
    ],
)
def test_numbers_in_every_spelling_are_refused_behind_the_schema(value: str) -> None:
    # "id" is a loose code in the test schema: only the personal-data check stands in the way.
    with pytest.raises(PersonalDataInLog):
        entry_data_clean("t", {"id": value})


@pytest.mark.parametrize(
    "value", ["35.77.03.1009", "GR-EVHVJT", "2026-08-15", "jh7827wbaw6p", "need:3515", "KK2"]
)
def test_codes_dates_and_references_are_not_mistaken_for_numbers(value: str) -> None:
    assert entry_data_clean("t", {"id": value}) == {"id": value}
