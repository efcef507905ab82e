"""Bulk import of residents and households from CSV or XLSX (``person_import``).

Columns (header row, Indonesian names as in kelurahan spreadsheets; order free):
required ``nama, jenis_kelamin (L/P), tanggal_lahir, rw, rt, setuju_bantuan (ya)``;
optional ``no_hp, nik, no_kk, alamat, hubungan (kepala/suami/istri/anak/orang_tua/lainnya),
lansia, disabilitas, sakit_kronis, hamil, balita, kehilangan_pekerjaan, dtks (ya/tidak),
desil, setuju_notifikasi, setuju_pasar, setuju_dtks, setuju_foto, setuju_data_sensitif``.
Rows with the same ``no_kk`` form one household with exactly one ``kepala``.

Every row is checked before anything is written; one bad row refuses the whole file. The
report names the row, the column and the problem, never the value.
"""

import csv
import dataclasses
import datetime as dt
import hashlib
import io
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from gotong.accounts.permissions import permission_require
from gotong.core.crypto import blind_index, field_encrypt
from gotong.core.exceptions import ApplicationError, ValidationFailed
from gotong.territory.models import RT, Kelurahan

from ..consent import CONSENT_TEXT_VERSION, consent_text
from ..identity import kk_clean
from ..models import (
    Consent,
    ConsentChannel,
    ConsentPurpose,
    DuplicateCase,
    Household,
    ImportBatch,
    Person,
    PersonStatus,
    RegistrationChannel,
    Relationship,
    WelfareListing,
)
from ._common import (
    KK_CONTEXT,
    NIK_CONTEXT,
    PersonData,
    _audit,
    _consents_check,
    _is_minor,
    _name_key,
    _person_build,
    _user_or_none,
)
from .duplicates import DUPLICATE_NAME_SCORE
from .people import person_data_clean

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
REQUIRED_COLUMNS = ("nama", "jenis_kelamin", "tanggal_lahir", "rw", "rt", "setuju_bantuan")
FLAG_COLUMNS = {
    "lansia": "is_elderly",
    "disabilitas": "has_disability",
    "sakit_kronis": "has_chronic_illness",
    "hamil": "is_pregnant",
    "balita": "is_child_under_five",
    "kehilangan_pekerjaan": "lost_job",
}
CONSENT_COLUMNS = {
    "setuju_bantuan": ConsentPurpose.AID,
    "setuju_notifikasi": ConsentPurpose.NOTIFICATIONS,
    "setuju_pasar": ConsentPurpose.MARKETPLACE,
    "setuju_dtks": ConsentPurpose.DTKS_SHARING,
    "setuju_foto": ConsentPurpose.PHOTOS,
    "setuju_data_sensitif": ConsentPurpose.SENSITIVE_DATA,
}
OPTIONAL_COLUMNS = (
    "no_hp",
    "nik",
    "no_kk",
    "alamat",
    "hubungan",
    "dtks",
    "desil",
    *FLAG_COLUMNS,
    *[c for c in CONSENT_COLUMNS if c != "setuju_bantuan"],
)
ALL_COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
# Which column a service's field error belongs to.
FIELD_COLUMN = {
    "full_name": "nama",
    "sex": "jenis_kelamin",
    "birth_date": "tanggal_lahir",
    "rt": "rt",
    "phone": "no_hp",
    "nik": "nik",
    "kk_number": "no_kk",
    "dtks_listed": "dtks",
    "welfare_decile": "desil",
    "relationship": "hubungan",
    "consents": "setuju_bantuan",
}
_SEX = {
    "l": "M",
    "laki-laki": "M",
    "laki laki": "M",
    "m": "M",
    "p": "F",
    "perempuan": "F",
    "f": "F",
}
_YES = {"ya", "y", "1", "true", "x", "v", "yes"}
_NO = {"", "tidak", "t", "0", "false", "n", "no", "-"}
_RELATIONSHIP = {
    "kepala": Relationship.HEAD,
    "kepala keluarga": Relationship.HEAD,
    "suami": Relationship.SPOUSE,
    "istri": Relationship.SPOUSE,
    "anak": Relationship.CHILD,
    "orang_tua": Relationship.PARENT,
    "orang tua": Relationship.PARENT,
    "lainnya": Relationship.OTHER,
    "": "",
}
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")


