"""Demo activities: a closed sembako delivery with its full history (evidence photo,
recipient confirmation, executor/RT/RW and three independent sign-offs, a rating), a
delivery in progress serving matched needs, a kerja bakti, and a posyandu keliling with
two volunteer slots by skill waiting for sign-off (so the verifier queue has work).

Photos are drawn here with Pillow. Runs after the needs demo; skips when activities exist.
"""

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from gotong.accounts.demo import demo_role_holder
from gotong.accounts.models import Membership, Role
from gotong.core.seeding import DemoContext, demo_jpeg
from gotong.needs.models import Need
from gotong.needs.models import Status as NeedStatus
from gotong.registry.models import Organisation, OrganisationKind, Person, Skill, Volunteer
from gotong.registry.services import volunteer_signup
from gotong.territory.models import RT, Kelurahan

from . import services
from .models import Activity

ANY_TIME = [(day, dt.time(6, 0), dt.time(21, 0)) for day in range(7)]


def _photo(label: str, colour: tuple[int, int, int], rng: Any) -> SimpleUploadedFile:
    """A synthetic scene: a house, a box of sembako and people, with a caption."""
    image = Image.new("RGB", (800, 600), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 420, 800, 600), fill=(90, 140, 70))
    draw.rectangle((80, 220, 360, 420), fill=(235, 220, 190))
    draw.polygon([(60, 230), (220, 120), (380, 230)], fill=(170, 60, 40))
    draw.rectangle((190, 320, 250, 420), fill=(110, 70, 40))
    box_x = rng.randint(430, 560)
    draw.rectangle((box_x, 340, box_x + 140, 430), fill=(200, 160, 90), outline=(60, 40, 20))
    for n in range(rng.randint(2, 4)):
        x = 450 + n * 80
        draw.ellipse((x, 250, x + 40, 290), fill=(230, 190, 150))
        draw.rectangle((x + 5, 290, x + 35, 380), fill=(40 + 50 * n, 90, 160))
    draw.rectangle((20, 20, 780, 80), fill=(255, 255, 255))
    draw.text((40, 40), f"BUKTI DEMO {label} - gambar sintetis", fill=(20, 20, 20))
    return demo_jpeg(image, f"bukti-{label}.jpg", quality=82)


