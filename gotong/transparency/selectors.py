"""Reads of the transparency log, always for one kelurahan: heads, entries, proofs, checks,
and the evidence photos with their receipts."""

import base64
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_holds
from gotong.core.exceptions import ApplicationError, NotFound, ValidationFailed
from gotong.territory.models import Kelurahan

from . import merkle
from .canonical import tree_head_signature_valid
from .evidence_subjects import (
    evidence_photo_viewer,
    evidence_photos_public,
    evidence_subject_require,
)
from .models import Evidence, LogEntry, LogHead, SignedTreeHead, TreeNode
from .photos import phash_distance
from .services import node_fetcher

MAX_ENTRIES_PER_PAGE = 1000
# Officers who read every evidence note of their kelurahan (declared in rules.py).
NOTE_VIEW = "transparency.view_notes"


def log_size(*, kelurahan: Kelurahan) -> int:
    """Number of entries appended so far (signed or not yet)."""
    return LogHead.objects.filter(pk=kelurahan.pk).values_list("size", flat=True).first() or 0


def tree_head_latest(*, kelurahan: Kelurahan) -> SignedTreeHead:
    """The most recent signed tree head, or NotFound when none was published yet."""
    head = SignedTreeHead.objects.filter(kelurahan=kelurahan).order_by("-tree_size", "-pk").first()
    if head is None:
        raise NotFound(_("No signed tree head has been published for this kelurahan yet."))
    return head


def entry_range(*, kelurahan: Kelurahan, start: int, end: int) -> list[LogEntry]:
    """Entries [start, end), at most 1000; ``end`` is clamped to the log size."""
    size = log_size(kelurahan=kelurahan)
    if start < 0 or end <= start:
        raise ValidationFailed(_("Use 0 <= start < end."), {"field": "start"})
    if start >= size:
        raise ValidationFailed(
            _("The log has %(size)s entries; start must be smaller.") % {"size": size},
            {"field": "start", "tree_size": size},
        )
    end = min(end, size, start + MAX_ENTRIES_PER_PAGE)
    return list(
        LogEntry.objects.filter(kelurahan=kelurahan, index__gte=start, index__lt=end).order_by(
            "index"
        )
    )


def entry_get(*, kelurahan: Kelurahan, index: int) -> LogEntry:
    """One entry by index, or NotFound."""
    entry = LogEntry.objects.filter(kelurahan=kelurahan, index=index).first()
    if entry is None:
        raise NotFound(_("Log entry %(index)s does not exist.") % {"index": index})
    return entry


def entry_list(*, kelurahan: Kelurahan, type_prefix: str = "") -> QuerySet[LogEntry]:
    """Entries newest first, optionally only types starting with ``type_prefix``."""
    qs = LogEntry.objects.filter(kelurahan=kelurahan)
    if type_prefix:
        qs = qs.filter(type__startswith=type_prefix)
    return qs.order_by("-index")


def entry_types(*, kelurahan: Kelurahan) -> list[str]:
    """The distinct entry types in this log, for filters."""
    return list(
        LogEntry.objects.filter(kelurahan=kelurahan)
        .order_by("type")
        .values_list("type", flat=True)
        .distinct()
    )


def entries_for_subject(*, kelurahan: Kelurahan, subject: str) -> QuerySet[LogEntry]:
    """Entries about one subject (e.g. ``activity:12``), oldest first."""
    return LogEntry.objects.filter(kelurahan=kelurahan, subject=subject).order_by("index")


def entry_indexes_for_subjects(
    *, kelurahan: Kelurahan, entry_type: str, subjects: Sequence[str]
) -> dict[str, int]:
    """For each subject that has an entry of ``entry_type`` in the log, the index of its first
    such entry (one query); a subject whose entry is still queued is left out."""
    found: dict[str, int] = {}
    for subject, index in (
        LogEntry.objects.filter(kelurahan=kelurahan, type=entry_type, subject__in=list(subjects))
        .order_by("-index")
        .values_list("subject", "index")
    ):
        found[subject] = index
    return found


def inclusion_proof(*, kelurahan: Kelurahan, index: int, tree_size: int) -> list[bytes]:
    """Audit path of entry ``index`` in the tree of ``tree_size`` entries."""
    size = log_size(kelurahan=kelurahan)
    if not 0 < tree_size <= size:
        raise ValidationFailed(
            _("tree_size must be between 1 and %(size)s.") % {"size": size},
            {"field": "tree_size", "tree_size": size},
        )
    if not 0 <= index < tree_size:
        raise ValidationFailed(_("index must be smaller than tree_size."), {"field": "index"})
    return merkle.inclusion_proof(index, tree_size, node_fetcher(kelurahan))


