"""Demo history for the dashboard: three months of needs and deliveries in the pilot RWs,
official household counts, and a few changed situations for the early-warning list.

Everything goes through the owning apps' services (needs, activities, registry,
transparency) so the log, evidence, sign-offs and ratings are real. The services stamp
"now"; afterwards this module moves the demo rows' own timestamps (need submitted and
delivered, activity dates, rating date) back into the past with plain UPDATEs. That is the
only write outside the app, demo-only, on rows it just created and whose description ends
in "(demo riwayat)". Log entries keep the time they were really recorded (the log is
append-only); the dashboard's monthly figures use the backdated row timestamps.
Runs last (after activities, funds and matching); skips when the history exists.
"""

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from gotong.accounts.demo import demo_role_holder
from gotong.accounts.models import Membership, Role
from gotong.activities import services as activity_services
from gotong.activities.models import Activity, Rating
from gotong.core.exceptions import ApplicationError
from gotong.core.seeding import DemoContext, demo_jpeg
from gotong.needs import services as need_services
from gotong.needs.models import Need, NeedEvent, RaisedVia
from gotong.registry.models import Person, PersonStatus, WelfareListing
from gotong.registry.services import person_update
from gotong.territory.models import RT, RW, Kelurahan

from . import services
from .models import ReferenceCode

MARK = "(demo riwayat)"
WEEKS = 13
CATEGORIES = ["pangan"] * 5 + ["kesehatan"] * 3 + ["tenaga"] * 2 + ["barang", "pendidikan"]
URGENCIES = ["tinggi"] * 4 + ["sedang"] * 4 + ["rendah"] * 2 + ["darurat"]
# Typical hours from submission to delivery per urgency (demo distribution).
HOURS = {"darurat": (6, 30), "tinggi": (14, 60), "sedang": (30, 110), "rendah": (60, 180)}


def _photo(rng: Any, label: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (320, 240), (rng.randint(90, 200), rng.randint(120, 200), 180))
    draw = ImageDraw.Draw(image)
    draw.rectangle((rng.randint(20, 120), 120, rng.randint(180, 300), 220), fill=(200, 160, 90))
    draw.text((10, 10), f"BUKTI DEMO {label} - gambar sintetis", fill=(20, 20, 20))
    return demo_jpeg(image, f"riwayat-{label}.jpg")


def _verifiers(kelurahan: Kelurahan, rw: RW) -> list[Any]:
    found = [
        demo_role_holder(kelurahan, Role.KOMITE_ETIKA),
        demo_role_holder(kelurahan, Role.AUDITOR),
    ]
    for membership in (
        Membership.objects.active()
        .filter(kelurahan=kelurahan, role=Role.KETUA_RT)
        .exclude(rt__rw=rw)
        .select_related("user")
        .order_by("pk")
    ):
        found.append(membership.user)
    return [u for u in found if u is not None]


def _coordinators(kelurahan: Kelurahan) -> list[Any]:
    users = []
    for membership in (
        Membership.objects.active()
        .filter(kelurahan=kelurahan, role=Role.RELAWAN)
        .select_related("user")
        .order_by("pk")
    ):
        users.append(membership.user)
    return users


def _reference_counts(kelurahan: Kelurahan, operator: Any) -> None:
    for rw in RW.objects.filter(kelurahan=kelurahan).order_by("number"):
        registered = (
            Person.objects.filter(kelurahan=kelurahan, rt__rw=rw)
            .values("household_id")
            .distinct()
            .count()
        )
        services.reference_figure_set(
            actor=operator,
            kelurahan=kelurahan,
            code=ReferenceCode.HOUSEHOLDS_TOTAL,
            rw=rw,
            value=max(int(registered / 0.24), 20),
            source="Monografi kelurahan (angka sintetis, demo)",
        )


