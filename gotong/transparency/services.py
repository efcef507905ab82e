"""Transparency use-cases.

- ``entry_record``: append one entry to a kelurahan's log (every app calls it inside the
  transaction of the change it records); ``entries_append`` appends a batch.
- ``entry_enqueue``: for busy writers (the funds ledger): queue the entry in the change's
  transaction without taking the log's append lock; ``queue_drain`` appends the queue in
  batches right after the commit (and ``queues_drain_all`` on the tree-head schedule).
- ``tree_head_publish``: sign the current tree head (on a schedule and after batches).
- ``actor_pseudonym``: the stable keyed-hash id under which a user appears in the log.
- ``evidence_upload``: store a photo as evidence (private original, stripped public copy,
  hashes) and record it in the log with a public receipt code; ``evidence_submit`` is the
  upload page's and API's door, which first asks the subject's app who may.
"""

import atexit
import hashlib
import hmac
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Iterable, Mapping
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gotong.accounts.permissions import permission_gate
from gotong.core.exceptions import ValidationFailed
from gotong.core.timeutils import utc_iso
from gotong.territory.models import Kelurahan

from . import merkle
from .canonical import canonical_bytes
from .evidence_subjects import evidence_subject_require
from .log_schema import LogSchemaViolation as LogSchemaViolation  # re-exported for callers
from .log_schema import PersonalDataInLog, entry_data_clean, personal_number_check
from .models import Evidence, LogEntry, LogHead, QueuedEntry, SignedTreeHead, TreeNode
from .photos import EXTENSIONS, PhotoRejected, photo_inspect
from .signing import public_key_bytes, tree_head_sign
from .upload_limits import evidence_upload_attempt_record

logger = logging.getLogger(__name__)


def actor_pseudonym(user_id: int) -> str:
    """Stable pseudonym of a user in the log: a keyed hash of the id, never the identity."""
    key = settings.GOTONG_PSEUDONYM_KEY.encode()
    return hmac.new(key, f"user:{user_id}".encode(), hashlib.sha256).hexdigest()[:16]


def _actor_label(actor: Any, role: str | None, kelurahan: Kelurahan) -> str:
    if actor is None:
        return "system"
    if role is None:
        from gotong.accounts.selectors import user_role_primary

        role = user_role_primary(user=actor, kelurahan=kelurahan) or "user"
    return f"{role}:{actor_pseudonym(actor.pk)}"


def _check_no_personal_data(value: Any, path: str = "data") -> None:
    """The second line of defence over strings the schema let through (the subject)."""
    if isinstance(value, str):
        personal_number_check(value, path)


def _entry_build(
    kelurahan: Kelurahan,
    type: str,
    actor: Any,
    subject: str,
    data: Mapping[str, Any] | None,
    role: str | None,
) -> dict[str, Any]:
    return {
        "type": type,
        "at": utc_iso(),
        "actor": _actor_label(actor, role, kelurahan),
        "subject": subject,
        # Declared fields only, of their declared kinds; typed texts become their hash.
        "data": entry_data_clean(type, data),
    }


def entry_record(
    *,
    kelurahan: Kelurahan,
    type: str,
    actor: Any,
    subject: str,
    data: Mapping[str, Any] | None = None,
    role: str | None = None,
) -> LogEntry:
    """Append ``{"type", "at", "actor", "subject", "data"}`` to the kelurahan's log.

    ``actor`` is a User (shown as ``role:pseudonym``) or None for the system. ``data``
    must fit the schema declared for ``type`` (``log_schema``, each app's
    ``log_types.py``): an undeclared type or key, or a value of the wrong kind, raises
    ``LogSchemaViolation``; a ``TEXT_HASH`` field's text is logged as its SHA-256. Call it
    in the transaction of the change it records: both commit or neither does.
    """
    entry = _entry_build(kelurahan, type, actor, subject, data, role)  # checked here
    _check_no_personal_data(entry["subject"], "subject")
    with transaction.atomic():
        return _append_locked(_head_locked(kelurahan), [entry])[0]


QUEUE_BATCH = 500


class _QueueDrain:
    """The after-commit callback that appends a kelurahan's queue (one per transaction)."""

    def __init__(self, kelurahan_id: int) -> None:
        self.kelurahan_id = kelurahan_id

    def __call__(self) -> None:
        if settings.GOTONG_LOG_DRAIN_IN_BACKGROUND:
            _drain_soon(self.kelurahan_id)
        else:
            queue_drain(kelurahan_id=self.kelurahan_id)


