"""API schemas every app shares: the error shape, bounded paging, strict integers."""

from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import Strict

# The largest row count or offset any list answers: far beyond any kelurahan's data and
# well inside a 64-bit (and SQLite) integer, so a huge number is a 422, never a 500.
MAX_OFFSET = 2**31 - 1

# A JSON integer that must really be one: ``false``, ``1.0`` and ``"1"`` are refused.
StrictInt = Annotated[int, Strict()]


class ErrorOut(Schema):
    """Every 4xx answer of the API: what went wrong and machine-readable details."""

    message: str
    extra: dict[str, Any]


class PageQuery(Schema):
    """``limit``/``offset`` paging with bounds the database can always take."""

    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
