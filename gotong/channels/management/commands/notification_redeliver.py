from django.core.management.base import BaseCommand

from gotong.channels.services import messages_redeliver_due


class Command(BaseCommand):
    help = "Re-enqueue outbox messages whose delivery is overdue (run from cron every few minutes)."

    def handle(self, *args: object, **options: object) -> None:
        count = messages_redeliver_due()
        self.stdout.write(f"re-enqueued: {count}")