def consistency_proof(*, kelurahan: Kelurahan, first: int, second: int) -> list[bytes]:
    """Proof that the first ``first`` entries are a prefix of the first ``second``."""
    size = log_size(kelurahan=kelurahan)
    if not 0 < second <= size:
        raise ValidationFailed(
            _("second must be between 1 and %(size)s.") % {"size": size},
            {"field": "second", "tree_size": size},
        )
    if not 0 < first <= second:
        raise ValidationFailed(_("first must be between 1 and second."), {"field": "first"})
    return merkle.consistency_proof(first, second, node_fetcher(kelurahan))


def entry_inclusion_check(*, kelurahan: Kelurahan, entry: LogEntry) -> dict[str, Any]:
    """Is the entry included in the latest signed head? Everything a receipt page shows."""
    try:
        head = tree_head_latest(kelurahan=kelurahan)
    except NotFound:
        return {"signed": False, "verified": False}
    if entry.index >= head.tree_size:
        return {"signed": False, "verified": False, "tree_size": head.tree_size}
    proof = inclusion_proof(kelurahan=kelurahan, index=entry.index, tree_size=head.tree_size)
    leaf = bytes(entry.leaf_hash)
    verified = merkle.verify_inclusion(
        index=entry.index, size=head.tree_size, leaf=leaf, proof=proof, root=bytes(head.root_hash)
    ) and tree_head_signature_valid(
        public_key=bytes(head.public_key),
        signature=bytes(head.signature),
        tree_size=head.tree_size,
        root_hash=bytes(head.root_hash),
        timestamp=head.timestamp,
    )
    return {
        "signed": True,
        "verified": verified,
        "head": head,
        "tree_size": head.tree_size,
        "leaf_hash": leaf.hex(),
        "audit_path": [p.hex() for p in proof],
        "root_hash": bytes(head.root_hash).hex(),
    }


@dataclass
class LogCheck:
    """Outcome of a full verification of one kelurahan's log."""

    ok: bool
    size: int = 0
    heads_checked: int = 0
    first_bad_index: int | None = None
    problems: list[str] = field(default_factory=list)


def log_verify(*, kelurahan: Kelurahan, chunk_size: int = 10_000) -> LogCheck:
    """Recompute every leaf and every signed root from the stored entries.

    Reports the first bad index (an exact entry for edits, deletions, insertions and swaps;
    for a consistent rewrite of entries and tree, the size of the last head that verified).
    """
    heads = list(SignedTreeHead.objects.filter(kelurahan=kelurahan).order_by("tree_size", "pk"))
    check_at: dict[int, list[SignedTreeHead]] = {}
    for head in heads:
        check_at.setdefault(head.tree_size, []).append(head)
    result = LogCheck(ok=True, heads_checked=len(heads))

    def fail(index: int | None, problem: str) -> LogCheck:
        result.ok = False
        if result.first_bad_index is None and index is not None:
            result.first_bad_index = index
        result.problems.append(problem)
        return result

    for head in heads:
        if not tree_head_signature_valid(
            public_key=bytes(head.public_key),
            signature=bytes(head.signature),
            tree_size=head.tree_size,
            root_hash=bytes(head.root_hash),
            timestamp=head.timestamp,
        ):
            return fail(
                None, f"signature of tree head {head.pk} (size {head.tree_size}) is invalid"
            )

    stack: list[tuple[int, bytes]] = []
    expected = 0
    rows = (
        LogEntry.objects.filter(kelurahan=kelurahan)
        .order_by("index")
        .values_list("index", "body", "leaf_hash")
        .iterator(chunk_size=chunk_size)
    )
    # Level-0 tree nodes are stored apart from the entries: an entry rewritten together
    # with its own leaf hash still disagrees with the tree.
    leaves = (
        TreeNode.objects.filter(kelurahan=kelurahan, level=0)
        .order_by("index")
        .values_list("index", "hash")
        .iterator(chunk_size=chunk_size)
    )
    if 0 in check_at and any(bytes(h.root_hash) != merkle.EMPTY_ROOT for h in check_at[0]):
        return fail(0, "the signed empty tree has a wrong root")
    for index, body, stored_leaf in rows:
        if index != expected:
            return fail(expected, f"entry {expected} is missing (found {index} next)")
        leaf = merkle.leaf_hash(body.encode())
        if leaf != bytes(stored_leaf):
            return fail(index, f"entry {index} does not match its stored leaf hash")
        tree_leaf = next(leaves, None)
        if tree_leaf is None or tree_leaf[0] != index or bytes(tree_leaf[1]) != leaf:
            return fail(index, f"entry {index} does not match the leaf stored in the tree")
        try:
            json.loads(body)
        except ValueError:
            return fail(index, f"entry {index} is not valid JSON")
        level, digest = 0, leaf
        while stack and stack[-1][0] == level:
            digest = merkle.node_hash(stack.pop()[1], digest)
            level += 1
        stack.append((level, digest))
        expected += 1
        for head in check_at.get(expected, []):
            if merkle.fold([h for _, h in stack]) != bytes(head.root_hash):
                return fail(
                    _first_index_after(heads, expected),
                    f"root at size {expected} differs from the signed head",
                )
    result.size = expected
    if heads and heads[-1].tree_size > expected:
        return fail(
            expected, f"the log has {expected} entries but a head signed {heads[-1].tree_size}"
        )
    if expected != log_size(kelurahan=kelurahan):
        return fail(
            min(expected, log_size(kelurahan=kelurahan)), "the log size does not match its entries"
        )
    return result


