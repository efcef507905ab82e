"""Expire vouchers past their date (value back to its source) and draw this month's
call-back sample; run daily from cron or the worker's schedule."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from gotong.funds.services import callbacks_sample, vouchers_expire_due
from gotong.territory.models import Kelurahan


class Command(BaseCommand):
    help = "Expire due vouchers and draw the monthly call-back sample."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--sample-size", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        expired = vouchers_expire_due()
        cycle = timezone.localdate().strftime("%Y-%m")
        sampled = 0
        for kelurahan in Kelurahan.objects.order_by("pk"):
            sampled += len(
                callbacks_sample(kelurahan=kelurahan, cycle=cycle, size=options["sample_size"])
            )
        self.stdout.write(f"vouchers expired: {expired}; call-backs in {cycle}: {sampled}")
