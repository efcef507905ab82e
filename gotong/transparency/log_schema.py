"""Typed schemas of public log entries: what an entry of each type may hold.

The public log outlives any erasure, so it holds ids, pseudonyms, enumerations, amounts,
counts, hashes, times and flags only. Each app declares its entry types in its own
``log_types.py`` (imported from its ``AppConfig.ready()``)::

    entry_types_declare({"need.submitted": {"category": enum(Category), "rw": COUNT}})

``entry_data_clean`` checks an entry's data against its type's schema: an undeclared
type, an undeclared key or a value of the wrong kind is a ``LogSchemaViolation`` (a
programming error). There is no kind for free text: a text a person typed is declared
``TEXT_HASH`` and only its SHA-256 reaches the log (the text itself stays in the app's
private tables), so a caller handing over a note by mistake publishes a digest, not the note.

Pure Python (no Django): the monitor and the tests use it too.
"""

import enum as std_enum
import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class PersonalDataInLog(ValueError):
    """A caller tried to put personal data in the public log (a programming error)."""


class LogSchemaViolation(PersonalDataInLog):
    """An entry does not fit the declared schema of its type (a programming error)."""


# Integers in the log stay below this (a quadrillion rupiah): a 16-digit NIK/KK passed as
# a number is refused like one passed as a string.
INT_LIMIT = 10**15

# The second line of defence, for every string that reaches the log outside a digest: a
# NIK/KK (16 digits, also written with spaces, dots or dashes), "NIK"/"KK" followed by
# digits, and an Indonesian mobile number in any spelling (+62 / 62 / 0, then 8 and 7-11
# more digits, with spaces, dots, dashes or parentheses). Runs inside a longer
# alphanumeric token (a receipt code, a hex digest) are not ids.
_SEP = r"[\s.\-()]{0,2}"
PERSONAL_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])\d(?:[ .\-]?\d){15}(?![0-9A-Za-z])"
    r"|(?<![A-Za-z])(?:NIK|KK)(?![A-Za-z])[\s:.#=\-]*\d(?:[ .\-]?\d){3,}"
    r"|(?<![0-9A-Za-z+])(?:\+\s?62|\(\+?62\)|62|\(?0)" + _SEP + r"8(?:" + _SEP + r"\d){7,11}"
    r"(?![0-9A-Za-z])",
    re.IGNORECASE,
)


def personal_number_check(value: str, path: str) -> None:
    """Refuse a string that looks like a phone number or a NIK/KK (``PersonalDataInLog``)."""
    if PERSONAL_NUMBER.search(value):
        raise PersonalDataInLog(f"{path} looks like a phone number or NIK/KK")


_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_HEX = re.compile(r"^[0-9a-f]{8,128}$")
_HEX_GROUPED = re.compile(r"^[0-9a-f]{8}( [0-9a-f]{8}){1,15}$")
_B64_DIGEST = re.compile(r"^sha256-b64:[A-Za-z0-9_-]{43}$")
_PSEUDONYM = re.compile(r"^(?:[a-z_]{1,32}:)?(?:[0-9a-f]{16}|W-[0-9a-f]{8}|system)$")
_REF = re.compile(r"^[a-z][a-z_]{0,31}:[0-9]{1,12}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")


@dataclass(frozen=True)
class Kind:
    """One kind of value a field may hold; ``clean`` returns the value as logged."""

    name: str
    # For codes: the pattern and the longest value; for enums: the allowed values.
    values: frozenset[str] = frozenset()
    pattern: str = ""
    max_length: int = 0
    of: "Kind | Schema | None" = None
    key: "Kind | None" = None
    options: tuple["Kind", ...] = ()

    def clean(self, value: Any, path: str) -> Any:
        if value is None:
            return None  # an absent fact (no GPS, no previous status): carries nothing
        cleaner = _CLEANERS[self.name]
        return cleaner(self, value, path)


