"""No Tier-2 value is stored in plaintext: the raw columns, and the SQLite file itself."""

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from gotong.accounts.models import Role
from gotong.registry import services
from gotong.registry.models import ConsentPurpose
from gotong.registry.tests.factories import nik_for, person_data

NIK = nik_for(dt.date(1985, 3, 14), "F", 4321)
KK = "3577030101204321"
BANK = "BRI 0123-01-987654-53-1"


def _register(rt: Any, make_member: Any) -> None:
    head = make_member(Role.KETUA_RT, rt)
    services.household_register(
        actor=head,
        kelurahan=rt.kelurahan,
        rt=rt,
        address="Jl. Kenanga 9",
        kk_number=KK,
        members=[
            person_data(
                None, relationship="head", nik=NIK, bank_account=BANK, health_notes="Asma berat"
            )
        ],
        consents=[ConsentPurpose.AID, ConsentPurpose.SENSITIVE_DATA],
    )


@pytest.mark.django_db
def test_raw_columns_hold_no_plaintext_on_any_database(rt: Any, make_member: Any) -> None:
    _register(rt, make_member)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nik_ciphertext, nik_index, health_ciphertext, bank_account_ciphertext "
            "FROM registry_person"
        )
        person_row = " ".join(cursor.fetchone())
        cursor.execute("SELECT kk_ciphertext, kk_index FROM registry_household")
        household_row = " ".join(cursor.fetchone())
    for secret in (NIK, KK, "0123-01-987654", "Asma"):
        assert secret not in person_row and secret not in household_row
    assert person_row.startswith("v1:")


_WRITER = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from gotong.registry.services import person_import_by_system
from gotong.territory.tests.factories import KelurahanFactory, RTFactory, RWFactory
kelurahan = KelurahanFactory()
RTFactory(rw=RWFactory(kelurahan=kelurahan, number=1), number=1)
header = "nama,jenis_kelamin,tanggal_lahir,rw,rt,nik,no_kk,alamat,hubungan,setuju_bantuan"
header += ",setuju_data_sensitif"
row = "Siti Rahayu,P,1985-03-14,1,1,{nik},{kk},Jl. Kenanga 9,kepala,ya,ya"
batch = person_import_by_system(
    kelurahan=kelurahan, file_name="w.csv", content=(header + chr(10) + row).encode()
)
assert batch.imported, batch.report
"""


def test_a_known_nik_is_not_in_the_sqlite_file(tmp_path: Path) -> None:
    """A real file-backed database, written by a separate process, grepped byte by byte."""
    database = tmp_path / "grep.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _WRITER.format(nik=NIK, kk=KK)],
        check=True,
        env=env,
        cwd=settings.BASE_DIR,
        timeout=120,
    )
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("grep.sqlite3*"))

    assert b"Jl. Kenanga 9" in raw  # the grep does see plaintext (Tier-1) data ...
    for secret in (NIK, KK):
        assert secret.encode() not in raw  # ... and never a Tier-2 value
    count = sqlite3.connect(database).execute("SELECT count(*) FROM registry_person").fetchone()
    assert count == (1,)
