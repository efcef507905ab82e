"""Ledger throughput and the monthly report, on PostgreSQL.

Creates a throw-away database (``DATABASE_URL`` or postgres://postgres@127.0.0.1:5432,
database ``gr_funds_bench``), then:
  transfers_per_s_1_writer: transfers posted per second by one writer through
      ``transfer_post`` (locks, conditional balance updates, postings, log entry)
  transfers_per_s_8_writers: the same with 8 writer processes, all crediting their own
      campaign and debiting the one bank account (the hot row) in one kelurahan; every
      transfer's log entry is queued in its transaction and appended in batches by the
      writers' background appenders, and the time counts until every entry is in the log;
      for comparison, stderr shows 8 writers in 8 kelurahan (8 logs, 8 bank rows)
  monthly_report_100k_s: seconds for ``monthly_report`` of a month after 100,000
      transfers (200,000 postings) were written over three months
Targets: at least 300 transfers/s with 8 writers; report under 5 s.
"""

import datetime as dt
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BASE = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DB = "gr_funds_bench"
os.environ["DATABASE_URL"] = f"{BASE}/{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["DJANGO_DEBUG"] = "false"

import psycopg  # noqa: E402

with psycopg.connect(f"{BASE}/postgres", autocommit=True) as admin:
    admin.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    admin.execute(f"CREATE DATABASE {DB}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from gotong.funds import selectors, services  # noqa: E402
from gotong.funds.models import Account, AccountKind, Posting, Transfer  # noqa: E402
from gotong.territory.models import Kelurahan  # noqa: E402
from gotong.transparency.models import QueuedEntry  # noqa: E402
from gotong.transparency.selectors import log_size  # noqa: E402
from gotong.transparency.services import log_drains_wait  # noqa: E402

SINGLE = 1_000
PER_WRITER = 400
WRITERS = 8
REPORT_TRANSFERS = 100_000


def _kelurahan() -> Kelurahan:
    return Kelurahan.objects.create(
        name="Bench",
        slug="bench",
        region_code="35.77.03.1009",
        kecamatan="Taman",
        kota_kabupaten="Kota Madiun",
        provinsi="Jawa Timur",
    )


def _campaign_account(kelurahan: Kelurahan, n: int) -> Account:
    return Account.objects.create(
        kelurahan=kelurahan, kind=AccountKind.CAMPAIGN, code=f"bench:{n}", name=f"Bench {n}"
    )


def _post(kelurahan_id: int, account_id: int, count: int) -> None:
    kelurahan = Kelurahan.objects.get(pk=kelurahan_id)
    bank = services.accounts_ensure(kelurahan=kelurahan)[AccountKind.BANK]
    fund = Account.objects.get(pk=account_id)
    for i in range(count):
        services.transfer_post(
            kelurahan=kelurahan,
            kind="donation",
            postings=[(bank, 1_000 + i), (fund, -(1_000 + i))],
            actor=None,
        )
    log_drains_wait()  # the log is part of the work: wait for this process's appender
    connections.close_all()


def main() -> None:
    call_command("migrate", verbosity=0)
    kelurahan = _kelurahan()
    services.accounts_ensure(kelurahan=kelurahan)
    accounts = [_campaign_account(kelurahan, n) for n in range(WRITERS + 1)]

    started = time.perf_counter()
    _post(kelurahan.pk, accounts[0].pk, SINGLE)
    single = SINGLE / (time.perf_counter() - started)

    connections.close_all()
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_post, args=(kelurahan.pk, accounts[n + 1].pk, PER_WRITER))
        for n in range(WRITERS)
    ]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    multi = WRITERS * PER_WRITER / (time.perf_counter() - started)
    assert all(w.exitcode == 0 for w in workers)
    assert selectors.ledger_reconcile(kelurahan=kelurahan).balanced
    # The timing includes the log: every transfer's entry was appended by the writers.
    assert not QueuedEntry.objects.filter(kelurahan=kelurahan).exists()
    assert log_size(kelurahan=kelurahan) == SINGLE + WRITERS * PER_WRITER

    # For comparison (stderr): 8 writers in 8 kelurahan, i.e. 8 logs and 8 bank rows.
    spread = []
    for n in range(WRITERS):
        tenant = Kelurahan.objects.create(
            name=f"Spread {n}",
            slug=f"spread-{n}",
            region_code=f"35.77.03.{2001 + n}",
            kecamatan="Taman",
            kota_kabupaten="Kota Madiun",
            provinsi="Jawa Timur",
        )
        services.accounts_ensure(kelurahan=tenant)
        spread.append((tenant.pk, _campaign_account(tenant, 1000 + n).pk))
    connections.close_all()
    workers = [context.Process(target=_post, args=(k, a, PER_WRITER)) for k, a in spread]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    spread_rate = WRITERS * PER_WRITER / (time.perf_counter() - started)
    print(f"(8 writers in 8 kelurahan: {spread_rate:.0f} transfers/s)", file=sys.stderr)

    # 100,000 more transfers over three months, written in bulk (the report is what is timed).
    other = Kelurahan.objects.create(
        name="Bench 2",
        slug="bench-2",
        region_code="35.77.03.1008",
        kecamatan="Taman",
        kota_kabupaten="Kota Madiun",
        provinsi="Jawa Timur",
    )
    accounts2 = services.accounts_ensure(kelurahan=other)
    funds = [_campaign_account(other, 100 + n) for n in range(20)]
    bank2 = accounts2[AccountKind.BANK]
    start = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    step = dt.timedelta(days=90) / REPORT_TRANSFERS
    batch = 5_000
    for offset in range(0, REPORT_TRANSFERS, batch):
        moments = [start + step * (offset + i) for i in range(batch)]
        transfers = Transfer.objects.bulk_create(
            [
                Transfer(kelurahan=other, kind="donation", amount=1_000 + i % 977, created_at=m)
                for i, m in enumerate(moments)
            ]
        )
        Posting.objects.bulk_create(
            [
                posting
                for i, t in enumerate(transfers)
                for posting in (
                    Posting(transfer=t, account=bank2, amount=t.amount, created_at=t.created_at),
                    Posting(
                        transfer=t,
                        account=funds[i % len(funds)],
                        amount=-t.amount,
                        created_at=t.created_at,
                    ),
                )
            ]
        )
    started = time.perf_counter()
    report = selectors.monthly_report(kelurahan=other, year=2026, month=10)
    report_s = time.perf_counter() - started
    assert report.reconciled and report.transfers > 30_000, report.transfers

    print(f"transfers_per_s_1_writer: {single:.0f}")
    print(f"transfers_per_s_8_writers: {multi:.0f}")
    print(f"monthly_report_100k_s: {report_s:.2f}")
    connections.close_all()


if __name__ == "__main__":
    main()
