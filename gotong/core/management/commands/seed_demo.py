import importlib
import importlib.util

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from gotong.core.seeding import demo_context, platform_batch


class Command(BaseCommand):
    help = "Create the synthetic demo Kelurahan Taman (idempotent, deterministic for --seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--quiet", action="store_true", help="do not print the demo logins")

    def handle(self, *args: object, **options: object) -> None:
        demo = demo_context(int(options["seed"]))  # type: ignore[call-overload]
        # A batch of the platform: per-person rate limits (photo uploads) do not apply.
        with transaction.atomic(), platform_batch():
            for config in apps.get_app_configs():
                if not config.name.startswith("gotong."):
                    continue
                module_name = f"{config.name}.demo"
                if importlib.util.find_spec(module_name) is None:
                    continue
                module = importlib.import_module(module_name)
                module.demo_seed(demo)
            for step in demo.finally_run:
                step()
        if options["quiet"]:
            return
        self.stdout.write(self.style.SUCCESS("Demo Kelurahan Taman is ready (synthetic data)."))
        self.stdout.write("Demo logins:")
        for who, phone, how in demo.logins:
            self.stdout.write(f"  {who:<28} {phone:<16} {how}")
