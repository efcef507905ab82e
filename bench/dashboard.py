"""Public dashboard speed and weight on a city-sized data set.

Builds a throw-away database with 50 kelurahan (10 RW x 5 RT each), 20,000 households,
1,000,000 needs over twelve months and 5,000,000 ledger postings (2,500,000 two-legged
transfers), refreshes every kelurahan's dashboard snapshot (as the task does), then asks
for the public dashboard page 300 times over random kelurahan in process (Django test
client, no network) and prints:
  dashboard_p95_ms_sqlite: 95th percentile server time of /k/<slug>/dasbor/ on SQLite
  dashboard_p95_ms_postgres: the same on PostgreSQL (only when DATABASE_URL is set; the
      database ``gr_dash_bench`` on that server is dropped and recreated)
  dashboard_page_kb: HTML + CSS + JS + images of the page, uncompressed, in KB
Targets: p95 under 200 ms, page under 150 KB. Setup takes a few minutes per database;
details (build and refresh times) go to stderr.
"""

import datetime as dt
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KELURAHAN = 50
RWS, RTS = 10, 5
HOUSEHOLDS = 400  # per kelurahan
# BENCH_SCALE=0.01 makes a quick smoke run; the figures are for 1.
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
NEEDS = int(1_000_000 * SCALE)
POSTINGS = int(5_000_000 * SCALE)
REQUESTS = 300


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _insert(model: Any, objects: list[Any], first_pk: int) -> int:
    """Insert rows with explicit ids through one executemany (much faster than
    bulk_create on SQLite, whose 999-parameter limit means a statement per ~30 rows)."""
    from django.db import connection, transaction

    fields = list(model._meta.concrete_fields)
    rows = []
    for offset, obj in enumerate(objects):
        obj.pk = first_pk + offset
        rows.append(
            [f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for f in fields]
        )
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})",  # noqa: S608
            rows,
        )
    return first_pk + len(objects)


