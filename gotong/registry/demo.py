"""Demo registry: about 1,000 synthetic residents in about 300 households across the pilot
RWs (one bulk import, so it stays fast), the demo residents' own records, 50 volunteers,
10 UMKM, donors/CSR, a posyandu, PKK and Karang Taruna.

Names are synthetic and end in "(demo)"; NIKs and KK numbers are synthetic but valid
(Kota Madiun region codes, East Java) so they pass the same checks as real ones.
"""

import csv
import datetime as dt
import io
import random
from collections.abc import Sequence

from django.utils import timezone

from gotong.accounts.models import Membership, Role
from gotong.core.seeding import DemoContext
from gotong.territory.models import RT, Kelurahan

from .identity import nik_compose
from .models import ConsentPurpose, Organisation, OrganisationKind, Person, PersonStatus, Volunteer
from .services import (
    DEFAULT_SKILLS,
    PersonData,
    organisation_approve_by_system,
    organisation_register,
    person_import_by_system,
    person_register_self,
    skill_defaults_ensure,
    volunteer_register_by_system,
)

HOUSEHOLDS = 300
VOLUNTEERS = 50
# Kecamatan of Kota Madiun (35.77.01-03): where the synthetic residents were registered.
REGIONS = ("357701", "357702", "357703")
MALE = [
    "Agus",
    "Bambang",
    "Budi",
    "Dedi",
    "Eko",
    "Hadi",
    "Joko",
    "Rudi",
    "Slamet",
    "Wahyu",
    "Yusuf",
    "Arif",
    "Rizky",
    "Fajar",
    "Dimas",
    "Bayu",
    "Teguh",
    "Sugeng",
    "Heru",
    "Imam",
]
FEMALE = [
    "Siti",
    "Sri",
    "Dewi",
    "Lestari",
    "Rina",
    "Ani",
    "Wulan",
    "Ayu",
    "Nur",
    "Endang",
    "Fitri",
    "Yuni",
    "Ratna",
    "Indah",
    "Sulastri",
    "Kartini",
    "Putri",
    "Nabila",
    "Tri",
    "Wati",
]
FAMILY = [
    "Santoso",
    "Wijaya",
    "Susanto",
    "Hartono",
    "Purnomo",
    "Saputra",
    "Kurniawan",
    "Setiawan",
    "Prasetyo",
    "Nugroho",
    "Rahayu",
    "Wibowo",
    "Hidayat",
    "Suryadi",
    "Utomo",
]
COLUMNS = [
    "nama", "jenis_kelamin", "tanggal_lahir", "rw", "rt", "no_hp", "nik", "no_kk", "alamat",
    "hubungan", "lansia", "disabilitas", "sakit_kronis", "hamil", "balita",
    "kehilangan_pekerjaan", "dtks", "desil", "setuju_bantuan", "setuju_notifikasi",
    "setuju_data_sensitif", "setuju_foto",
]  # fmt: skip
ORGANISATIONS = [
    *[(OrganisationKind.UMKM, f"{n} (demo)") for n in (
        "Warung Bu Sri", "Toko Kelontong Makmur", "Bengkel Motor Jaya", "Katering Sehati",
        "Jahit Rapi", "Pecel Madiun Mbak Yuni", "Roti Barokah", "Sayur Segar Pak Joko",
        "Laundry Bersih", "Kerajinan Bambu Taman")],
    (OrganisationKind.DONOR, "PT Sumber Rejeki (CSR) (demo)"),
    (OrganisationKind.DONOR, "Bank Daerah Peduli (CSR) (demo)"),
    (OrganisationKind.DONOR, "Yayasan Peduli Sesama (demo)"),
    (OrganisationKind.HEALTH_POST, "Posyandu Melati (demo)"),
    (OrganisationKind.COMMUNITY, "PKK Kelurahan Taman (demo)"),
    (OrganisationKind.COMMUNITY, "Karang Taruna Taman (demo)"),
]  # fmt: skip


