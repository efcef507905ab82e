"""Public transparency API (no login): signed head, entries, inclusion and consistency proofs;
and the evidence upload (relawan, RT/RW heads, operators).

Hashes are hex, signatures and keys base64, as in the issue's contract.
"""

import base64
import json
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import Field

from gotong.accounts.permissions import api_route
from gotong.core.timeutils import utc_iso
from gotong.territory.middleware import request_kelurahan

from . import selectors, services
from .log_schema import text_digest

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


class GpsOut(Schema):
    lat: float
    lon: float


class EvidenceOut(Schema):
    receipt_code: str
    receipt_url: str
    subject: str
    media_type: str
    sha256: str
    public_sha256: str
    phash: str
    log_index: int
    captured_at: str | None
    gps: GpsOut | None
    # The note itself is private; the log (and this answer) carry its SHA-256.
    note_sha256: str | None


@api_route(
    router.post,
    "/k/{slug}/transparency/evidence",
    perm="transparency.evidence_upload",
    response={201: EvidenceOut},
)
def evidence_upload(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    subject: Form[str],
    note: Form[str] = "",
) -> Status:
    """Upload a photo (JPEG, PNG or WebP, at most 10 MB) as evidence about ``subject``
    (``need:3`` or ``activity:12``): its team, the RT/RW heads over it and officers may.
    The note is private (the log keeps its SHA-256); no phone or NIK/KK numbers in it.
    Returns the receipt."""
    evidence = services.evidence_submit(
        kelurahan=request_kelurahan(request),
        uploader=request.user,
        subject=subject,
        upload=file,
        note=note,
    )
    path = reverse("transparency:receipt", kwargs={"slug": slug, "code": evidence.code})
    lat, lon = services.gps_public(evidence.gps_lat), services.gps_public(evidence.gps_lon)
    return Status(
        201,
        {
            "receipt_code": evidence.code,
            "receipt_url": request.build_absolute_uri(path),
            "subject": evidence.subject,
            "media_type": evidence.media_type,
            "sha256": evidence.sha256,
            "public_sha256": evidence.public_sha256,
            "phash": evidence.phash,
            "log_index": evidence.log_index,
            "captured_at": utc_iso(evidence.captured_at) if evidence.captured_at else None,
            "gps": {"lat": lat, "lon": lon} if lat is not None else None,
            "note_sha256": text_digest(evidence.note) if evidence.note else None,
        },
    )
