from django.core.management.base import BaseCommand, CommandError, CommandParser

from gotong.core.exceptions import ApplicationError
from gotong.territory.services import kelurahan_create


class Command(BaseCommand):
    help = (
        "Set up a kelurahan from its official Kemendagri code (PP.KK.CC.VVVV); its name, "
        "kecamatan, city/regency and province are read from the bundled region list."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="e.g. 35.15.13.1005")
        parser.add_argument("--slug", default="", help="address part /k/<slug>/ (default: name)")

    def handle(self, *args: object, **options: str) -> None:
        try:
            kelurahan = kelurahan_create(region_code=options["code"], slug=options["slug"])
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {kelurahan.name}, {kelurahan.kecamatan}, {kelurahan.kota_kabupaten}, "
                f"{kelurahan.provinsi} ({kelurahan.region_code}) at /k/{kelurahan.slug}/"
            )
        )
