"""The public, append-only log of a kelurahan (RFC 6962 Merkle tree) and its signed heads.

``LogEntry``, ``TreeNode`` and ``SignedTreeHead`` are append-only: database triggers
(migration 0002, ``db.py``) refuse UPDATE and DELETE. ``LogHead`` is the one mutable row
per kelurahan; locking it serialises appends so indexes have no gaps and no duplicates.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LogHead(models.Model):
    """The current size of a kelurahan's log (the append lock)."""

    kelurahan = models.OneToOneField(
        "territory.Kelurahan", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    size = models.PositiveBigIntegerField(default=0)
    # Hashes of the right-edge perfect subtrees (merkle.range_nodes(0, size), left to right),
    # 32 bytes each: an append reads no tree nodes. Rebuilt from TreeNode when absent.
    frontier = models.BinaryField(default=b"")

    class Meta:
        verbose_name = _("log head")
        verbose_name_plural = _("log heads")

    def __str__(self) -> str:
        return f"{self.kelurahan_id}: {self.size}"


class LogEntry(models.Model):
    """One entry: its canonical JSON exactly as hashed, and the leaf hash."""

    kelurahan = models.ForeignKey(
        "territory.Kelurahan", on_delete=models.PROTECT, related_name="log_entries"
    )
    index = models.PositiveBigIntegerField()
    type = models.CharField(max_length=64)
    subject = models.CharField(max_length=96)
    body = models.TextField(help_text=_("Canonical JSON of the entry (the hashed bytes)."))
    leaf_hash = models.BinaryField(max_length=32)
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        ordering = ["kelurahan_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["kelurahan", "index"], name="log_entry_index_unique"),
        ]
        indexes = [
            models.Index(fields=["kelurahan", "type", "index"]),
            models.Index(fields=["kelurahan", "subject"]),
        ]

    def __str__(self) -> str:
        return f"#{self.index} {self.type} {self.subject}"


class QueuedEntry(models.Model):
    """An entry written in the transaction of its change, waiting to be appended to the log.

    Busy writers (the funds ledger) queue their entries instead of taking the log's append
    lock: the change and its queued entry commit together, and right after the commit the
    queue is appended in order, in batches, by whoever gets the lock (``queue_drain``).
    """

    kelurahan = models.ForeignKey("territory.Kelurahan", on_delete=models.PROTECT, related_name="+")
    entry = models.JSONField()
    queued_at = models.DateTimeField()

    class Meta:
        verbose_name = _("queued log entry")
        verbose_name_plural = _("queued log entries")
        indexes = [models.Index(fields=["kelurahan", "id"])]

    def __str__(self) -> str:
        return f"{self.kelurahan_id}: {self.entry.get('type', '')}"


class TreeNode(models.Model):
    """Hash of a perfect, aligned subtree: leaves [index << level, (index + 1) << level)."""

    kelurahan = models.ForeignKey("territory.Kelurahan", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("tree node")
        verbose_name_plural = _("tree nodes")
        constraints = [
            models.UniqueConstraint(
                fields=["kelurahan", "level", "index"], name="tree_node_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"({self.level}, {self.index})"


class SignedTreeHead(models.Model):
    """A tree head signed with the deployment's Ed25519 key; the history is kept."""

    kelurahan = models.ForeignKey(
        "territory.Kelurahan", on_delete=models.PROTECT, related_name="tree_heads"
    )
    tree_size = models.PositiveBigIntegerField()
    root_hash = models.BinaryField(max_length=32)
    timestamp = models.CharField(max_length=40, help_text=_("ISO 8601 UTC, as signed."))
    signature = models.BinaryField(max_length=64)
    public_key = models.BinaryField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("signed tree head")
        verbose_name_plural = _("signed tree heads")
        ordering = ["kelurahan_id", "-tree_size", "-pk"]
        indexes = [models.Index(fields=["kelurahan", "-tree_size"])]

    def __str__(self) -> str:
        return f"{self.tree_size} @ {self.timestamp}"


class Evidence(models.Model):
    """A photo that proves an action: the original kept privately, a stripped public copy.

    The log entry at ``log_index`` (type ``evidence.recorded``) holds the hashes, the rounded
    GPS position and capture time; the photo itself never enters the log. The exact GPS
    position below is not public. Files live in the ``evidence_private`` and
    ``evidence_public`` storages (``settings.STORAGES``).
    """

    kelurahan = models.ForeignKey(
        "territory.Kelurahan", on_delete=models.PROTECT, related_name="evidence"
    )
    code = models.CharField(_("receipt code"), max_length=16, unique=True)
    subject = models.CharField(_("subject"), max_length=96)
    note = models.CharField(_("note"), max_length=280, blank=True)
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    log_index = models.PositiveBigIntegerField(_("log index"))
    media_type = models.CharField(max_length=32)
    size_bytes = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(_("SHA-256 of the original"), max_length=64, db_index=True)
    original_path = models.CharField(max_length=255)
    public_path = models.CharField(max_length=255)
    public_sha256 = models.CharField(_("SHA-256 of the public copy"), max_length=64)
    public_width = models.PositiveIntegerField()
    public_height = models.PositiveIntegerField()
    phash = models.CharField(_("perceptual hash"), max_length=16)
    captured_at = models.DateTimeField(_("captured at"), null=True, blank=True)
    gps_lat = models.FloatField(null=True, blank=True)
    gps_lon = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["kelurahan_id", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kelurahan", "log_index"], name="evidence_log_index_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(gps_lat__isnull=True, gps_lon__isnull=True)
                | models.Q(gps_lat__isnull=False, gps_lon__isnull=False),
                name="evidence_gps_both_or_neither",
            ),
        ]
        indexes = [models.Index(fields=["kelurahan", "subject"])]

    def __str__(self) -> str:
        return f"{self.code} {self.subject}"


class EvidenceUploadAttempt(models.Model):
    """One evidence upload a user tried, for the per-minute limit (``upload_limits.py``).

    Written before the photo is read, in its own commit, so refused photos count too;
    rows older than an hour are deleted as new ones come in.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("evidence upload attempt")
        verbose_name_plural = _("evidence upload attempts")
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.at:%Y-%m-%d %H:%M:%S}"
