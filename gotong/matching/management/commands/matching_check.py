from django.core.management.base import BaseCommand, CommandParser

from gotong.core.scheduling import task_chain_start
from gotong.matching import services
from gotong.matching.models import Trigger
from gotong.matching.tasks import matching_due, matching_schedule_task
from gotong.territory.models import Kelurahan


class Command(BaseCommand):
    help = (
        "Re-match declined or unanswered invitations and run the matching rounds that are "
        "due now; with --schedule, enqueue the self-rescheduling task (every 10 minutes)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schedule", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        if options["schedule"]:
            started = task_chain_start(matching_schedule_task)
            self.stdout.write("scheduled" if started else "already scheduled")
            return
        for kelurahan in Kelurahan.objects.order_by("pk"):
            swept = len(services.proposals_sweep(kelurahan=kelurahan))
            line = f"{kelurahan.slug}: re-matched {swept}"
            if matching_due(kelurahan=kelurahan):
                match_round = services.round_run(
                    actor=None, kelurahan=kelurahan, trigger=Trigger.SCHEDULE
                )
                line += f", round #{match_round.pk} ({match_round.proposed} proposed)"
            self.stdout.write(line)