class _Drainer(threading.Thread):
    """A process's background appender for one kelurahan's queue.

    Started by the first commit that queued an entry, it waits a moment so that commits
    made meanwhile are appended in the same batch, drains, and again after another moment
    if a commit asked for it meanwhile (``again``); then it ends. So a busy writer
    pays one INSERT per entry and the log is appended in batches within about
    ``GOTONG_LOG_DRAIN_DELAY_MS`` of the commit.
    """

    def __init__(self, kelurahan_id: int) -> None:
        super().__init__(name=f"log-drain-{kelurahan_id}", daemon=True)
        self.kelurahan_id = kelurahan_id
        self.again = False

    def run(self) -> None:
        from django.db import connection

        try:
            while True:
                time.sleep(settings.GOTONG_LOG_DRAIN_DELAY_MS / 1000)
                try:
                    queue_drain(kelurahan_id=self.kelurahan_id)
                    # The lock may have been held by a plain ``entry_record`` writer, which
                    # does not look at the queue after its commit: try again shortly.
                    waiting = QueuedEntry.objects.filter(kelurahan_id=self.kelurahan_id).exists()
                except Exception:
                    # Left queued: the next commit's drain or the tree-head task appends it.
                    logger.exception("appending the queued log entries failed")
                    waiting = False
                with _drainers_lock:
                    if not self.again and not waiting:
                        _drainers.pop(self.kelurahan_id, None)
                        return
                    self.again = False
        finally:
            connection.close()


_drainers_lock = threading.Lock()
_drainers: dict[int, _Drainer] = {}
_exit_hook_pid: int | None = None


def _drain_soon(kelurahan_id: int) -> None:
    global _exit_hook_pid
    with _drainers_lock:
        if _exit_hook_pid != os.getpid():
            # A process that ends normally (a management command, a worker) first lets its
            # appenders finish: daemon threads are abandoned only after atexit hooks.
            atexit.register(log_drains_wait)
            _exit_hook_pid = os.getpid()
        drainer = _drainers.get(kelurahan_id)
        if drainer is not None and drainer.is_alive():
            drainer.again = True  # it drains once more after this commit
            return
        # None, or a thread object inherited from the parent of a forked process.
        drainer = _drainers[kelurahan_id] = _Drainer(kelurahan_id)
        drainer.start()


def log_drains_wait(timeout: float = 10.0) -> None:
    """Wait for this process's background appenders (before exit, in tests, benchmarks)."""
    deadline = time.monotonic() + timeout
    while True:
        with _drainers_lock:
            running = [d for d in _drainers.values() if d.is_alive()]
        if not running or time.monotonic() > deadline:
            return
        running[0].join(max(0.0, deadline - time.monotonic()))


def entry_enqueue(
    *,
    kelurahan: Kelurahan,
    type: str,
    actor: Any,
    subject: str,
    data: Mapping[str, Any] | None = None,
    role: str | None = None,
) -> None:
    """Queue an entry in the caller's transaction; it reaches the log right after commit.

    The entry is checked against its type's schema and for personal data now (the
    caller's change fails, not the append), commits or rolls back with the change, and
    takes no lock: concurrent writers do not serialise on the log's append lock. After the
    commit the queue is appended in order by ``queue_drain``: in a background thread of
    this process a moment later, in batches (``GOTONG_LOG_DRAIN_IN_BACKGROUND``, the
    default), or at once (tests). If the process dies first, the tree-head task appends
    it. The entry's ``at`` is the time of the change; its index is given at the append.
    """
    entry = _entry_build(kelurahan, type, actor, subject, data, role)
    _check_no_personal_data(entry["subject"], "subject")
    QueuedEntry.objects.create(kelurahan=kelurahan, entry=entry, queued_at=timezone.now())
    connection = transaction.get_connection()
    registered = any(
        isinstance(callback, _QueueDrain) and callback.kelurahan_id == kelurahan.pk
        for _savepoints, callback, _robust in connection.run_on_commit
    )
    if not registered:
        transaction.on_commit(_QueueDrain(kelurahan.pk), robust=True)


