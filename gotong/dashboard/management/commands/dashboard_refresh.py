from django.core.management.base import BaseCommand, CommandParser

from gotong.core.scheduling import task_chain_start
from gotong.dashboard import services
from gotong.dashboard.tasks import dashboard_refresh_task
from gotong.territory.models import Kelurahan


class Command(BaseCommand):
    help = (
        "Recompute the dashboard snapshot of every kelurahan now (--all) or of those out of "
        "date; with --schedule, enqueue the self-rescheduling refresh task for the worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schedule", action="store_true")
        parser.add_argument("--all", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        if options["schedule"]:
            started = task_chain_start(dashboard_refresh_task)
            self.stdout.write("scheduled" if started else "already scheduled")
            return
        if options["all"]:
            for kelurahan in Kelurahan.objects.order_by("pk"):
                services.snapshot_refresh(kelurahan=kelurahan)
                self.stdout.write(f"{kelurahan.slug}: refreshed")
            return
        self.stdout.write(f"refreshed {services.snapshots_refresh_due()}")