def _volunteers(kelurahan: Kelurahan, rng: Any) -> list[Volunteer]:
    """Demo relawan with a login get a volunteer profile (skills drawn with the seed)."""
    codes = list(
        Skill.objects.filter(kelurahan=kelurahan, is_active=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    relawan = (
        Membership.objects.active()
        .filter(kelurahan=kelurahan, role=Role.RELAWAN)
        .values_list("user_id", flat=True)
    )
    people = Person.objects.filter(kelurahan=kelurahan, user_id__in=relawan).select_related(
        "user", "rt"
    )
    found: list[Volunteer] = []
    for person in people.order_by("pk"):
        volunteer = Volunteer.objects.filter(person=person).first()
        if volunteer is None and codes and person.user is not None:
            skills = ["driver", "nurse", "admin"][len(found) % 3 : len(found) % 3 + 1]
            skills += rng.sample(codes, 1)
            volunteer = volunteer_signup(
                actor=person.user,
                person=person,
                skill_codes=sorted(set(skills) & set(codes)) or codes[:1],
                windows=ANY_TIME,
                max_tasks_per_week=4,
            )
        if volunteer is not None:
            found.append(volunteer)
    return found


def _with_skill(volunteers: list[Volunteer], code: str, exclude: set[int]) -> Volunteer | None:
    for volunteer in volunteers:
        if volunteer.pk not in exclude and volunteer.skills.filter(code=code).exists():
            return volunteer
    return None


def _skill(kelurahan: Kelurahan, code: str) -> Skill:
    return Skill.objects.get(kelurahan=kelurahan, code=code)


def _staff(kelurahan: Kelurahan, rt: RT) -> dict[str, Any]:
    return {
        "rt_head": demo_role_holder(kelurahan, Role.KETUA_RT, rt=rt),
        "rw_head": demo_role_holder(kelurahan, Role.KETUA_RW, rw=rt.rw),
        "operator": demo_role_holder(kelurahan, Role.OPERATOR),
    }


def _invite_accept(activity: Activity, by: Any, volunteer: Volunteer, code: str) -> None:
    slot = activity.slots.get(skill__code=code)
    assignment = services.assignment_invite(
        actor=by, activity=activity, slot=slot, volunteer=volunteer
    )
    services.assignment_respond(actor=volunteer.person.user, assignment=assignment, accept=True)


def _independent(kelurahan: Kelurahan, rt: RT) -> list[Any]:
    """Three verifiers outside the activity's RW: ethics committee, auditor, another RT head."""
    found = [
        demo_role_holder(kelurahan, Role.KOMITE_ETIKA),
        demo_role_holder(kelurahan, Role.AUDITOR),
    ]
    other = (
        Membership.objects.active()
        .filter(kelurahan=kelurahan, role=Role.KETUA_RT)
        .exclude(rt__rw=rt.rw)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    found.append(other.user if other else None)
    return [u for u in found if u is not None]


def demo_seed(demo: DemoContext) -> None:
    kelurahan: Kelurahan = demo.objects["kelurahan"]
    if Activity.objects.filter(kelurahan=kelurahan).exists():
        return
    rng = demo.rng
    volunteers = _volunteers(kelurahan, rng)
    approved = list(
        Need.objects.filter(kelurahan=kelurahan, status=NeedStatus.APPROVED)
        .select_related("rt__rw")
        .order_by("pk")
    )
    matched = list(
        Need.objects.filter(kelurahan=kelurahan, status=NeedStatus.MATCHED)
        .select_related("rt__rw")
        .order_by("pk")
    )
    if not approved or len(volunteers) < 3:
        return
    umkm = (
        Organisation.objects.filter(kelurahan=kelurahan, kind=OrganisationKind.UMKM)
        .order_by("pk")
        .first()
    )
    now = timezone.now()
    used: set[int] = set()

    # 1. A closed sembako delivery, two days ago, with every step and a rating.
    need = approved[0]
    staff = _staff(kelurahan, need.rt)
    driver = _with_skill(volunteers, "driver", used) or volunteers[0]
    used.add(driver.pk)
    delivery = services.activity_create(
        actor=staff["rw_head"],
        kelurahan=kelurahan,
        rt=need.rt,
        kind="delivery",
        title="Antar paket sembako (demo)",
        starts_at=now - dt.timedelta(days=2, hours=3),
        ends_at=now - dt.timedelta(days=2, hours=1),
        coordinator=driver.person.user,
        needs=[need],
        place_note="Balai RT (demo)",
        slots=[services.SlotIn(skill=_skill(kelurahan, "driver"), count=1)],
        resources=[
            services.ResourceIn(
                kind="umkm_product",
                external_id="paket-sembako-A",
                quantity=need.quantity_requested,
                organisation=umkm,
            )
        ],
    )
    _invite_accept(delivery, staff["rw_head"], driver, "driver")
    services.activity_start(actor=staff["rt_head"], activity=delivery)
    services.assignment_check_in(actor=driver.person.user, activity=delivery)
    services.activity_evidence_add(
        actor=driver.person.user,
        activity=delivery,
        upload=_photo("SEMBAKO", (120, 170, 210), rng),
        note="Paket sembako diserahkan di rumah penerima (demo)",
    )
    services.activity_need_deliver(actor=staff["rt_head"], activity=delivery, need=need)
    services.activity_confirm_on_behalf(
        actor=staff["rt_head"],
        activity=delivery,
        need=Need.objects.get(pk=need.pk),
        reason="Penerima lansia, dikonfirmasi RT (demo)",
    )
    services.assignment_check_out(actor=driver.person.user, activity=delivery)
    services.activity_signoff(actor=driver.person.user, activity=delivery, layer="executor")
    services.activity_signoff(actor=staff["rt_head"], activity=delivery, layer="rt")
    services.activity_signoff(actor=staff["rw_head"], activity=delivery, layer="rw")
    for verifier in _independent(kelurahan, need.rt):
        services.activity_signoff(actor=verifier, activity=delivery, layer="independent")
    delivery.refresh_from_db()
    if delivery.status == "signed_off":
        services.activity_close(actor=staff["operator"], activity=delivery)
        services.rating_submit(
            actor=staff["rt_head"],
            activity=delivery,
            need=Need.objects.get(pk=need.pk),
            stars=5,
            comment="Cepat dan ramah (demo)",
        )

    # 2. A delivery in progress serving the matched needs, with a photo already.
    if matched:
        operator = _staff(kelurahan, matched[0].rt)["operator"]
        runner = _with_skill(volunteers, "driver", used) or volunteers[1]
        used.add(runner.pk)
        round_trip = services.activity_create(
            actor=operator,
            kelurahan=kelurahan,
            rt=matched[0].rt,
            kind="delivery",
            title="Antar bantuan keliling (demo)",
            starts_at=now - dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(hours=2),
            coordinator=runner.person.user,
            needs=matched,
            slots=[services.SlotIn(skill=_skill(kelurahan, "driver"), count=2)],
            resources=[services.ResourceIn(kind="goods", external_id="gudang-kelurahan-03")],
        )
        _invite_accept(round_trip, operator, runner, "driver")
        services.activity_start(actor=operator, activity=round_trip)
        services.assignment_check_in(actor=runner.person.user, activity=round_trip)
        services.activity_evidence_add(
            actor=runner.person.user,
            activity=round_trip,
            upload=_photo("ANTAR", (210, 190, 140), rng),
            note="Bantuan dimuat ke motor (demo)",
        )

    # 3. A kerja bakti next Sunday (community purpose, planned).
    rt = approved[-1].rt
    staff = _staff(kelurahan, rt)
    services.activity_create(
        actor=staff["rt_head"],
        kelurahan=kelurahan,
        rt=rt,
        kind="kerja_bakti",
        title="Kerja bakti bersih selokan (demo)",
        purpose="Membersihkan selokan sebelum musim hujan",
        starts_at=now + dt.timedelta(days=3, hours=2),
        ends_at=now + dt.timedelta(days=3, hours=5),
        coordinator=staff["rt_head"],
        place_note="Ujung gang RT (demo)",
        slots=[
            services.SlotIn(skill=_skill(kelurahan, "carpenter"), count=3),
            services.SlotIn(skill=_skill(kelurahan, "cook"), count=1),
        ],
    )

    # 4. A posyandu keliling with 2 slots by skill, done and waiting for sign-off.
    nurse = _with_skill(volunteers, "nurse", used)
    clerk = _with_skill(volunteers, "admin", used | {nurse.pk if nurse else 0})
    if nurse and clerk:
        staff = _staff(kelurahan, nurse.rt)
        posyandu = services.activity_create(
            actor=staff["rw_head"],
            kelurahan=kelurahan,
            rt=nurse.rt,
            kind="posyandu",
            title="Posyandu keliling (demo)",
            purpose="Timbang balita dan cek tensi lansia",
            starts_at=now - dt.timedelta(hours=5),
            ends_at=now - dt.timedelta(hours=2),
            coordinator=nurse.person.user,
            slots=[
                services.SlotIn(skill=_skill(kelurahan, "nurse"), count=1),
                services.SlotIn(skill=_skill(kelurahan, "admin"), count=1),
            ],
            resources=[
                services.ResourceIn(
                    kind="goods", external_id="vitamin-a-kapsul", quantity=40, unit="kapsul"
                )
            ],
        )
        _invite_accept(posyandu, staff["rw_head"], nurse, "nurse")
        _invite_accept(posyandu, staff["rw_head"], clerk, "admin")
        services.activity_start(actor=staff["rw_head"], activity=posyandu)
        for person in (nurse, clerk):
            services.assignment_check_in(actor=person.person.user, activity=posyandu)
        services.activity_evidence_add(
            actor=clerk.person.user,
            activity=posyandu,
            upload=_photo("POSYANDU", (230, 200, 210), rng),
            note="Penimbangan balita di pos keliling (demo)",
        )
        for person in (nurse, clerk):
            services.assignment_check_out(actor=person.person.user, activity=posyandu)
        services.activity_signoff(actor=nurse.person.user, activity=posyandu, layer="executor")
        services.activity_signoff(actor=staff["rt_head"], activity=posyandu, layer="rt")