def _backdate_need(need: Need, created: dt.datetime, delivered: dt.datetime | None) -> None:
    # Demo-only write on a row this module just created (see the module docstring).
    fields: dict[str, Any] = {"created_at": created, "status_changed_at": delivered or created}
    if delivered is not None:
        fields["delivered_at"] = delivered
    Need.objects.filter(pk=need.pk).update(**fields)
    NeedEvent.objects.filter(need=need).update(at=delivered or created)


def _deliver_round(
    demo: DemoContext,
    kelurahan: Kelurahan,
    rt: RT,
    needs: list[Need],
    coordinator: Any,
    verifiers: list[Any],
    start: dt.datetime,
    complete: bool,
) -> tuple[Activity, bool]:
    rng = demo.rng
    rt_head = demo_role_holder(kelurahan, Role.KETUA_RT, rt=rt)
    rw_head = demo_role_holder(kelurahan, Role.KETUA_RW, rw=rt.rw)
    operator = demo_role_holder(kelurahan, Role.OPERATOR)
    activity = activity_services.activity_create(
        actor=rw_head,
        kelurahan=kelurahan,
        rt=rt,
        kind="delivery",
        title=f"Antar bantuan RW {rt.rw.number:02d} {MARK}",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        coordinator=coordinator,
        needs=needs,
        place_note=f"Balai RT {MARK}",
    )
    activity_services.activity_start(actor=rt_head, activity=activity)
    activity_services.activity_evidence_add(
        actor=rt_head, activity=activity, upload=_photo(rng, f"A{activity.pk}"), note=MARK
    )
    confirmed = True
    for index, need in enumerate(needs):
        activity_services.activity_need_deliver(actor=rt_head, activity=activity, need=need)
        # About one delivery claim in twelve is never confirmed (claims validated < 100%).
        if rng.random() < 0.08 and index == len(needs) - 1 and not complete:
            confirmed = False
            continue
        activity_services.activity_confirm_on_behalf(
            actor=rt_head,
            activity=activity,
            need=Need.objects.get(pk=need.pk),
            reason=f"Penerima tanpa telepon, dikonfirmasi RT {MARK}",
        )
    activity_services.activity_signoff(actor=coordinator, activity=activity, layer="executor")
    if not confirmed:
        return activity, False
    activity_services.activity_signoff(actor=rt_head, activity=activity, layer="rt")
    activity_services.activity_signoff(actor=rw_head, activity=activity, layer="rw")
    if not complete:
        return activity, False
    signed = 0
    for verifier in rng.sample(verifiers, len(verifiers)):
        if signed == 3:
            break
        try:
            activity_services.activity_signoff(
                actor=verifier, activity=activity, layer="independent"
            )
            signed += 1
        except ApplicationError:
            continue  # not independent for this activity (rotation, own RT): next one
    activity.refresh_from_db()
    if activity.status != "signed_off":
        return activity, False
    activity_services.activity_close(actor=operator, activity=activity)
    for need in needs:
        activity_services.rating_submit(
            actor=rt_head,
            activity=activity,
            need=Need.objects.get(pk=need.pk),
            stars=rng.choice([5, 5, 5, 4, 4, 4, 4, 3]),
            comment=MARK,
        )
    return activity, True