def queue_drain(*, kelurahan_id: int) -> int:
    """Append the kelurahan's queued entries to its log, oldest first; returns how many.

    Runs outside any transaction. Whoever holds the append lock appends the whole queue in
    batches; a caller that finds the lock taken leaves (``skip_locked``). A drain holding
    the lock looks again after its commit; when the holder was a plain ``entry_record``
    writer, the background appender retries after its delay (and the tree-head task
    drains every queue in any case).
    """
    appended = 0
    while True:
        with transaction.atomic():
            head = (
                LogHead.objects.select_for_update(skip_locked=True).filter(pk=kelurahan_id).first()
            )
            if head is None:
                if LogHead.objects.filter(pk=kelurahan_id).exists():
                    return appended  # another process is appending; it will take ours too
                head = _head_locked(Kelurahan.objects.get(pk=kelurahan_id))  # first entry
            # The queue is read only while holding the append lock. Entries were checked
            # for personal data when queued.
            queued = list(
                QueuedEntry.objects.filter(kelurahan_id=kelurahan_id)
                .order_by("pk")
                .values_list("pk", "entry")[:QUEUE_BATCH]
            )
            if queued:
                _append_locked(head, [entry for _pk, entry in queued])
                QueuedEntry.objects.filter(pk__in=[pk for pk, _entry in queued]).delete()
                appended += len(queued)
        # After the commit: anything queued by a writer that found the lock taken?
        if not QueuedEntry.objects.filter(kelurahan_id=kelurahan_id).exists():
            return appended


def queues_drain_all() -> int:
    """Append every kelurahan's queue (the safety net after a crashed writer)."""
    waiting = QueuedEntry.objects.values_list("kelurahan_id", flat=True).distinct().order_by()
    return sum(queue_drain(kelurahan_id=k) for k in sorted(set(waiting)))


@transaction.atomic
def entries_append(*, kelurahan: Kelurahan, entries: Iterable[dict[str, Any]]) -> list[LogEntry]:
    """Append entries in order; O(log n) stored nodes per entry, no rehash of the tree."""
    batch = [
        {**entry, "data": entry_data_clean(entry["type"], entry.get("data"))} for entry in entries
    ]
    for entry in batch:
        _check_no_personal_data(entry.get("subject", ""), "subject")
    return _append_locked(_head_locked(kelurahan), batch)


def _append_locked(head: LogHead, batch: list[dict[str, Any]]) -> list[LogEntry]:
    """Append checked entries under the held append lock (``head`` locked by the caller)."""
    kelurahan_id = head.pk
    size = head.size
    frontier = _frontier(head)
    now = timezone.now()
    rows, nodes = [], []
    for entry in batch:
        body = canonical_bytes(entry)
        leaf = merkle.leaf_hash(body)
        for (level, index), digest in merkle.new_nodes_after_append(size, leaf, frontier):
            frontier[(level, index)] = digest
            nodes.append(TreeNode(kelurahan_id=kelurahan_id, level=level, index=index, hash=digest))
        rows.append(
            LogEntry(
                kelurahan_id=kelurahan_id,
                index=size,
                type=entry["type"],
                subject=entry["subject"],
                body=body.decode(),
                leaf_hash=leaf,
                recorded_at=now,
            )
        )
        size += 1
    LogEntry.objects.bulk_create(rows, batch_size=2000)
    TreeNode.objects.bulk_create(nodes, batch_size=2000)
    # Conditional update: a concurrent appender that slipped past the lock (SQLite ignores
    # select_for_update) makes this fail instead of leaving a gap or a duplicate.
    edge = b"".join(frontier[node] for node in merkle.range_nodes(0, size))
    updated = LogHead.objects.filter(pk=kelurahan_id, size=head.size).update(
        size=size, frontier=edge
    )
    if updated != 1:
        raise IntegrityError("concurrent append to the transparency log")
    return rows


def _frontier(head: LogHead) -> dict[merkle.Node, bytes]:
    """The right-edge nodes of the current tree, from the head (or the node table)."""
    wanted = merkle.range_nodes(0, head.size)
    stored = bytes(head.frontier)
    if len(stored) == 32 * len(wanted):
        return {node: stored[32 * i : 32 * (i + 1)] for i, node in enumerate(wanted)}
    return _nodes_get(head.kelurahan, wanted)


def _head_locked(kelurahan: Kelurahan) -> LogHead:
    head = LogHead.objects.select_for_update().filter(pk=kelurahan.pk).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            LogHead.objects.create(kelurahan=kelurahan)
    except IntegrityError:
        pass  # created by a concurrent first append
    return LogHead.objects.select_for_update().get(pk=kelurahan.pk)


def _nodes_get(kelurahan: Kelurahan, wanted: Iterable[merkle.Node]) -> dict[merkle.Node, bytes]:
    wanted = list(wanted)
    if not wanted:
        return {}
    # The tenant goes inside every OR term so SQLite's OR optimisation can use the unique
    # (kelurahan, level, index) index for each point lookup.
    condition = reduce(
        or_, (Q(kelurahan=kelurahan, level=level, index=index) for level, index in wanted)
    )
    rows = TreeNode.objects.filter(condition).values_list("level", "index", "hash")
    found = {(level, index): bytes(digest) for level, index, digest in rows}
    missing = set(wanted) - found.keys()
    if missing:
        raise LookupError(f"tree nodes missing from the store: {sorted(missing)[:5]}")
    return found


