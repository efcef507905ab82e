"""Public transparency API (no login): signed head, entries, inclusion and consistency proofs.

Hashes are hex, signatures and keys base64, as in the issue's contract.
"""

import base64
import json
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from gotong.accounts.permissions import api_route
from gotong.territory.middleware import request_kelurahan

from . import selectors

router = Router(tags=["transparency"])


class TreeHeadOut(Schema):
    tree_size: int
    root_hash: str
    timestamp: str
    signature: str
    public_key: str


class EntryOut(Schema):
    index: int
    entry: dict[str, Any]
    leaf_hash: str


class EntriesOut(Schema):
    entries: list[EntryOut]


class InclusionOut(Schema):
    index: int
    tree_size: int
    audit_path: list[str]


class ConsistencyOut(Schema):
    first: int
    second: int
    consistency: list[str]


class EntriesQuery(Schema):
    start: int = Field(..., ge=0)
    end: int = Field(..., ge=1)


class InclusionQuery(Schema):
    index: int = Field(..., ge=0)
    tree_size: int = Field(..., ge=1)


class ConsistencyQuery(Schema):
    first: int = Field(..., ge=1)
    second: int = Field(..., ge=1)


def _b64(value: bytes | memoryview) -> str:
    return base64.b64encode(bytes(value)).decode()


@api_route(router.get, "/k/{slug}/transparency/sth", perm="transparency.view", response=TreeHeadOut)
def tree_head(request: HttpRequest, slug: str) -> dict[str, Any]:
    head = selectors.tree_head_latest(kelurahan=request_kelurahan(request))
    return {
        "tree_size": head.tree_size,
        "root_hash": bytes(head.root_hash).hex(),
        "timestamp": head.timestamp,
        "signature": _b64(head.signature),
        "public_key": _b64(head.public_key),
    }


@api_route(
    router.get, "/k/{slug}/transparency/entries", perm="transparency.view", response=EntriesOut
)
def entries(request: HttpRequest, slug: str, query: Query[EntriesQuery]) -> dict[str, Any]:
    rows = selectors.entry_range(
        kelurahan=request_kelurahan(request),
        start=query.start,
        end=query.end,
    )
    return {
        "entries": [
            {"index": r.index, "entry": json.loads(r.body), "leaf_hash": bytes(r.leaf_hash).hex()}
            for r in rows
        ]
    }


@api_route(
    router.get,
    "/k/{slug}/transparency/proof/inclusion",
    perm="transparency.view",
    response=InclusionOut,
)
def inclusion(request: HttpRequest, slug: str, query: Query[InclusionQuery]) -> dict[str, Any]:
    path = selectors.inclusion_proof(
        kelurahan=request_kelurahan(request),
        index=query.index,
        tree_size=query.tree_size,
    )
    return {
        "index": query.index,
        "tree_size": query.tree_size,
        "audit_path": [p.hex() for p in path],
    }


@api_route(
    router.get,
    "/k/{slug}/transparency/proof/consistency",
    perm="transparency.view",
    response=ConsistencyOut,
)
def consistency(request: HttpRequest, slug: str, query: Query[ConsistencyQuery]) -> dict[str, Any]:
    proof = selectors.consistency_proof(
        kelurahan=request_kelurahan(request),
        first=query.first,
        second=query.second,
    )
    return {"first": query.first, "second": query.second, "consistency": [p.hex() for p in proof]}
