import getpass

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from gotong.accounts.models import KELURAHAN_ROLES, Role
from gotong.accounts.services import (
    membership_create_by_system,
    officer_totp_device_create,
    user_get_or_create,
)
from gotong.core.exceptions import ApplicationError
from gotong.territory.selectors import kelurahan_get_by_slug


class Command(BaseCommand):
    help = (
        "Create (or reset) a kelurahan officer: role, password and a new authenticator (TOTP) "
        "secret, printed once as an otpauth:// link to add to an authenticator app."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kelurahan", required=True, help="slug, e.g. taman")
        parser.add_argument("--phone", required=True)
        parser.add_argument("--role", required=True, choices=sorted(KELURAHAN_ROLES))
        parser.add_argument("--name", default="")
        parser.add_argument("--password", default="", help="prompted for when omitted")

    def handle(self, *args: object, **options: str) -> None:
        password = options["password"] or getpass.getpass("Password: ")
        try:
            kelurahan = kelurahan_get_by_slug(slug=options["kelurahan"])
            with transaction.atomic():
                user = user_get_or_create(phone=options["phone"], display_name=options["name"])
                user.set_password(password)
                if options["role"] == Role.ADMIN:
                    user.is_staff = user.is_superuser = True
                user.save()
                membership_create_by_system(
                    kelurahan=kelurahan, user=user, role=Role(options["role"])
                )
                device = officer_totp_device_create(user=user)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Officer {user.phone} is {options['role']} in {kelurahan}.")
        )
        self.stdout.write("Add this to the officer's authenticator app (shown once):")
        self.stdout.write(device.config_url)
