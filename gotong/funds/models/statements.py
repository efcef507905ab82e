"""Imported bank statements and their lines (matched to donations)."""

from django.conf import settings
from django.db import models

from gotong.core.models import BaseModel
from gotong.territory.models import Kelurahan

from .campaigns import Donation


class StatementImport(BaseModel):
    """One bank statement CSV, its matches and the lines it could not match."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=200)
    file_sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    lines_total = models.PositiveIntegerField(default=0)
    lines_matched = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class StatementLine(models.Model):
    """An incoming bank transfer from a statement; matched to a pending donation or not."""

    statement = models.ForeignKey(StatementImport, on_delete=models.CASCADE, related_name="lines")
    row = models.PositiveIntegerField()
    booked_on = models.DateField()
    amount = models.BigIntegerField()
    description = models.CharField(max_length=300)
    bank_reference = models.CharField(max_length=60, blank=True)
    donation = models.ForeignKey(
        Donation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["statement_id", "row"]

    def __str__(self) -> str:
        return f"{self.row}: {self.amount}"
