"""Demo matching: the operator runs a round over the demo's approved needs and the
posyandu's open places, confirms the three best proposals (the activity is created and
the volunteer invited and notified) and leaves the rest on the board, each with its
"why matched". Runs after the activities demo; skips when a round exists."""

import datetime as dt
import random

from django.utils import timezone

from gotong.accounts.demo import demo_role_holder
from gotong.accounts.models import Role
from gotong.core.seeding import DemoContext
from gotong.needs import services as need_services
from gotong.needs.models import Need, RaisedVia
from gotong.registry.models import Person, PersonStatus
from gotong.territory.models import Kelurahan

from . import services
from .models import Proposal, ProposalStatus, Round

CONFIRMED = 2
# Approved needs for the round (category, urgency, description), raised by the RT heads.
WAITING = [
    ("kesehatan", "darurat", "Lansia perlu diantar kontrol ke puskesmas (demo)"),
    ("pangan", "tinggi", "Paket sembako untuk keluarga yang baru kehilangan pekerjaan (demo)"),
    ("pangan", "sedang", "Masak makanan untuk tetangga yang sedang sakit (demo)"),
    ("tenaga", "sedang", "Perbaiki atap dapur yang bocor (demo)"),
    ("pendidikan", "rendah", "Pendampingan belajar anak kelas 4 (demo)"),
    ("kesehatan", "tinggi", "Cek tensi rutin untuk lansia dengan hipertensi (demo)"),
    ("barang", "rendah", "Antar kursi roda pinjaman dari posyandu (demo)"),
    ("dana", "sedang", "Bantuan biaya sekolah (demo)"),
]


def _needs_seed(demo: DemoContext, kelurahan: Kelurahan) -> None:
    busy = set(
        Need.objects.filter(kelurahan=kelurahan).values_list("beneficiary_person_id", flat=True)
    )
    people = [
        p
        for p in Person.objects.filter(
            kelurahan=kelurahan, status=PersonStatus.ACTIVE, household__isnull=False
        )
        .select_related("rt__rw")
        .order_by("pk")
        if p.pk not in busy
    ]
    # Its own generator, so the later apps' demo draws stay as they were.
    rng = random.Random(demo.seed + 11)  # noqa: S311 - synthetic demo data
    for category, urgency, description in WAITING:
        person = people.pop(rng.randrange(len(people)))
        rt = person.rt
        if rt is None:
            continue
        rt_head = demo_role_holder(kelurahan, Role.KETUA_RT, rt=rt)
        rw_head = demo_role_holder(kelurahan, Role.KETUA_RW, rw=rt.rw)
        if rt_head is None or rw_head is None:
            continue
        need = need_services.need_submit(
            actor=rt_head,
            kelurahan=kelurahan,
            rt=rt,
            category=category,
            description=description,
            urgency=urgency,
            needed_by=timezone.now() + dt.timedelta(days=rng.randint(2, 6)),
            raised_via=RaisedVia.RT_PROXY,
            beneficiary_person=person,
        )
        need_services.need_verify(actor=rt_head, need=need)
        need_services.need_approve(actor=rw_head, need=need)


def demo_seed(demo: DemoContext) -> None:
    kelurahan: Kelurahan = demo.objects["kelurahan"]
    if Round.objects.filter(kelurahan=kelurahan).exists():
        return
    operator = demo_role_holder(kelurahan, Role.OPERATOR)
    if operator is None:
        return
    _needs_seed(demo, kelurahan)
    match_round = services.round_run(actor=operator, kelurahan=kelurahan)
    best = list(
        Proposal.objects.filter(
            round=match_round, status=ProposalStatus.PROPOSED, need__isnull=False
        )
        .select_related("need__rt__rw", "kelurahan", "round")
        .order_by("-score", "pk")[:CONFIRMED]
    )
    for proposal in best:
        services.proposal_confirm(actor=operator, proposal=proposal)
    demo.objects["matching_round"] = match_round
