"""Expire vouchers past their date (value back to its source), draw this month's call-back
sample and delete wrong-voucher-code rows older than a day; run daily from cron or the
worker's schedule."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from gotong.funds.services import (
    callbacks_sample,
    voucher_code_failures_prune,
    vouchers_expire_due,
)
from gotong.territory.models import Kelurahan


class Command(BaseCommand):
    help = (
        "Expire due vouchers, draw the monthly call-back sample and prune old wrong voucher codes."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--sample-size", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        expired = vouchers_expire_due()
        cycle = timezone.localdate().strftime("%Y-%m")
        sampled = 0
        for kelurahan in Kelurahan.objects.order_by("pk"):
            sampled += len(
                callbacks_sample(
                    actor=None, kelurahan=kelurahan, cycle=cycle, size=options["sample_size"]
                )
            )
        pruned = voucher_code_failures_prune()
        self.stdout.write(
            f"vouchers expired: {expired}; call-backs in {cycle}: {sampled}; "
            f"wrong voucher codes deleted: {pruned}"
        )
