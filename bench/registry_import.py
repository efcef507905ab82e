"""Bulk import speed: 10,000 residents (about 3,000 households) from one CSV file.

Builds a throw-away SQLite database with the demo (so the duplicate search also runs
against ~1,000 existing residents), then imports a synthetic file of 10,000 rows through
the same service operators use, and prints:
  import_10k_s: seconds for checking every row and writing households, people, consents
Target: under 60 s on this machine.
"""

import random
import time

from _common import demo_database_drop, demo_django, demo_seed

demo_django()

from gotong.registry.demo import demo_rows  # noqa: E402
from gotong.registry.models import Person  # noqa: E402
from gotong.registry.services import person_import_by_system  # noqa: E402
from gotong.territory.models import RT, Kelurahan  # noqa: E402

ROWS = 10_000


def main() -> None:
    demo_seed()
    kelurahan = Kelurahan.objects.get(slug="taman")
    rts = list(RT.objects.filter(kelurahan=kelurahan).select_related("rw"))
    rng = random.Random(10_000)
    # Kabupaten Madiun region codes: no NIK or KK can clash with the demo's (Kota Madiun).
    lines = demo_rows(
        rng, rts, households=ROWS // 3 + 200, regions=("351901", "351902", "351903")
    ).splitlines()
    # Exactly 10,000 rows; a household cut short still has its head (always written first).
    rows = lines[1 : ROWS + 1]
    content = "\n".join([lines[0], *rows])
    before = Person.objects.count()
    start = time.perf_counter()
    batch = person_import_by_system(
        kelurahan=kelurahan, file_name="bench.csv", content=content.encode()
    )
    elapsed = time.perf_counter() - start
    assert batch.imported, batch.report[:5]
    assert Person.objects.count() - before == ROWS
    print(f"import_10k_s: {elapsed:.2f}")
    demo_database_drop()


if __name__ == "__main__":
    main()