def demo_rows(
    rng: random.Random,
    rts: Sequence[RT],
    households: int,
    regions: Sequence[str] = REGIONS,
    today: dt.date | None = None,
) -> str:
    """A CSV (import format) of synthetic households: head, often a spouse, children, elders."""
    today = today or timezone.localdate()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    used_nik: set[str] = set()
    serial = 0

    def nik(born: dt.date, sex: str, region: str) -> str:
        nonlocal serial
        while True:
            serial = serial % 9999 + 1
            value = nik_compose(region=region, birth_date=born, sex=sex, serial=serial)
            if value not in used_nik:
                used_nik.add(value)
                return value

    def born(age_from: int, age_to: int) -> dt.date:
        return today - dt.timedelta(days=rng.randint(age_from * 365 + 1, age_to * 365 - 1))

    for number in range(households):
        rt = rts[number % len(rts)]
        region = rng.choice(regions)
        family = rng.choice(FAMILY)
        issued = today - dt.timedelta(days=rng.randint(30, 4000))
        kk = f"{region}{issued:%d%m%y}{number + 1:04d}"
        street = rng.choice(
            ["Jl. Melati", "Jl. Mawar", "Jl. Kenanga", "Gg. Anggrek", "Jl. Flamboyan"]
        )
        address = f"{street} {rng.randint(1, 80)}, RT {rt.number:02d}/RW {rt.rw.number:02d}"
        members: list[tuple[str, str, dt.date, str]] = []
        head_sex = "M" if rng.random() < 0.8 else "F"
        members.append(
            (head_sex, rng.choice(MALE if head_sex == "M" else FEMALE), born(25, 75), "kepala")
        )
        if head_sex == "M" and rng.random() < 0.85:
            members.append(("F", rng.choice(FEMALE), born(22, 70), "istri"))
        for _child in range(rng.choice([0, 1, 1, 2, 2, 3])):
            sex = rng.choice("MF")
            members.append((sex, rng.choice(MALE if sex == "M" else FEMALE), born(0, 24), "anak"))
        if rng.random() < 0.12:
            sex = rng.choice("MF")
            members.append(
                (sex, rng.choice(MALE if sex == "M" else FEMALE), born(62, 90), "orang_tua")
            )
        dtks = rng.choice(["ya", "tidak", "", ""])
        decile = str(rng.randint(1, 4)) if dtks == "ya" else ""
        lost_job = rng.random() < 0.08
        for sex, given, birth, relation in members:
            age = (today - birth).days // 365
            phone = f"0857{number:04d}{len(members):02d}{age % 100:02d}"
            with_nik = age >= 17 or rng.random() < 0.5
            writer.writerow([
                f"{given} {family} (demo)", "L" if sex == "M" else "P", birth.isoformat(),
                rt.rw.number, rt.number,
                phone if age >= 17 and rng.random() < 0.7 else "",
                nik(birth, sex, region) if with_nik else "", kk,
                address if relation == "kepala" else "", relation,
                "ya" if age >= 60 else "", "ya" if rng.random() < 0.03 else "",
                "ya" if age >= 45 and rng.random() < 0.1 else "",
                "ya" if sex == "F" and 20 <= age <= 38 and rng.random() < 0.06 else "",
                "ya" if age < 5 else "", "ya" if lost_job and relation == "kepala" else "",
                dtks, decile, "ya", "ya" if rng.random() < 0.7 else "", "ya" if with_nik else "",
                # Three households in four allow faces in evidence photos (the rest show
                # how a withheld photo looks); not drawn from rng, so the data stays the same.
                "ya" if number % 4 else "",
            ])  # fmt: skip
    return out.getvalue()


