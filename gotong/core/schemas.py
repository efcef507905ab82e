"""API schemas every app shares: the error shape, bounded paging, strict integers."""

from typing import Annotated, Any

from annotated_types import Ge, Le
from ninja import Field, Schema
from pydantic import Strict

# The largest row count or offset any list answers: far beyond any kelurahan's data and
# well inside a 64-bit (and SQLite) integer, so a huge number is a 422, never a 500.
MAX_OFFSET = 2**31 - 1

# The largest integer the database (SQLite, PostgreSQL bigint) can hold.
MAX_INTEGER = 2**63 - 1

# A JSON integer that must really be one: ``false``, ``1.0`` and ``"1"`` are refused.
# Request bodies use it with their own bounds (``Field(ge=..., le=...)``), or one of the
# bounded forms below, so a number beyond 64 bits is a 422 naming the field.
StrictInt = Annotated[int, Strict()]

# A row id in a request body: strict, positive, and one the database can hold.
StrictId = Annotated[int, Strict(), Ge(1), Le(MAX_INTEGER)]

# An integer without a domain bound of its own (amounts, values): strict and 64-bit.
StrictInt64 = Annotated[int, Strict(), Ge(-MAX_INTEGER), Le(MAX_INTEGER)]


class ErrorOut(Schema):
    """Every 4xx answer of the API: what went wrong and machine-readable details."""

    message: str
    extra: dict[str, Any]


class PageQuery(Schema):
    """``limit``/``offset`` paging with bounds the database can always take."""

    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
