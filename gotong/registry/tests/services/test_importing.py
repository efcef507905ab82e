"""Bulk import: every row checked first, nothing written when any row fails, a row report."""

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import Workbook

from gotong.accounts.models import Role
from gotong.core.exceptions import PermissionDenied
from gotong.registry import services
from gotong.registry.models import Consent, DuplicateCase, Household, ImportBatch, Person
from gotong.registry.tests.factories import PersonFactory, nik_for

pytestmark = pytest.mark.django_db

HEADER = (
    "nama,jenis_kelamin,tanggal_lahir,rw,rt,no_hp,nik,no_kk,alamat,hubungan,lansia,"
    "setuju_bantuan,setuju_data_sensitif"
)
ADULT_NIK = nik_for(dt.date(1980, 5, 1), "M", 11)
CHILD_NIK = nik_for(dt.date(2016, 2, 3), "F", 12)
GOOD = [
    f"Budi Santoso,L,1980-05-01,1,1,081234567890,{ADULT_NIK},3577030101200003,Jl. Melati 3,"
    "kepala,tidak,ya,ya",
    f"Nia Santoso,P,03-02-2016,1,1,,{CHILD_NIK},3577030101200003,,anak,,ya,ya",
    "Mbah Karto,L,1940-01-01,1,1,,,,,,ya,ya,",
]


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode()


@pytest.fixture
def operator(rt: Any, make_member: Any) -> Any:
    user = make_member(Role.OPERATOR, rt.kelurahan)
    user.is_verified = lambda: True
    return user


def _counts() -> tuple[int, int, int]:
    return Person.objects.count(), Household.objects.count(), Consent.objects.count()


def test_a_good_file_imports_households_people_and_consents(rt: Any, operator: Any) -> None:
    batch = services.person_import(
        actor=operator, kelurahan=rt.kelurahan, file_name="warga.csv", content=_csv(*GOOD)
    )

    assert batch.imported and batch.error_count == 0 and batch.row_count == 3
    household = Household.objects.get()
    assert household.size == 2 and household.head.full_name == "Budi Santoso"
    child = Person.objects.get(full_name="Nia Santoso")
    consent = Consent.objects.get(person=child, purpose="sensitive_data")
    assert consent.by_guardian and consent.guardian == household.head
    assert Person.objects.get(full_name="Mbah Karto").is_elderly
    assert [r["status"] for r in batch.report] == ["ok", "ok", "ok"]


def test_one_bad_row_imports_nothing_and_the_report_names_row_and_column(
    rt: Any, operator: Any
) -> None:
    bad_nik = "3577031401990001"
    rows = [
        *GOOD,
        f"Salah,L,1999-01-15,1,1,,{bad_nik},,,,,ya,ya",
        "Tanpa RT,P,1990-01-01,9,9,,,,,,,ya,",
    ]

    batch = services.person_import(
        actor=operator, kelurahan=rt.kelurahan, file_name="warga.csv", content=_csv(*rows)
    )

    assert _counts() == (0, 0, 0)
    assert not batch.imported and batch.error_count == 2
    errors = {e["row"]: e["errors"][0]["column"] for e in batch.report if e["status"] == "error"}
    assert errors == {5: "nik", 6: "rt"}
    report = services.report_csv(batch.report)
    assert bad_nik not in report and "Salah" not in report
    assert ImportBatch.objects.filter(imported=False).count() == 1


def test_wrong_columns_are_refused_before_any_row(rt: Any, operator: Any) -> None:
    batch = services.person_import(
        actor=operator,
        kelurahan=rt.kelurahan,
        file_name="warga.csv",
        content=_csv("a,b", header="name,gender"),
    )

    assert not batch.imported and batch.report[0]["row"] == 0
    assert "nama" in batch.report[0]["errors"][0]["message"]
    assert _counts() == (0, 0, 0)


@pytest.mark.parametrize(
    "row",
    [
        f"Dua Kali,L,1980-05-01,1,1,,{ADULT_NIK},,,,,ya,ya",  # same NIK as row 2
        "Tanpa Setuju,L,1980-05-01,1,1,,,,,,,tidak,",  # consent missing
        "Masa Depan,L,2999-05-01,1,1,,,,,,,ya,",  # born in the future
        f"Anak Sendiri,P,2016-02-03,1,1,,{nik_for(dt.date(2016, 2, 3), 'F', 99)},,,,,ya,ya",
    ],
)
def test_bad_rows_refuse_the_whole_file(rt: Any, operator: Any, row: str) -> None:
    batch = services.person_import(
        actor=operator, kelurahan=rt.kelurahan, file_name="w.csv", content=_csv(*GOOD, row)
    )
    assert batch.error_count == 1 and _counts() == (0, 0, 0)


def test_a_nik_already_registered_refuses_the_file(rt: Any, operator: Any) -> None:
    PersonFactory(rt=rt, nik=ADULT_NIK)
    before = _counts()
    batch = services.person_import(
        actor=operator, kelurahan=rt.kelurahan, file_name="w.csv", content=_csv(*GOOD)
    )
    assert batch.error_count == 1 and _counts() == before


def test_xlsx_files_import_too_and_similar_existing_people_open_cases(
    rt: Any, operator: Any
) -> None:
    PersonFactory(rt=rt, full_name="Mbah Kartoo", birth_date=dt.date(1940, 1, 1))
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["Mbah Karto", "L", dt.date(1940, 1, 1), 1, 1, "", "", "", "", "", "ya", "ya", ""])
    out = io.BytesIO()
    book.save(out)

    batch = services.person_import(
        actor=operator, kelurahan=rt.kelurahan, file_name="w.xlsx", content=out.getvalue()
    )

    assert batch.imported, batch.report
    assert DuplicateCase.objects.count() == 1


def test_only_operators_import(rt: Any, make_member: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.person_import(
            actor=make_member(Role.KETUA_RT, rt),
            kelurahan=rt.kelurahan,
            file_name="w.csv",
            content=_csv(*GOOD),
        )