def _history(demo: DemoContext, kelurahan: Kelurahan) -> None:
    rng = demo.rng
    now = timezone.now()
    coordinators = _coordinators(kelurahan)
    if not coordinators:
        return
    rws = list(RW.objects.filter(kelurahan=kelurahan).order_by("number"))
    round_number = 0
    for weeks_ago in range(WEEKS, 0, -1):
        week_start = now - dt.timedelta(weeks=weeks_ago)
        for rw in rws:
            rts = list(RT.objects.filter(rw=rw).order_by("number"))
            rt = rng.choice(rts)
            rt_head = demo_role_holder(kelurahan, Role.KETUA_RT, rt=rt)
            rw_head = demo_role_holder(kelurahan, Role.KETUA_RW, rw=rw)
            residents = list(
                Person.objects.filter(
                    kelurahan=kelurahan, rt=rt, status=PersonStatus.ACTIVE, household__isnull=False
                ).order_by("pk")
            )
            if not residents or rt_head is None or rw_head is None:
                continue
            served: list[tuple[Need, dt.datetime, str]] = []
            for _n in range(rng.choice([2, 3, 3, 4])):
                person = rng.choice(residents)
                urgency = rng.choice(URGENCIES)
                created = week_start + dt.timedelta(hours=rng.randint(0, 96))
                need = need_services.need_submit(
                    actor=rt_head,
                    kelurahan=kelurahan,
                    rt=rt,
                    category=rng.choice(CATEGORIES),
                    description=f"Kebutuhan warga {MARK}",
                    urgency=urgency,
                    needed_by=now + dt.timedelta(days=3),
                    raised_via=RaisedVia.RT_PROXY,
                    beneficiary_person=person,
                    duplicate_override_reason=f"Riwayat demo {MARK}",
                )
                roll = rng.random()
                if roll < 0.08:
                    need_services.need_reject(
                        actor=rt_head, need=need, reason=f"Sudah dibantu keluarga {MARK}"
                    )
                    _backdate_need(need, created, None)
                    continue
                need_services.need_verify(actor=rt_head, need=need)
                need_services.need_approve(actor=rw_head, need=Need.objects.get(pk=need.pk))
                if weeks_ago == 1 and roll < 0.3:
                    _backdate_need(need, created, None)  # still waiting for help
                    continue
                served.append((Need.objects.get(pk=need.pk), created, urgency))
            if not served:
                continue
            coordinator = coordinators[round_number % len(coordinators)]
            round_number += 1
            start = max(c for _n, c, _u in served) + dt.timedelta(hours=4)
            activity, _closed = _deliver_round(
                demo,
                kelurahan,
                rt,
                [n for n, _c, _u in served],
                coordinator,
                _verifiers(kelurahan, rw),
                start,
                complete=rng.random() > 0.06,
            )
            finished = start
            for need, created, urgency in served:
                low, high = HOURS[urgency]
                delivered = created + dt.timedelta(hours=rng.uniform(low, high))
                delivered = min(delivered, now - dt.timedelta(hours=1))
                finished = max(finished, delivered)
                _backdate_need(need, created, delivered)
            # Demo-only: the activity and its ratings happened then, not now.
            Activity.objects.filter(pk=activity.pk).update(
                created_at=start - dt.timedelta(hours=2),
                starts_at=start,
                ends_at=start + dt.timedelta(hours=3),
                started_at=start,
                signed_off_at=finished + dt.timedelta(hours=6),
                closed_at=finished + dt.timedelta(hours=8),
            )
            Rating.objects.filter(activity=activity).update(
                created_at=finished + dt.timedelta(hours=10)
            )


def _changed_situations(demo: DemoContext, kelurahan: Kelurahan, operator: Any) -> None:
    """A few residents outside DTKS lost their job or fell ill: early-warning candidates."""
    candidates = list(
        Person.objects.filter(
            kelurahan=kelurahan,
            status=PersonStatus.ACTIVE,
            household__isnull=False,
            lost_job=False,
        )
        .exclude(dtks_listed=WelfareListing.YES)
        .order_by("pk")
    )
    for person in demo.rng.sample(candidates, min(4, len(candidates))):
        changes = {"lost_job": True}
        if demo.rng.random() < 0.5:
            changes["has_chronic_illness"] = True
        else:
            changes["is_elderly"] = True
        person_update(actor=operator, person=person, changes=changes)


def demo_seed(demo: DemoContext) -> None:
    kelurahan: Kelurahan = demo.objects["kelurahan"]
    if Need.objects.filter(kelurahan=kelurahan, description__endswith=MARK).exists():
        return
    operator = demo_role_holder(kelurahan, Role.OPERATOR)
    if operator is None:
        return
    _reference_counts(kelurahan, operator)
    _history(demo, kelurahan)
    _changed_situations(demo, kelurahan, operator)

    def refresh() -> None:
        services.snapshot_refresh(kelurahan=kelurahan)

    demo.finally_run.append(refresh)