@dataclasses.dataclass
class PlannedRow:
    number: int  # spreadsheet row number (the header is row 1)
    data: PersonData | None = None
    kk: str = ""
    address: str = ""
    consents: set[str] = dataclasses.field(default_factory=set)
    errors: list[dict[str, str]] = dataclasses.field(default_factory=list)
    person: Person | None = None

    @property
    def valid(self) -> PersonData:
        if self.data is None:
            raise RuntimeError(f"row {self.number} was not checked")
        return self.data

    @property
    def saved(self) -> Person:
        if self.person is None:
            raise RuntimeError(f"row {self.number} was not saved")
        return self.person

    def fail(self, column: str, message: Any) -> None:
        self.errors.append({"column": column, "message": str(message)})


@dataclasses.dataclass
class ImportPlan:
    rows: list[PlannedRow]
    file_errors: list[str] = dataclasses.field(default_factory=list)

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + sum(1 for r in self.rows if r.errors)

    def report(self) -> list[dict[str, Any]]:
        """One entry per row (and the file's own problems as row 0), without any values."""
        entries: list[dict[str, Any]] = [
            {"row": 0, "status": "error", "errors": [{"column": "", "message": m}]}
            for m in self.file_errors
        ]
        for row in self.rows:
            entry: dict[str, Any] = {"row": row.number, "status": "error" if row.errors else "ok"}
            if row.errors:
                entry["errors"] = row.errors
            if row.person is not None:
                entry["person_id"] = row.person.pk
            entries.append(entry)
        return entries


def _read_table(file_name: str, content: bytes) -> list[list[Any]]:
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        # openpyxl takes about 0.3 s to import (the process start); only XLSX uploads need it.
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise ValidationFailed(_("The XLSX file cannot be read."), {"field": "file"}) from exc
        sheet = book.worksheets[0]
        table = [list(r) for r in sheet.iter_rows(values_only=True)]
        book.close()
        return table
    if not file_name.lower().endswith((".csv", ".txt")):
        raise ValidationFailed(_("Upload a CSV or XLSX file."), {"field": "file"})
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(_("Save the CSV file as UTF-8."), {"field": "file"}) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValueError


def _parse_bool(value: Any) -> bool:
    text = _text(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError


def import_plan(*, kelurahan: Kelurahan, file_name: str, content: bytes) -> ImportPlan:
    """Read and check every row; nothing is written."""
    if len(content) > MAX_BYTES:
        return ImportPlan(rows=[], file_errors=[_("The file is larger than 10 MB.")])
    try:
        table = _read_table(file_name, content)
    except ApplicationError as exc:
        return ImportPlan(rows=[], file_errors=[str(exc.message)])
    table = [r for r in table if any(_text(v) for v in r)]
    if not table:
        return ImportPlan(rows=[], file_errors=[_("The file is empty.")])
    header = [_text(h).lower().replace(" ", "_") for h in table[0]]
    problems = []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        problems.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    unknown = [h for h in header if h and h not in ALL_COLUMNS]
    if unknown:
        problems.append(
            _("Unknown columns: %(columns)s. Allowed: %(allowed)s.")
            % {"columns": ", ".join(unknown), "allowed": ", ".join(ALL_COLUMNS)}
        )
    if len(set(header)) != len(header):
        problems.append(_("A column appears twice."))
    if len(table) - 1 > MAX_ROWS:
        problems.append(_("At most %(n)s rows per file.") % {"n": MAX_ROWS})
    if len(table) == 1:
        problems.append(_("The file has a header but no rows."))
    if problems:
        return ImportPlan(rows=[], file_errors=problems)
    rts = {
        (rt.rw.number, rt.number): rt
        for rt in RT.objects.filter(kelurahan=kelurahan).select_related("rw")
    }
    today = timezone.localdate()
    rows = [
        _plan_row(number, dict(zip(header, values, strict=False)), kelurahan, rts, today)
        for number, values in enumerate(table[1:], start=2)
    ]
    _check_across_rows(rows, kelurahan, today)
    return ImportPlan(rows=rows)


def _plan_row(
    number: int,
    cells: dict[str, Any],
    kelurahan: Kelurahan,
    rts: dict[tuple[int, int], RT],
    today: dt.date,
) -> PlannedRow:
    row = PlannedRow(number=number)
    get = lambda column: _text(cells.get(column))  # noqa: E731
    sex = _SEX.get(get("jenis_kelamin").lower(), "")
    if not sex:
        row.fail("jenis_kelamin", _("use L or P"))
    birth_date = None
    try:
        birth_date = _parse_date(cells.get("tanggal_lahir"))
    except ValueError:
        row.fail("tanggal_lahir", _("use a date like 1980-12-31 or 31-12-1980"))
    rt = None
    try:
        rt = rts.get((int(get("rw")), int(get("rt"))))
        if rt is None:
            row.fail("rt", _("this RT/RW is not in this kelurahan"))
    except ValueError:
        row.fail("rt", _("RW and RT must be numbers"))
    flags: dict[str, Any] = {}
    for column, attr in FLAG_COLUMNS.items():
        try:
            flags[attr] = _parse_bool(cells.get(column))
        except ValueError:
            row.fail(column, _("use ya or tidak"))
    for column, purpose in CONSENT_COLUMNS.items():
        try:
            if _parse_bool(cells.get(column)):
                row.consents.add(purpose)
        except ValueError:
            row.fail(column, _("use ya or tidak"))
    dtks_text = get("dtks").lower()
    dtks = WelfareListing.UNKNOWN
    if dtks_text:
        try:
            dtks = WelfareListing.YES if _parse_bool(dtks_text) else WelfareListing.NO
        except ValueError:
            row.fail("dtks", _("use ya, tidak or leave it empty"))
    decile = None
    if get("desil"):
        try:
            decile = int(get("desil"))
        except ValueError:
            row.fail("desil", _("use a number from 1 to 10"))
    relationship = _RELATIONSHIP.get(get("hubungan").lower())
    if relationship is None:
        row.fail("hubungan", _("use kepala, suami, istri, anak, orang_tua or lainnya"))
        relationship = ""
    row.address = " ".join(get("alamat").split())[:200]
    if get("no_kk"):
        try:
            row.kk = kk_clean(get("no_kk"))
        except ValidationFailed as exc:
            row.fail("no_kk", exc.message)
    if row.errors:
        return row
    data = PersonData(
        full_name=get("nama"),
        sex=sex,
        birth_date=birth_date,
        rt=rt,
        phone=get("no_hp"),
        nik=get("nik"),
        relationship=relationship,
        dtks_listed=dtks,
        welfare_decile=decile,
        **flags,
    )
    try:
        row.data = person_data_clean(kelurahan=kelurahan, data=data, today=today)
        _consents_check(data=row.data, consents=row.consents, guardian_present=True, today=today)
    except ValidationFailed as exc:
        row.fail(FIELD_COLUMN.get(str(exc.extra.get("field")), ""), exc.message)
    return row


def _check_across_rows(rows: list[PlannedRow], kelurahan: Kelurahan, today: dt.date) -> None:
    good = [r for r in rows if r.data is not None and not r.errors]
    # The same NIK twice in the file, or already registered here.
    by_index: dict[str, PlannedRow] = {}
    for row in good:
        if row.valid.nik:
            index = blind_index(row.valid.nik, context=NIK_CONTEXT)
            if index in by_index:
                row.fail(
                    "nik", _("the same NIK is on row %(row)s") % {"row": by_index[index].number}
                )
            else:
                by_index[index] = row
    taken = set(
        Person.objects.filter(kelurahan=kelurahan, nik_index__in=list(by_index)).values_list(
            "nik_index", flat=True
        )
    )
    for index in taken:
        by_index[index].fail("nik", _("a person with this NIK is already registered here"))
    # Households: one head per KK, all in one RT, KK not yet registered.
    groups: dict[str, list[PlannedRow]] = defaultdict(list)
    for row in good:
        if row.kk:
            groups[row.kk].append(row)
    kk_indexes = {blind_index(kk, context=KK_CONTEXT): kk for kk in groups}
    for index in Household.objects.filter(
        kelurahan=kelurahan, kk_index__in=list(kk_indexes)
    ).values_list("kk_index", flat=True):
        groups[kk_indexes[index]][0].fail(
            "no_kk", _("a household with this KK number is already registered here")
        )
    for members in groups.values():
        heads = [m for m in members if m.data and m.data.relationship == Relationship.HEAD]
        if len(heads) != 1:
            members[0].fail("hubungan", _("mark exactly one member of this KK as kepala"))
            continue
        head = heads[0]
        if _is_minor(head.valid.birth_date, today):
            head.fail("hubungan", _("the head of a household must be an adult"))
        if len({m.data.rt.pk for m in members if m.data and m.data.rt}) > 1:
            members[0].fail("rt", _("all members of one KK must live in the same RT"))
    # A child's sensitive data needs a guardian: the adult head of their KK.
    for row in good:
        if row.valid.has_tier2 and _is_minor(row.valid.birth_date, today) and not row.kk:
            row.fail(
                "nik",
                _("a child's NIK needs a parent's or guardian's consent: give the family's KK"),
            )


def import_apply(*, plan: ImportPlan, kelurahan: Kelurahan, actor: Any) -> dict[str, int]:
    """Write a checked plan with bulk inserts; returns counts for the log."""
    user = _user_or_none(actor)
    households: dict[str, Household] = {}
    for row in plan.rows:
        if row.kk and row.kk not in households:
            households[row.kk] = Household(
                kelurahan=kelurahan,
                rt=row.valid.rt,
                kk_ciphertext=field_encrypt(row.kk, context=KK_CONTEXT),
                kk_index=blind_index(row.kk, context=KK_CONTEXT),
                created_by=user,
                size=1,
            )
    sizes: dict[str, int] = defaultdict(int)
    for row in plan.rows:
        if row.kk:
            sizes[row.kk] += 1
            if row.valid.relationship == Relationship.HEAD and row.address:
                households[row.kk].address = row.address
    for kk, household in households.items():
        household.size = sizes[kk]
    Household.objects.bulk_create(list(households.values()), batch_size=1000)
    persons = []
    for row in plan.rows:
        row.person = _person_build(
            kelurahan=kelurahan,
            data=row.valid,
            channel=RegistrationChannel.IMPORT,
            actor=actor,
            household=households.get(row.kk),
        )
        persons.append(row.person)
    Person.objects.bulk_create(persons, batch_size=1000)
    heads = []
    for row in plan.rows:
        if row.kk and row.valid.relationship == Relationship.HEAD:
            households[row.kk].head = row.person
            heads.append(households[row.kk])
    Household.objects.bulk_update(heads, ["head"], batch_size=1000)
    head_of = {kk: h.head for kk, h in households.items()}
    now = timezone.now()
    today = timezone.localdate()
    texts: dict[str, str] = {}
    consents = []
    for row in plan.rows:
        guardian = head_of.get(row.kk) if row.kk else None
        minor = _is_minor(row.valid.birth_date, today)
        for purpose in sorted(row.consents):
            if purpose not in texts:
                texts[purpose] = consent_text(kelurahan_name=kelurahan.name, purpose=purpose)
            consents.append(
                Consent(
                    kelurahan=kelurahan,
                    person=row.person,
                    purpose=purpose,
                    text_version=CONSENT_TEXT_VERSION,
                    text=texts[purpose],
                    channel=ConsentChannel.IMPORT,
                    by_guardian=minor and guardian is not None,
                    guardian=guardian if minor else None,
                    recorded_by=user,
                    granted_at=now,
                )
            )
    Consent.objects.bulk_create(consents, batch_size=2000)
    cases = _duplicate_cases_for_import(plan, kelurahan)
    return {
        "persons": len(persons),
        "households": len(households),
        "consents": len(consents),
        "duplicate_cases": cases,
    }


def _duplicate_cases_for_import(plan: ImportPlan, kelurahan: Kelurahan) -> int:
    """Similar name + same birth date + same RT, against earlier records and earlier rows."""
    new_ids = {r.person.pk for r in plan.rows if r.person is not None}
    pool: dict[tuple[Any, Any], list[tuple[int, str]]] = defaultdict(list)
    existing = (
        Person.objects.filter(kelurahan=kelurahan, status=PersonStatus.ACTIVE)
        .exclude(pk__in=new_ids)
        .values_list("pk", "rt_id", "birth_date", "full_name")
    )
    for pk, rt_id, birth_date, name in existing.iterator(chunk_size=5000):
        pool[(rt_id, birth_date)].append((pk, _name_key(name)))
    cases = []
    for row in plan.rows:
        person = row.saved
        key = (person.rt_id, person.birth_date)
        name = _name_key(person.full_name)
        for other_pk, other_name in pool[key]:
            score = int(fuzz.token_sort_ratio(name, other_name))
            if score >= DUPLICATE_NAME_SCORE:
                cases.append(
                    DuplicateCase(
                        kelurahan=kelurahan,
                        person=person,
                        candidate_id=other_pk,
                        score=score,
                        reasons=["similar_name", "same_birth_date", "same_rt"],
                    )
                )
        pool[key].append((person.pk, name))
    DuplicateCase.objects.bulk_create(cases, batch_size=1000)
    return len(cases)


def report_csv(report: list[dict[str, Any]]) -> str:
    """The row-by-row report as CSV: row, status, column, message."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["baris", "status", "kolom", "pesan"])
    for entry in report:
        errors = entry.get("errors") or [{"column": "", "message": ""}]
        for error in errors:
            writer.writerow([entry["row"], entry["status"], error["column"], error["message"]])
    return out.getvalue()


@transaction.atomic
def person_import(
    *, actor: Any, kelurahan: Kelurahan, file_name: str, content: bytes
) -> ImportBatch:
    """Import residents and households from CSV/XLSX: every row checked, all or nothing.

    A refused file still leaves its batch (with the row report, no values) for download.
    """
    permission_require(actor, "registry.import", kelurahan)
    return _import_run(actor=actor, kelurahan=kelurahan, file_name=file_name, content=content)


@transaction.atomic
def person_import_by_system(*, kelurahan: Kelurahan, file_name: str, content: bytes) -> ImportBatch:
    """The same import without an acting user (``manage.py seed_demo``)."""
    return _import_run(actor=None, kelurahan=kelurahan, file_name=file_name, content=content)


def _import_run(*, actor: Any, kelurahan: Kelurahan, file_name: str, content: bytes) -> ImportBatch:
    batch = ImportBatch(
        kelurahan=kelurahan,
        uploaded_by=_user_or_none(actor),
        file_name=file_name[:200],
        file_sha256=hashlib.sha256(content).hexdigest(),
    )
    plan = import_plan(kelurahan=kelurahan, file_name=file_name, content=content)
    batch.row_count = len(plan.rows)
    batch.error_count = plan.error_count
    if plan.error_count:
        batch.report = plan.report()
        batch.save()
        _audit(
            kelurahan=kelurahan,
            type="import.refused",
            actor=actor,
            subject=f"import:{batch.pk}",
            data={"rows": batch.row_count, "errors": batch.error_count},
        )
        return batch
    counts = import_apply(plan=plan, kelurahan=kelurahan, actor=actor)
    batch.imported = True
    batch.report = plan.report()
    batch.save()
    _audit(
        kelurahan=kelurahan,
        type="import.completed",
        actor=actor,
        subject=f"import:{batch.pk}",
        data={"rows": batch.row_count, **counts},
    )
    return batch