def node_fetcher(kelurahan: Kelurahan) -> merkle.NodeFetcher:
    """A fetch function over this kelurahan's stored nodes, for the merkle module."""
    return lambda wanted: _nodes_get(kelurahan, wanted)


@transaction.atomic
def tree_head_publish(*, kelurahan: Kelurahan) -> SignedTreeHead:
    """Sign the current tree head unless the latest signed head already has this size."""
    size = LogHead.objects.filter(pk=kelurahan.pk).values_list("size", flat=True).first() or 0
    latest = (
        SignedTreeHead.objects.filter(kelurahan=kelurahan).order_by("-tree_size", "-pk").first()
    )
    if latest is not None and latest.tree_size == size:
        return latest
    root = merkle.root_from_nodes(size, node_fetcher(kelurahan))
    timestamp = utc_iso()
    return SignedTreeHead.objects.create(
        kelurahan=kelurahan,
        tree_size=size,
        root_hash=root,
        timestamp=timestamp,
        signature=tree_head_sign(tree_size=size, root_hash=root, timestamp=timestamp),
        public_key=public_key_bytes(),
    )


def tree_heads_publish_all() -> int:
    """Publish a new signed head for every kelurahan whose log grew; returns how many.

    Queued entries are appended first, so a head never lags behind a committed change by
    more than one schedule interval.
    """
    queues_drain_all()
    published = 0
    for kelurahan in Kelurahan.objects.order_by("pk"):
        before = SignedTreeHead.objects.filter(kelurahan=kelurahan).aggregate(m=Max("pk"))["m"]
        if tree_head_publish(kelurahan=kelurahan).pk != before:
            published += 1
    return published


# --- Evidence (photos) ------------------------------------------------------------------

EVIDENCE_UPLOAD = "transparency.evidence_upload"
EVIDENCE_ENTRY_TYPE = "evidence.recorded"
# What the evidence is about: "<kind>:<id>", e.g. "activity:12" or "need:3".
EVIDENCE_SUBJECT = re.compile(r"^[a-z][a-z_]{1,31}:[1-9][0-9]{0,11}$")
EVIDENCE_NOTE_MAX = 280
# GPS in the public log and on receipts: 3 decimals, about 110 m, enough to show the photo
# was taken in the neighbourhood, not enough to point at a house.
EVIDENCE_GPS_DECIMALS = 3
# Receipt codes: 12 characters from an alphabet without look-alikes (60 bits).
_RECEIPT_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyz"
_RECEIPT_LENGTH = 12


def gps_public(value: float | None) -> float | None:
    """A coordinate rounded for the public log and receipt (about 110 m)."""
    return None if value is None else round(value, EVIDENCE_GPS_DECIMALS)


def _receipt_code_new() -> str:
    while True:
        code = "".join(secrets.choice(_RECEIPT_ALPHABET) for _position in range(_RECEIPT_LENGTH))
        if not Evidence.objects.filter(code=code).exists():
            return code