def _first_index_after(heads: list[SignedTreeHead], size: int) -> int:
    """The first entry not covered by the last head that still verified before ``size``."""
    earlier = [h.tree_size for h in heads if h.tree_size < size]
    return max(earlier, default=0)


# --- Evidence and receipts ----------------------------------------------------------------


def evidence_get(*, kelurahan: Kelurahan, code: str) -> Evidence:
    """Evidence by receipt code within this kelurahan (another kelurahan's is not found)."""
    evidence = Evidence.objects.filter(kelurahan=kelurahan, code=code).first()
    if evidence is None:
        raise NotFound(_("No receipt with this code in this kelurahan."), {"code": code})
    return evidence


def evidence_for_subject(*, kelurahan: Kelurahan, subject: str) -> QuerySet[Evidence]:
    """Evidence about one subject (e.g. ``activity:12``), oldest first."""
    return Evidence.objects.filter(kelurahan=kelurahan, subject=subject).order_by("log_index")


def evidence_near_duplicates(
    *,
    kelurahan: Kelurahan,
    phash: str,
    max_distance: int | None = None,
    exclude: Evidence | None = None,
) -> list[tuple[Evidence, int]]:
    """Evidence in this kelurahan whose perceptual hash is within ``max_distance`` bits of
    ``phash`` (default ``GOTONG_EVIDENCE_PHASH_MAX_DISTANCE``), nearest first.

    For the governance module: the same photo handed in for two activities. Scans the
    kelurahan's hashes (64-bit XOR and popcount, about a million per second).
    """
    limit = settings.GOTONG_EVIDENCE_PHASH_MAX_DISTANCE if max_distance is None else max_distance
    candidates = Evidence.objects.filter(kelurahan=kelurahan)
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    close: dict[int, int] = {}
    for pk, other in candidates.values_list("pk", "phash").iterator(chunk_size=5000):
        distance = phash_distance(phash, other)
        if distance <= limit:
            close[pk] = distance
    found = Evidence.objects.filter(pk__in=close).order_by("log_index")
    return sorted(((e, close[e.pk]) for e in found), key=lambda pair: pair[1])


def evidence_public_file(*, evidence: Evidence) -> File:
    """The public (stripped, resized) copy, opened from the public storage."""
    return storages["evidence_public"].open(evidence.public_path, "rb")


@dataclass(frozen=True)
class LogRow:
    """One line of the public log page."""

    index: int
    type: str
    recorded_at: dt.datetime
    actor: str
    subject: str
    receipt_code: str | None


def log_rows(*, kelurahan: Kelurahan, entries: Sequence[LogEntry]) -> list[LogRow]:
    """Rows for a page of entries, each linked to the evidence receipt of the entry itself
    or, failing that, to the latest receipt about the same subject (one query)."""
    indexes = [e.index for e in entries]
    subjects = {e.subject for e in entries}
    by_index: dict[int, str] = {}
    by_subject: dict[str, str] = {}
    for index, subject, code in (
        Evidence.objects.filter(kelurahan=kelurahan)
        .filter(Q(log_index__in=indexes) | Q(subject__in=subjects))
        .order_by("log_index")
        .values_list("log_index", "subject", "code")
    ):
        by_index[index] = code
        by_subject[subject] = code
    return [
        LogRow(
            index=e.index,
            type=e.type,
            recorded_at=e.recorded_at,
            actor=json.loads(e.body).get("actor", ""),
            subject=e.subject,
            receipt_code=by_index.get(e.index) or by_subject.get(e.subject),
        )
        for e in entries
    ]


