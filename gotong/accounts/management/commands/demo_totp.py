from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from gotong.accounts.models import User
from gotong.accounts.phone import phone_normalize


class Command(BaseCommand):
    help = "Print the current authenticator code of a DEMO officer (refuses real accounts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("phone")

    def handle(self, *args: object, **options: str) -> None:
        user = User.objects.filter(phone=phone_normalize(options["phone"]), is_demo=True).first()
        device = TOTPDevice.objects.filter(user=user).first() if user else None
        if device is None:
            raise CommandError("Not a demo officer with an authenticator.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
