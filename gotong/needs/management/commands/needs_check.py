from django.core.management.base import BaseCommand, CommandParser

from gotong.core.scheduling import task_chain_start
from gotong.needs import services
from gotong.needs.tasks import needs_schedule_task
from gotong.territory.models import Kelurahan


class Command(BaseCommand):
    help = (
        "Escalate overdue needs and reopen recurring ones now; with --schedule, enqueue the "
        "self-rescheduling task (every 15 minutes) for the worker instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schedule", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        if options["schedule"]:
            started = task_chain_start(needs_schedule_task)
            self.stdout.write("scheduled" if started else "already scheduled")
            return
        for kelurahan in Kelurahan.objects.order_by("pk"):
            escalated = services.needs_escalate_overdue(kelurahan=kelurahan)
            reopened = len(services.needs_reopen_due(kelurahan=kelurahan))
            self.stdout.write(f"{kelurahan.slug}: escalated {escalated}, reopened {reopened}")