def inclusion_browser_data(*, entry: LogEntry, check: dict[str, Any]) -> dict[str, Any] | None:
    """What the in-browser verifier needs to redo the inclusion check (None when unsigned)."""
    if not check.get("signed"):
        return None
    head: SignedTreeHead = check["head"]
    return {
        "index": entry.index,
        "entry": entry.body,
        "leaf_hash": check["leaf_hash"],
        "audit_path": check["audit_path"],
        "tree_size": head.tree_size,
        "root_hash": check["root_hash"],
        "timestamp": head.timestamp,
        "signature": base64.b64encode(bytes(head.signature)).decode(),
        "public_key": base64.b64encode(bytes(head.public_key)).decode(),
    }


@dataclass
class Receipt:
    """Everything the public receipt page shows about one piece of evidence."""

    evidence: Evidence
    entry: LogEntry
    record: dict[str, Any]
    history: list[LogRow]
    check: dict[str, Any]
    browser: dict[str, Any] | None


RECEIPT_HISTORY_MAX = 50


def receipt_get(*, kelurahan: Kelurahan, code: str) -> Receipt:
    """The evidence, its log entry, the subject's logged history and the inclusion check."""
    evidence = evidence_get(kelurahan=kelurahan, code=code)
    entry = entry_get(kelurahan=kelurahan, index=evidence.log_index)
    history = list(
        entries_for_subject(kelurahan=kelurahan, subject=evidence.subject)[:RECEIPT_HISTORY_MAX]
    )
    check = entry_inclusion_check(kelurahan=kelurahan, entry=entry)
    return Receipt(
        evidence=evidence,
        entry=entry,
        record=json.loads(entry.body),
        history=log_rows(kelurahan=kelurahan, entries=history),
        check=check,
        browser=inclusion_browser_data(entry=entry, check=check),
    )


def evidence_note_visible_to(*, user: Any, evidence: Evidence) -> bool:
    """May ``user`` read the typed note of this evidence? The uploader, officers of the
    kelurahan, and whoever the subject's app lets give evidence about the subject (its
    team, the RT/RW heads over it). The public never does."""
    if not getattr(user, "is_authenticated", False):
        return False
    if evidence.uploader_id == user.pk:
        return True
    kelurahan = evidence.kelurahan
    if permission_holds(user, NOTE_VIEW, kelurahan):
        return True
    try:
        evidence_subject_require(user=user, kelurahan=kelurahan, subject=evidence.subject)
    except ApplicationError:
        return False
    return True


def evidence_photo_insider(*, user: Any, evidence: Evidence) -> bool:
    """Sees the photo even when it is not public: those who may read its note (the
    uploader, the team and heads over it, officers) and those the subject's app names
    (the resident it is about, the verifiers)."""
    return evidence_note_visible_to(user=user, evidence=evidence) or evidence_photo_viewer(
        user=user, kelurahan=evidence.kelurahan, subject=evidence.subject
    )


def evidence_photo_visible_to(*, user: Any, evidence: Evidence) -> bool:
    """May ``user`` see the photo? Everyone when the people it is about allowed their face
    in evidence photos (the subject's app decides, ``evidence_photos_public``); otherwise
    only the insiders (``evidence_photo_insider``)."""
    public = evidence_photos_public(kelurahan=evidence.kelurahan, subjects=[evidence.subject])
    return bool(public) or evidence_photo_insider(user=user, evidence=evidence)


def evidence_photos_visible(*, user: Any, evidences: list[Evidence]) -> set[int]:
    """The ids of ``evidences`` whose photo ``user`` may see (one rule call per kind; the
    note check only for photos that are not public)."""
    if not evidences:
        return set()
    public = evidence_photos_public(
        kelurahan=evidences[0].kelurahan, subjects=[e.subject for e in evidences]
    )
    private_by_subject: dict[str, bool] = {}
    visible: set[int] = set()
    for evidence in evidences:
        if evidence.subject in public:
            visible.add(evidence.pk)
            continue
        if evidence.uploader_id == getattr(user, "pk", None):
            visible.add(evidence.pk)
            continue
        if evidence.subject not in private_by_subject:
            private_by_subject[evidence.subject] = evidence_note_visible_to(
                user=user, evidence=evidence
            ) or evidence_photo_viewer(
                user=user, kelurahan=evidence.kelurahan, subject=evidence.subject
            )
        if private_by_subject[evidence.subject]:
            visible.add(evidence.pk)
    return visible