def _residents_seed(demo: DemoContext, kelurahan: Kelurahan, rts: Sequence[RT]) -> None:
    if Person.objects.filter(kelurahan=kelurahan, channel="import").exists():
        demo_rows(demo.rng, rts, HOUSEHOLDS)  # keep the random sequence the same
        return
    content = demo_rows(demo.rng, rts, HOUSEHOLDS).encode()
    batch = person_import_by_system(
        kelurahan=kelurahan, file_name="demo-warga.csv", content=content
    )
    if not batch.imported:  # a programming error in the generator: say which rows
        raise RuntimeError(f"demo import refused: {batch.report[:3]}")


def _demo_users_seed(demo: DemoContext, kelurahan: Kelurahan) -> None:
    """The demo residents who can log in get their own record (for 'Data saya')."""
    registered = set(
        Person.objects.filter(kelurahan=kelurahan, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    memberships = (
        Membership.objects.active()
        .filter(kelurahan=kelurahan, role=Role.WARGA, user__is_demo=True)
        .exclude(user_id__in=registered)
        .select_related("user", "rt", "rt__rw")
        .order_by("user__phone")
    )
    for membership in memberships:
        user = membership.user
        index = int(user.phone[-3:]) if user.phone[-3:].isdigit() else 0
        sex = "F" if index % 2 else "M"
        person_register_self(
            actor=user,
            kelurahan=kelurahan,
            data=PersonData(
                full_name=user.display_name or f"Warga {user.phone[-4:]} (demo)",
                sex=sex,
                birth_date=dt.date(1970 + index % 30, 1 + index % 12, 1 + index % 28),
                rt=membership.rt,
                phone=user.phone,
            ),
            consents=[ConsentPurpose.AID, ConsentPurpose.NOTIFICATIONS],
        )


def _volunteers_seed(demo: DemoContext, kelurahan: Kelurahan) -> None:
    skill_defaults_ensure(kelurahan=kelurahan)
    have = Volunteer.objects.filter(kelurahan=kelurahan).count()
    if have >= VOLUNTEERS:
        return
    adults_born_before = timezone.localdate() - dt.timedelta(days=18 * 365 + 5)
    candidates = list(
        Person.objects.filter(
            kelurahan=kelurahan,
            status=PersonStatus.ACTIVE,
            birth_date__lte=adults_born_before,
            volunteer__isnull=True,
        )
        .select_related("kelurahan", "rt", "user")
        .order_by("pk")[: (VOLUNTEERS - have) * 3 : 3]
    )
    codes = [code for code, _name in DEFAULT_SKILLS]
    rng = random.Random(demo.seed + 7)  # noqa: S311 - synthetic demo data
    for person in candidates:
        day = rng.randint(0, 6)
        start = rng.choice([7, 8, 13, 16, 19])
        volunteer_register_by_system(
            person=person,
            skill_codes=rng.sample(codes, rng.randint(1, 3)),
            windows=[
                (day, dt.time(start), dt.time(start + 3)),
                ((day + 3) % 7, dt.time(8), dt.time(11)),
            ],
            max_tasks_per_week=rng.randint(1, 4),
        )


def _organisations_seed(kelurahan: Kelurahan, rts: Sequence[RT]) -> None:
    existing = set(Organisation.objects.filter(kelurahan=kelurahan).values_list("name", flat=True))
    for number, (kind, name) in enumerate(ORGANISATIONS):
        if name in existing:
            continue
        inside = kind != OrganisationKind.DONOR
        organisation = organisation_register(
            actor=None,
            kelurahan=kelurahan,
            kind=kind,
            name=name,
            contact_name="Pengurus (demo)",
            contact_phone=f"+628580000{number:04d}",
            rt=rts[number % len(rts)] if inside else None,
            address_outside="" if inside else "Kota Madiun",
        )
        organisation_approve_by_system(organisation=organisation)


def demo_seed(demo: DemoContext) -> None:
    kelurahan: Kelurahan = demo.objects["kelurahan"]
    rts: list[RT] = demo.objects["rts"]
    _residents_seed(demo, kelurahan, rts)
    _demo_users_seed(demo, kelurahan)
    _volunteers_seed(demo, kelurahan)
    _organisations_seed(kelurahan, rts)
