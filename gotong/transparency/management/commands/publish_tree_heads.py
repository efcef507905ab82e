from django.core.management.base import BaseCommand, CommandParser

from gotong.core.scheduling import task_chain_start
from gotong.transparency.services import tree_heads_publish_all
from gotong.transparency.tasks import tree_heads_publish_task


class Command(BaseCommand):
    help = (
        "Sign a new tree head for every kelurahan whose log grew. With --schedule, enqueue the "
        "self-rescheduling task instead (the worker then publishes every "
        "GOTONG_TREE_HEAD_INTERVAL_SECONDS)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schedule", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        if options["schedule"]:
            started = task_chain_start(tree_heads_publish_task)
            self.stdout.write("scheduled" if started else "already scheduled")
            return
        self.stdout.write(f"published: {tree_heads_publish_all()}")
