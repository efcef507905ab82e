from django.core.management.base import BaseCommand, CommandError, CommandParser

from gotong.core.exceptions import NotFound
from gotong.territory.selectors import kelurahan_get_by_slug
from gotong.transparency.selectors import log_verify


class Command(BaseCommand):
    help = (
        "Recompute every leaf of a kelurahan's transparency log from the stored entries and "
        "check every signed tree head. Exit 0 when intact; otherwise exit 1 and print the "
        "first bad index."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kelurahan", required=True, help="slug, e.g. taman")

    def handle(self, *args: object, **options: str) -> None:
        try:
            kelurahan = kelurahan_get_by_slug(slug=options["kelurahan"])
        except NotFound as exc:
            raise CommandError(str(exc.message)) from exc
        check = log_verify(kelurahan=kelurahan)
        if check.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"OK: {check.size} entries, {check.heads_checked} signed heads verified."
                )
            )
            return
        for problem in check.problems:
            self.stderr.write(problem)
        raise CommandError(f"log is NOT intact; first bad index: {check.first_bad_index}")
