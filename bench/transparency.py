"""Transparency log benchmark.

Prints (targets on a 2-core machine in brackets):
  append_per_s_sqlite: N       entries/s appended in batches of 1,000, with proof-ready
                               storage (entries + tree nodes), up to 1,000,000 [>= 2,000]
  append_per_s_postgres: N     the same on PostgreSQL, when DATABASE_URL is set (a
                               throwaway database on that server; 200,000 entries)
  inclusion_proof_ms_1m: N     median time of an inclusion proof in the 1M-entry log [< 5]
  verify_1m_s: N               full verification (every leaf, every signed root) [< 10]
  append_single_per_s_sqlite: N  one entry per transaction (entry_record), for reference

Usage: python bench/transparency.py [--entries 1000000]
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BATCH = 1000


def child(backend: str, entries: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from gotong.territory.services import kelurahan_create
    from gotong.transparency.log_schema import COUNT, HASH, entry_types_declare
    from gotong.transparency.selectors import inclusion_proof, log_verify
    from gotong.transparency.services import entries_append, entry_record, tree_head_publish

    # The benchmark's own entry types (every entry must fit a declared schema).
    entry_types_declare(
        {"bench.event": {"quantity": COUNT, "evidence_sha256": HASH}, "bench.single": {}}
    )

    call_command("migrate", verbosity=0)
    kelurahan = kelurahan_create(region_code="35.77.03.1009")
    start = time.perf_counter()
    for offset in range(0, entries, BATCH):
        entries_append(
            kelurahan=kelurahan,
            entries=[
                {
                    "type": "bench.event",
                    "at": "2026-11-30T00:00:00Z",
                    "actor": "operator:0123456789abcdef",
                    "subject": f"activity:{i}",
                    "data": {"quantity": i % 7, "evidence_sha256": f"{i:064x}"},
                }
                for i in range(offset, min(offset + BATCH, entries))
            ],
        )
    elapsed = time.perf_counter() - start
    print(f"append_per_s_{backend}: {entries / elapsed:.0f}", flush=True)
    if backend != "sqlite":
        return
    head = tree_head_publish(kelurahan=kelurahan)
    rng = random.Random(7)  # noqa: S311
    timings = []
    for _ in range(200):
        index = rng.randrange(head.tree_size)
        t0 = time.perf_counter()
        inclusion_proof(kelurahan=kelurahan, index=index, tree_size=head.tree_size)
        timings.append((time.perf_counter() - t0) * 1000)
    print(f"inclusion_proof_ms_1m: {statistics.median(timings):.2f}", flush=True)
    t0 = time.perf_counter()
    check = log_verify(kelurahan=kelurahan)
    print(f"verify_1m_s: {time.perf_counter() - t0:.2f}", flush=True)
    assert check.ok and check.size == entries + 1, check  # + the kelurahan's creation
    t0 = time.perf_counter()
    for i in range(2000):
        with transaction.atomic():
            entry_record(kelurahan=kelurahan, type="bench.single", actor=None, subject=f"x:{i}")
    print(f"append_single_per_s_sqlite: {2000 / (time.perf_counter() - t0):.0f}", flush=True)


def run_child(backend: str, database_url: str, entries: int) -> int:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.call(  # noqa: S603
        [sys.executable, __file__, "--child", backend, "--entries", str(entries)], env=env
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.entries)
        return 0
    with tempfile.TemporaryDirectory(prefix="gotong-bench-") as tmp:
        status = run_child("sqlite", f"sqlite:///{tmp}/bench.sqlite3", args.entries)
    postgres = os.environ.get("DATABASE_URL", "")
    if postgres.startswith("postgres"):
        url = urlparse(postgres)
        name = f"gotong_bench_{os.getpid()}"
        admin = [
            "psql",
            "-h",
            url.hostname or "127.0.0.1",
            "-p",
            str(url.port or 5432),
            "-U",
            url.username or "postgres",
            "-q",
            "-c",
        ]
        subprocess.check_call([*admin, f"CREATE DATABASE {name}"])  # noqa: S603
        try:
            status |= run_child(
                "postgres", url._replace(path=f"/{name}").geturl(), min(args.entries, 200_000)
            )
        finally:
            subprocess.call([*admin, f"DROP DATABASE IF EXISTS {name}"])  # noqa: S603
    return status


if __name__ == "__main__":
    sys.exit(main())