def build_and_measure(backend: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from gotong.dashboard import services
    from gotong.funds.models import Posting, Transfer
    from gotong.funds.services import accounts_ensure
    from gotong.needs.models import Category, Need, Urgency
    from gotong.registry.models import Household
    from gotong.territory.models import RT, RW, Kelurahan

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(2024)
    now = timezone.now()
    kelurahan_rows = Kelurahan.objects.bulk_create(
        [
            Kelurahan(
                name=f"Bench {n:02d}",
                slug=f"bench-{n:02d}",
                region_code=f"35.77.03.{2000 + n}",
                kecamatan="Bench",
                kota_kabupaten="Kota Bench",
                provinsi="Jawa Timur",
                is_demo=True,
            )
            for n in range(KELURAHAN)
        ]
    )
    statuses = [
        "submitted",
        "approved",
        "matched",
        "delivered",
        "confirmed",
        "closed",
        "closed",
        "closed",
        "rejected",
    ]
    categories, urgencies = list(Category.values), list(Urgency.values)
    per_kelurahan = NEEDS // KELURAHAN
    next_need = next_transfer = next_posting = 1
    transfers_per = POSTINGS // 2 // KELURAHAN
    for index, kelurahan in enumerate(kelurahan_rows):
        rws = RW.objects.bulk_create(
            [
                RW(
                    kelurahan=kelurahan,
                    number=n + 1,
                    boundary={
                        "type": "Polygon",
                        "coordinates": [
                            [
                                [111.5 + n * 0.01, -7.6],
                                [111.51 + n * 0.01, -7.6],
                                [111.51 + n * 0.01, -7.59],
                                [111.5 + n * 0.01, -7.59],
                                [111.5 + n * 0.01, -7.6],
                            ]
                        ],
                    },
                )
                for n in range(RWS)
            ]
        )
        rts = RT.objects.bulk_create(
            [RT(kelurahan=kelurahan, rw=rw, number=m + 1) for rw in rws for m in range(RTS)]
        )
        homes = Household.objects.bulk_create(
            [Household(kelurahan=kelurahan, rt=rng.choice(rts), size=4) for _h in range(HOUSEHOLDS)]
        )
        needs = []
        for _n in range(per_kelurahan):
            home = rng.choice(homes)
            created = now
            status = rng.choice(statuses)
            delivered = (
                now + dt.timedelta(hours=rng.uniform(4, 150))
                if status in ("delivered", "confirmed", "closed")
                else None
            )
            needs.append(
                Need(
                    kelurahan=kelurahan,
                    rt_id=home.rt_id,
                    category=rng.choice(categories),
                    description="bench",
                    urgency=rng.choice(urgencies),
                    needed_by=created,
                    beneficiary_household=home,
                    raised_via="rt_proxy",
                    status=status,
                    created_at=created,
                    delivered_at=delivered,
                )
            )
        next_need = _insert(Need, needs, next_need)
        accounts = list(accounts_ensure(kelurahan=kelurahan).values())
        kinds = ["donation", "spend", "match", "goods_in", "goods_out"]
        for start in range(0, transfers_per, 10_000):
            count = min(10_000, transfers_per - start)
            moments = [
                now - dt.timedelta(minutes=rng.randint(1, 360 * 24 * 60)) for _c in range(count)
            ]
            amounts = [rng.randint(10, 500) * 1000 for _c in range(count)]
            transfers = [
                Transfer(kelurahan=kelurahan, kind=rng.choice(kinds), amount=a, created_at=m)
                for a, m in zip(amounts, moments, strict=True)
            ]
            next_transfer = _insert(Transfer, transfers, next_transfer)
            postings = []
            for transfer, amount, moment in zip(transfers, amounts, moments, strict=True):
                debit, credit = rng.sample(accounts, 2)
                postings.append(
                    Posting(transfer=transfer, account=debit, amount=amount, created_at=moment)
                )
                postings.append(
                    Posting(transfer=transfer, account=credit, amount=-amount, created_at=moment)
                )
            next_posting = _insert(Posting, postings, next_posting)
        if index % 10 == 9:
            _log(f"{backend}: built {index + 1} kelurahan, {time.perf_counter() - started:.0f} s")
    # bulk_create stamps created_at with "now" (auto_now_add); spread the submissions over
    # a year with SQL, moving delivered_at back by the same number of days.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE needs_need SET created_at = created_at - (id % 360) * interval '1 day', "
                "delivered_at = delivered_at - (id % 360) * interval '1 day'"
            )
        else:
            cursor.execute(
                "UPDATE needs_need SET "
                "created_at = datetime(created_at, '-' || (id % 360) || ' days'), "
                "delivered_at = datetime(delivered_at, '-' || (id % 360) || ' days')"
            )
    _log(
        f"{backend}: {Need.objects.count()} needs, {Posting.objects.count()} postings, "
        f"built in {time.perf_counter() - started:.0f} s"
    )
    refresh_start = time.perf_counter()
    for kelurahan in kelurahan_rows:
        services.snapshot_refresh(kelurahan=kelurahan)
    _log(
        f"{backend}: refreshed 50 snapshots in {time.perf_counter() - refresh_start:.1f} s "
        f"({(time.perf_counter() - refresh_start) / KELURAHAN:.2f} s per kelurahan)"
    )

    client = Client()
    for kelurahan in kelurahan_rows[:5]:
        client.get(f"/k/{kelurahan.slug}/dasbor/")  # warm-up
    times = []
    html = b""
    for _r in range(REQUESTS):
        kelurahan = rng.choice(kelurahan_rows)
        begin = time.perf_counter()
        response = client.get(f"/k/{kelurahan.slug}/dasbor/")
        times.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200
        html = response.content
    times.sort()
    p95 = times[int(0.95 * len(times)) - 1]
    print(f"dashboard_p95_ms_{backend}: {p95:.1f}", flush=True)
    if backend == "sqlite":
        from django.contrib.staticfiles import finders

        total = len(html)
        for asset in sorted(set(re.findall(rb'(?:href|src)="/static/([^"]+)"', html))):
            found = finders.find(asset.decode())
            if found:
                total += Path(str(found)).stat().st_size
        print(f"dashboard_page_kb: {total / 1024:.1f}", flush=True)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--run":
        build_and_measure(sys.argv[2])
        return
    env = dict(os.environ)
    postgres = env.pop("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as folder:
        env["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        subprocess.run([sys.executable, __file__, "--run", "sqlite"], env=env, check=True)  # noqa: S603
    if postgres:
        import psycopg

        base = postgres.rsplit("/", 1)[0]
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS gr_dash_bench")
            connection.execute("CREATE DATABASE gr_dash_bench")
        env["DATABASE_URL"] = f"{base}/gr_dash_bench"
        subprocess.run([sys.executable, __file__, "--run", "postgres"], env=env, check=True)  # noqa: S603


if __name__ == "__main__":
    main()
