from django.core.management.base import BaseCommand, CommandParser

from gotong.transparency.services import tree_heads_publish_all
from gotong.transparency.tasks import tree_heads_publish_task


def schedule_pending() -> bool:
    """Is a publication already queued (by an earlier start) in the database task queue?"""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    path = f"{tree_heads_publish_task.module_path}"
    return DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING], task_path=path
    ).exists()


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
            if schedule_pending():
                self.stdout.write("already scheduled")
            else:
                tree_heads_publish_task.enqueue(reschedule=True)
                self.stdout.write("scheduled")
            return
        self.stdout.write(f"published: {tree_heads_publish_all()}")