def _upload_bytes(upload: Any, limit: int) -> bytes:
    too_large = ValidationFailed(
        _("The photo is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
        {"field": "file", "max_bytes": limit},
    )
    if getattr(upload, "size", None) and upload.size > limit:
        raise too_large
    upload.seek(0)
    raw = upload.read(limit + 1)
    if len(raw) > limit:
        raise too_large
    return raw


def _evidence_input_check(*, subject: str, note: str) -> None:
    if not EVIDENCE_SUBJECT.match(subject):
        raise ValidationFailed(
            _("The subject must look like activity:12 or need:3."), {"field": "subject"}
        )
    if len(note) > EVIDENCE_NOTE_MAX:
        raise ValidationFailed(
            _("The note is longer than %(n)s characters.") % {"n": EVIDENCE_NOTE_MAX},
            {"field": "note"},
        )
    try:
        # The note is never public (the log keeps its hash), but it is read by the team
        # and the heads over the subject: identity numbers do not belong in it.
        personal_number_check(note, "note")
    except PersonalDataInLog as exc:
        raise ValidationFailed(
            _("Leave phone numbers, NIK and KK numbers out of the note."),
            {"field": "note"},
        ) from exc


def evidence_upload(
    *, kelurahan: Kelurahan, uploader: Any, subject: str, upload: Any, note: str = ""
) -> Evidence:
    """Store a photo as evidence about ``subject`` (at most N a minute per user, counted
    before the upload's transaction so refused photos count too)."""
    evidence_upload_attempt_record(uploader=uploader)
    return _evidence_store(
        kelurahan=kelurahan, uploader=uploader, subject=subject, upload=upload, note=note
    )


@transaction.atomic
def _evidence_store(
    *, kelurahan: Kelurahan, uploader: Any, subject: str, upload: Any, note: str = ""
) -> Evidence:
    """Store a photo as evidence about ``subject`` and record its hashes in the log.

    ``upload`` is a Django ``File`` (e.g. an ``UploadedFile``). The type is sniffed from
    the content; the original goes to the private storage, a stripped and resized JPEG to
    the public one. Returns the ``Evidence`` with its receipt code.
    """
    # Any role that may upload, held anywhere in the kelurahan: the subject's own unit is
    # not known here (activities and needs will check their RT when they call this).
    permission_gate(uploader, EVIDENCE_UPLOAD, kelurahan)
    subject, note = subject.strip(), " ".join(note.split())
    _evidence_input_check(subject=subject, note=note)
    raw = _upload_bytes(upload, settings.GOTONG_EVIDENCE_MAX_BYTES)
    try:
        facts = photo_inspect(
            raw,
            max_side=settings.GOTONG_EVIDENCE_PUBLIC_MAX_SIDE,
            max_pixels=settings.GOTONG_EVIDENCE_MAX_PIXELS,
        )
    except PhotoRejected as exc:
        messages = {
            "type": _("Only JPEG, PNG or WebP photos can be uploaded."),
            "pixels": _("The photo has too many pixels."),
            "corrupt": _("The photo could not be read; it may be damaged or incomplete."),
        }
        raise ValidationFailed(
            messages[exc.reason], {"field": "file", "reason": exc.reason}
        ) from exc

    code = _receipt_code_new()
    folder = f"{kelurahan.pk}/{timezone.now():%Y/%m}"
    private, public = storages["evidence_private"], storages["evidence_public"]
    saved: list[tuple[Storage, str]] = []
    try:
        original_path = private.save(
            f"{folder}/{code}.{EXTENSIONS[facts.media_type]}", ContentFile(raw)
        )
        saved.append((private, original_path))
        public_path = public.save(f"{folder}/{code}.jpg", ContentFile(facts.public_bytes))
        saved.append((public, public_path))
        data: dict[str, Any] = {
            "receipt": code,
            "media_type": facts.media_type,
            "sha256": facts.sha256,
            "public_sha256": facts.public_sha256,
            "phash": facts.phash,
        }
        if facts.captured_at is not None:
            data["captured_at"] = utc_iso(facts.captured_at)
        if facts.latitude is not None:
            data["gps"] = {"lat": gps_public(facts.latitude), "lon": gps_public(facts.longitude)}
        if note:
            data["note"] = note  # a TEXT_HASH field: the log keeps its SHA-256 only
        entry = entry_record(
            kelurahan=kelurahan,
            type=EVIDENCE_ENTRY_TYPE,
            actor=uploader,
            subject=subject,
            data=data,
        )
        return Evidence.objects.create(
            kelurahan=kelurahan,
            code=code,
            subject=subject,
            note=note,
            uploader=uploader,
            log_index=entry.index,
            media_type=facts.media_type,
            size_bytes=len(raw),
            width=facts.width,
            height=facts.height,
            sha256=facts.sha256,
            original_path=original_path,
            public_path=public_path,
            public_sha256=facts.public_sha256,
            public_width=facts.public_width,
            public_height=facts.public_height,
            phash=facts.phash,
            captured_at=facts.captured_at,
            gps_lat=facts.latitude,
            gps_lon=facts.longitude,
        )
    except BaseException:
        for storage, path in saved:
            storage.delete(path)
        raise


def evidence_submit(
    *, kelurahan: Kelurahan, uploader: Any, subject: str, upload: Any, note: str = ""
) -> Evidence:
    """A person hands in a photo about a need or an activity (the upload page and API).

    The app that owns the subject decides who may (``evidence_subjects``): a kind no app
    registered is refused, and so is a person outside the subject's team and area.
    Services that attach evidence in their own steps (a payment proof, a delivery photo)
    check their own rules and call ``evidence_upload``. Not atomic itself: the upload
    limit's attempt row must survive a refused photo.
    """
    permission_gate(uploader, EVIDENCE_UPLOAD, kelurahan)
    subject = subject.strip()
    _evidence_input_check(subject=subject, note="")
    evidence_subject_require(user=uploader, kelurahan=kelurahan, subject=subject)
    return evidence_upload(
        kelurahan=kelurahan, uploader=uploader, subject=subject, upload=upload, note=note
    )