@dataclass(frozen=True)
class Schema:
    """The declared fields of an entry's data (or of a nested record): name -> kind."""

    fields: Mapping[str, "Kind | Schema"] = field(default_factory=dict)

    def clean(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise LogSchemaViolation(f"{path} must be an object")
        cleaned: dict[str, Any] = {}
        for key, item in value.items():
            name = str(key)
            if name.lower() in FORBIDDEN_KEYS:
                raise PersonalDataInLog(f"{path}.{name} would put personal data in the public log")
            kind = self.fields.get(name)
            if kind is None:
                raise LogSchemaViolation(f"{path}.{name} is not declared for this entry type")
            cleaned[name] = kind.clean(item, f"{path}.{name}")
        return cleaned


def _fail(path: str, what: str) -> LogSchemaViolation:
    return LogSchemaViolation(f"{path} must be {what}")


def _int(kind: Kind, value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(path, "an integer")
    if not -INT_LIMIT < value < INT_LIMIT:
        raise _fail(path, f"smaller than {INT_LIMIT} in size")
    if kind.name in ("id", "count") and value < 0:
        raise _fail(path, "zero or more")
    return value


def _number(kind: Kind, value: Any, path: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(path, "a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(path, "a finite number")
    if not -INT_LIMIT < value < INT_LIMIT:
        raise _fail(path, f"smaller than {INT_LIMIT} in size")
    return value


def _bool(kind: Kind, value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(path, "true or false")
    return value


def _matching(regex: re.Pattern[str], what: str) -> Any:
    def clean(kind: Kind, value: Any, path: str) -> str:
        if not isinstance(value, str) or not regex.match(value):
            raise _fail(path, what)
        personal_number_check(value, path)
        return value

    return clean


def _enum(kind: Kind, value: Any, path: str) -> str:
    if not isinstance(value, str) or value not in kind.values:
        raise _fail(path, f"one of {sorted(kind.values)}")
    personal_number_check(value, path)
    return value


def _code(kind: Kind, value: Any, path: str) -> str:
    if (
        not isinstance(value, str)
        or len(value) > kind.max_length
        or not re.fullmatch(kind.pattern, value)
    ):
        raise _fail(path, f"a code matching {kind.pattern} (at most {kind.max_length})")
    personal_number_check(value, path)
    return value


def _hash(kind: Kind, value: Any, path: str) -> str:
    if isinstance(value, str) and (
        _HEX.match(value) or _HEX_GROUPED.match(value) or _B64_DIGEST.match(value)
    ):
        return value
    raise _fail(path, "a hex digest")


def text_digest(text: str) -> str:
    """The SHA-256 hex of a typed text (UTF-8), as the log holds it."""
    return hashlib.sha256(text.encode()).hexdigest()


def _text_hash(kind: Kind, value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _fail(path, "a text (it is logged as its SHA-256)")
    # A caller that already hashed the text passes the 64-hex digest itself.
    return value if _HEX64.match(value) else text_digest(value)


def _coordinate(kind: Kind, value: Any, path: str) -> float:
    number = _number(kind, value, path)
    if not -180 <= number <= 180 or round(number, 3) != number:
        raise _fail(path, "a coordinate rounded to 3 decimals")
    return float(number)


def _list(kind: Kind, value: Any, path: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise _fail(path, "a list")
    if kind.of is None:
        raise LogSchemaViolation(f"{path}: a list kind needs its item kind")
    return [kind.of.clean(item, f"{path}[{n}]") for n, item in enumerate(value)]


def _mapping(kind: Kind, value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(path, "an object")
    if kind.key is None or kind.of is None:
        raise LogSchemaViolation(f"{path}: a mapping kind needs its key and value kinds")
    cleaned: dict[str, Any] = {}
    for key, item in value.items():
        name = kind.key.clean(key, f"{path} key")
        cleaned[name] = kind.of.clean(item, f"{path}.{key}")
    return cleaned


def _one_of(kind: Kind, value: Any, path: str) -> Any:
    for option in kind.options:
        try:
            return option.clean(value, path)
        except LogSchemaViolation:
            continue
    raise _fail(path, " or ".join(option.name for option in kind.options))


_CLEANERS: dict[str, Any] = {
    "id": _int,
    "count": _int,
    "amount": _int,
    "number": _number,
    "bool": _bool,
    "pseudonym": _matching(_PSEUDONYM, "a pseudonym"),
    "ref": _matching(_REF, "a reference like need:3"),
    "time": _matching(_TIME, "an ISO 8601 time"),
    "date": _matching(_DATE, "a date YYYY-MM-DD"),
    "month": _matching(_MONTH, "a month YYYY-MM"),
    "enum": _enum,
    "code": _code,
    "hash": _hash,
    "text_hash": _text_hash,
    "coordinate": _coordinate,
    "list": _list,
    "mapping": _mapping,
    "one_of": _one_of,
}

# The kinds, as the log-type modules use them.
ID = Kind("id")  # a row id (>= 0)
COUNT = Kind("count")  # how many (>= 0); also RT/RW numbers
AMOUNT = Kind("amount")  # whole rupiah (may be negative for a correction)
NUMBER = Kind("number")  # a score, weight or ratio (finite)
BOOL = Kind("bool")
PSEUDONYM = Kind("pseudonym")  # actor_pseudonym / person_pseudonym, optionally role:...
REF = Kind("ref")  # "<kind>:<id>"
TIME = Kind("time")  # ISO 8601 with offset
DATE = Kind("date")
MONTH = Kind("month")
HASH = Kind("hash")  # a digest: hex (optionally in groups of 8) or sha256-b64:...
TEXT_HASH = Kind("text_hash")  # a typed text, logged as its SHA-256 hex
COORDINATE = Kind("coordinate")  # GPS rounded to 3 decimals (about 110 m)


def enum(values: type[std_enum.Enum] | Iterable[str]) -> Kind:
    """A value from a closed set: a ``TextChoices``/``Enum`` class or the listed strings."""
    if isinstance(values, type) and issubclass(values, std_enum.Enum):
        allowed = frozenset(str(member.value) for member in values)
    else:
        allowed = frozenset(str(v) for v in values)
    if not allowed:
        raise ValueError("an enum needs at least one value")
    return Kind("enum", values=allowed)


def code(pattern: str, max_length: int = 32) -> Kind:
    """A short machine code (receipt, account or region code): no spaces, at most 64."""
    if re.fullmatch(pattern, "a b") or max_length > 64:
        raise ValueError("a code pattern must not admit spaces and must be short")
    return Kind("code", pattern=pattern, max_length=max_length)


def list_of(item: "Kind | Schema | Mapping[str, Any]") -> Kind:
    """A list of values of one kind, or of records with declared fields."""
    return Kind("list", of=record(item) if isinstance(item, Mapping) else item)


def mapping(key: Kind, value: "Kind | Mapping[str, Any]") -> Kind:
    """An object whose keys are values of a kind (``{"organisation:6": 5}``)."""
    if key.name not in ("ref", "enum", "code"):
        raise ValueError("mapping keys must be references, enums or codes")
    return Kind("mapping", key=key, of=record(value) if isinstance(value, Mapping) else value)


def one_of(*options: Kind) -> Kind:
    """A value of any of the given kinds (a field some callers fill differently)."""
    return Kind("one_of", options=tuple(options))


def record(fields: "Mapping[str, Kind | Schema | Mapping[str, Any]] | Schema") -> Schema:
    """A nested object with declared fields."""
    if isinstance(fields, Schema):
        return fields
    return Schema(
        {name: record(kind) if isinstance(kind, Mapping) else kind for name, kind in fields.items()}
    )


# Keys that must never appear in the log, whatever a schema says.
FORBIDDEN_KEYS = {
    "name",
    "nama",
    "display_name",
    "phone",
    "telepon",
    "hp",
    "nik",
    "kk",
    "no_kk",
    "kk_number",
    "address",
    "alamat",
    "birth_date",
    "tanggal_lahir",
    "email",
    "diagnosis",
    "health",
    "kesehatan",
    "bank_account",
    "rekening",
}

ENTRY_TYPES: dict[str, Schema] = {}
_ENTRY_TYPE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$")


def entry_types_declare(table: Mapping[str, Mapping[str, Any] | Schema]) -> None:
    """Register entry types and the fields each may carry (from an app's ``log_types``)."""
    for type_name, fields in table.items():
        if not _ENTRY_TYPE.match(type_name):
            raise ValueError(f"entry type {type_name!r} must look like app.event")
        schema = record(fields)
        for name, kind in schema_fields_walk(schema):
            if name.rsplit(".", 1)[-1].lower() in FORBIDDEN_KEYS:
                raise ValueError(f"{type_name}: field {name} names personal data")
            if kind.name not in _CLEANERS:
                raise ValueError(f"{type_name}: field {name} has an unknown kind")
        known = ENTRY_TYPES.get(type_name)
        if known is not None and known != schema:
            raise ValueError(f"entry type {type_name} is declared twice, differently")
        ENTRY_TYPES[type_name] = schema


def schema_fields_walk(schema: Schema, prefix: str = "") -> list[tuple[str, Kind]]:
    """Every (dotted field name, kind) of a schema, nested records and lists included."""
    found: list[tuple[str, Kind]] = []
    for name, kind in schema.fields.items():
        path = f"{prefix}{name}"
        if isinstance(kind, Schema):
            found += schema_fields_walk(kind, f"{path}.")
            continue
        found.append((path, kind))
        found += [(f"{path}|{option.name}", option) for option in kind.options]
        if kind.key is not None:
            found.append((f"{path}{{key}}", kind.key))
        if kind.name in ("list", "mapping") and kind.of is not None:
            if isinstance(kind.of, Schema):
                found += schema_fields_walk(kind.of, f"{path}[].")
            else:
                found.append((f"{path}[]", kind.of))
    return found


def entry_data_clean(type_name: str, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The data as logged: checked against the type's schema, typed texts hashed."""
    schema = ENTRY_TYPES.get(type_name)
    if schema is None:
        raise LogSchemaViolation(
            f"entry type {type_name!r} has no declared schema (declare it in log_types.py)"
        )
    return schema.clean(dict(data or {}), "data")


# Codes several apps use.
SLUG = code(r"[a-z][a-z0-9_]{0,31}")  # a machine value: a status, a skill code, a kind
RECEIPT_CODE = code(r"[2-9a-z]{12}", 12)  # an evidence receipt code
ACCOUNT_CODE = code(r"[a-z][a-z_]{0,31}(?::[0-9]{1,12})?", 48)  # a ledger account code
