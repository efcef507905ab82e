from django.core.management.base import BaseCommand

from gotong.core.crypto import data_key_current_version
from gotong.registry.services import data_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every sensitive (Tier 2) column under the newest key in GOTONG_DATA_KEYS. "
        "Run after adding a new key version; remove an old version only when this reports 0."
    )

    def handle(self, *args: object, **options: object) -> None:
        counts = data_keys_rotate()
        version = data_key_current_version()
        for label, rows in counts.items():
            self.stdout.write(f"{label}: {rows} rows re-encrypted to key version {version}")
        self.stdout.write(self.style.SUCCESS(f"Done: {sum(counts.values())} rows."))
