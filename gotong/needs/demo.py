"""Demo needs in every state, raised by RT heads for synthetic residents (and by residents
themselves when they have a login), with evidence photos drawn here for deliveries.

Need rows are backdated (submitted 1-10 days ago, delivered 6-60 hours later) so that
service-level figures have a history; the log entries carry the time the demo was seeded.
"""

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from gotong.accounts.demo import demo_role_holder
from gotong.accounts.models import Role
from gotong.core.seeding import DemoContext, demo_jpeg
from gotong.registry.models import Person, PersonStatus
from gotong.territory.models import Kelurahan
from gotong.transparency.services import evidence_upload

from . import services
from .models import Need, RaisedVia, Status

# How far each demo need goes, in order.
PLAN = [
    Status.SUBMITTED,
    Status.SUBMITTED,
    Status.SUBMITTED,
    Status.SUBMITTED,
    Status.VERIFIED,
    Status.VERIFIED,
    Status.VERIFIED,
    Status.ESCALATED,
    Status.APPROVED,
    Status.APPROVED,
    Status.APPROVED,
    Status.MATCHED,
    Status.MATCHED,
    Status.IN_PROGRESS,
    Status.IN_PROGRESS,
    Status.DELIVERED,
    Status.DELIVERED,
    Status.DELIVERED,
    Status.CONFIRMED,
    Status.CONFIRMED,
    Status.REJECTED,
    Status.REJECTED,
    Status.CANCELLED,
]
PATH = [
    Status.VERIFIED,
    Status.APPROVED,
    Status.MATCHED,
    Status.IN_PROGRESS,
    Status.DELIVERED,
    Status.CONFIRMED,
]
DESCRIPTIONS = {
    "pangan": "Paket sembako untuk lansia yang tinggal sendiri (demo)",
    "kesehatan": "Antar obat rutin dari puskesmas untuk warga sakit (demo)",
    "tenaga": "Bantu perbaiki atap bocor sebelum musim hujan (demo)",
    "barang": "Kursi roda pinjaman untuk warga pascaoperasi (demo)",
    "pendidikan": "Seragam dan buku untuk anak sekolah (demo)",
}


def _photo(label: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 480), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 300, 600, 440), fill=(250, 250, 245))
    draw.text((60, 340), f"BUKTI DEMO {label}", fill=(20, 20, 20))
    return demo_jpeg(image, f"bukti-{label}.jpg")


def demo_seed(demo: DemoContext) -> None:
    kelurahan: Kelurahan = demo.objects["kelurahan"]
    if Need.objects.filter(kelurahan=kelurahan).exists():
        return
    people = list(
        Person.objects.filter(
            kelurahan=kelurahan, status=PersonStatus.ACTIVE, household__isnull=False
        )
        .select_related("rt__rw", "household")
        .order_by("pk")
    )
    if not people:
        return
    rng = demo.rng
    categories = list(DESCRIPTIONS)
    used: set[int] = set()
    now = timezone.now()
    for number, goal in enumerate(PLAN):
        candidates = [p for p in people if p.household_id not in used]
        person = candidates[rng.randrange(len(candidates))]
        used.add(person.household_id or 0)
        rt = person.rt
        if rt is None:
            continue
        rt_head = demo_role_holder(kelurahan, Role.KETUA_RT, rt=rt)
        rw_head = demo_role_holder(kelurahan, Role.KETUA_RW, rw=rt.rw)
        if rt_head is None or rw_head is None:
            continue
        category = categories[number % len(categories)]
        self_raised = person.user is not None
        need = services.need_submit(
            actor=person.user if self_raised else rt_head,
            kelurahan=kelurahan,
            rt=rt,
            category=category,
            description=DESCRIPTIONS[category],
            urgency=["darurat", "tinggi", "sedang", "rendah"][number % 4],
            needed_by=now + dt.timedelta(days=rng.randint(1, 7)),
            raised_via=RaisedVia.SELF if self_raised else RaisedVia.RT_PROXY,
            beneficiary_person=person,
            quantity=rng.randint(1, 4),
            recurrence_days=7 if number == 16 else None,
        )
        if goal == Status.REJECTED:
            services.need_reject(
                actor=rt_head, need=need, reason="Sudah menerima bantuan yang sama bulan ini (demo)"
            )
        elif goal == Status.CANCELLED:
            services.need_cancel(actor=rt_head, need=need, reason="Keluarga pindah (demo)")
        elif goal == Status.ESCALATED:
            services.need_escalate(
                actor=rt_head, need=need, reason="Di luar kemampuan RT, butuh dana kelurahan (demo)"
            )
        elif goal != Status.SUBMITTED:
            _advance(need, goal, rt_head, rw_head, number)
        submitted_at = now - dt.timedelta(hours=rng.randint(24, 240))
        Need.objects.filter(pk=need.pk).update(created_at=submitted_at)
        if goal in (Status.DELIVERED, Status.CONFIRMED):
            Need.objects.filter(pk=need.pk).update(
                delivered_at=submitted_at + dt.timedelta(hours=rng.randint(6, 60))
            )


def _advance(need: Need, goal: str, rt_head: Any, rw_head: Any, number: int) -> None:
    """Walk a need along the happy path up to ``goal``."""
    actors = {
        Status.VERIFIED: rt_head,
        Status.APPROVED: rw_head,
        Status.MATCHED: rw_head,
        Status.IN_PROGRESS: rt_head,
    }
    for step in PATH:
        if step == Status.DELIVERED:
            evidence_upload(
                kelurahan=need.kelurahan,
                uploader=rt_head,
                subject=f"need:{need.pk}",
                upload=_photo(str(number), (40 + number * 7 % 200, 120, 90)),
                note="Serah terima bantuan (demo)",
            )
            need = services.need_deliver(actor=rt_head, need=need)
        elif step == Status.CONFIRMED:
            need = services.need_confirm(
                actor=rt_head, need=need, reason="Penerima lansia, dikonfirmasi RT (demo)"
            )
        else:
            need = services.need_transition(actor=actors[step], need=need, to=step)
        if step == goal:
            return
