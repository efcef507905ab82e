"""Test data for activities: volunteers with logins and skills, a sick elderly resident,
approved needs, a delivery activity built through the services (``World``, ``plan``,
``run_to_reported``), and helpers to read codes from the file outbox and count log entries."""

import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from gotong.accounts.models import Role
from gotong.accounts.tests.factories import MembershipFactory
from gotong.activities import services
from gotong.activities.models import Activity, SignOff
from gotong.core.exceptions import PermissionDenied
from gotong.needs import services as need_services
from gotong.needs.models import Need, RaisedVia
from gotong.needs.tests.factories import resident
from gotong.registry.models import Household, Person, Skill, Volunteer
from gotong.registry.services import volunteer_signup
from gotong.registry.tests.factories import PersonFactory
from gotong.territory.models import RT, Kelurahan
from gotong.transparency.models import Evidence, LogEntry
from gotong.transparency.services import evidence_upload

ANY_TIME = [(d, dt.time(0, 0), dt.time(23, 59)) for d in range(7)]


def volunteer(rt: RT, skills: tuple[str, ...] = ("driver",), **fields: Any) -> Volunteer:
    """A resident of ``rt`` with a login, the relawan role and a volunteer profile."""
    person = resident(rt, **fields)
    MembershipFactory(user=person.user, role=Role.RELAWAN, kelurahan=rt.kelurahan, rw=rt.rw, rt=rt)
    return volunteer_signup(
        actor=person.user, person=person, skill_codes=skills, windows=ANY_TIME, max_tasks_per_week=3
    )


def elderly(rt: RT, phone: str = "+6281399990001") -> Person:
    """A sick elderly resident without a login, in their own household, with a phone."""
    household = Household.objects.create(kelurahan=rt.kelurahan, rt=rt, size=1)
    person = PersonFactory(
        rt=rt,
        household=household,
        phone=phone,
        is_elderly=True,
        has_chronic_illness=True,
        birth_date=dt.date(1944, 5, 1),
    )
    household.head = person  # type: ignore[assignment]
    household.save(update_fields=["head"])
    return person


def verified(user: Any) -> Any:
    """An officer as after a TOTP login (for calling services directly)."""
    user.is_verified = lambda: True
    return user


def approved_need(rt_head: Any, rw_head: Any, person: Person, **fields: Any) -> Need:
    """A food need raised by the RT head for ``person``, verified and approved."""
    values: dict[str, Any] = {
        "actor": rt_head,
        "kelurahan": person.kelurahan,
        "rt": person.rt,
        "category": "pangan",
        "description": "Paket sembako untuk lansia sakit yang tinggal sendiri",
        "urgency": "tinggi",
        "needed_by": timezone.now() + dt.timedelta(days=2),
        "raised_via": RaisedVia.RT_PROXY,
        "beneficiary_person": person,
    }
    values.update(fields)
    need = need_services.need_submit(**values)
    need_services.need_verify(actor=rt_head, need=need)
    return need_services.need_approve(actor=rw_head, need=need)


def last_code(phone: str) -> str:
    """The 6-digit code of the last message to ``phone`` in the file outbox."""
    outbox = Path(settings.GOTONG_NOTIFICATION_FILE_DIR) / f"{phone.lstrip('+')}.jsonl"
    body = json.loads(outbox.read_text(encoding="utf-8").strip().splitlines()[-1])["body"]
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", body)
    assert match, body
    return match.group(1)


def photo(name: str = "bukti.png", colour: str = "green") -> SimpleUploadedFile:
    """A small synthetic PNG with shapes, drawn here (no downloaded images). Not a plain
    colour: its perceptual hash would be all digits, which the log refuses as a NIK."""
    image = Image.new("RGB", (64, 48), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 31, 23), fill=(250, 250, 250))
    draw.ellipse((36, 20, 60, 44), fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@dataclass
class World:
    rt: RT
    rt_head: Any
    rw_head: Any
    operator: Any
    driver: Volunteer
    grandma: Person
    need: Need
    activity: Activity
    verifiers: list[Any]

    def refresh(self) -> None:
        self.activity.refresh_from_db()
        self.need.refresh_from_db()


def plan(
    world_rt: RT, rw_head: Any, driver: Volunteer, needs: list[Need], **fields: Any
) -> Activity:
    values: dict[str, Any] = {
        "actor": rw_head,
        "kelurahan": world_rt.kelurahan,
        "rt": world_rt,
        "kind": "delivery",
        "title": "Antar sembako",
        "starts_at": timezone.now() + dt.timedelta(hours=1),
        "ends_at": timezone.now() + dt.timedelta(hours=3),
        "coordinator": driver.person.user,
        "needs": needs,
        "slots": [
            services.SlotIn(
                skill=Skill.objects.get(kelurahan=world_rt.kelurahan, code="driver"), count=1
            )
        ],
    }
    values.update(fields)
    return services.activity_create(**values)


def run_to_reported(w: World) -> None:
    """Invite, accept, start, check in, photo, deliver, RT confirms, executor signs."""
    slot = w.activity.slots.get()
    assignment = services.assignment_invite(
        actor=w.rw_head, activity=w.activity, slot=slot, volunteer=w.driver
    )
    services.assignment_respond(actor=w.driver.person.user, assignment=assignment, accept=True)
    services.activity_start(actor=w.rt_head, activity=w.activity)
    services.assignment_check_in(actor=w.driver.person.user, activity=w.activity)
    services.activity_evidence_add(actor=w.driver.person.user, activity=w.activity, upload=photo())
    services.activity_need_deliver(actor=w.rt_head, activity=w.activity, need=w.need)
    w.refresh()
    services.activity_confirm_on_behalf(
        actor=w.rt_head, activity=w.activity, need=w.need, reason="Nenek tidak bisa baca SMS"
    )
    services.activity_signoff(actor=w.driver.person.user, activity=w.activity, layer="executor")
    w.refresh()


def log_size() -> int:
    """How many entries the public log holds (a refused action adds none)."""
    return LogEntry.objects.count()


def independent_signoff_refused(world: World, user: Any, code: str) -> None:
    """``user`` cannot sign as an independent verifier, for ``code``; nothing is recorded."""
    before = (SignOff.objects.count(), log_size())
    with pytest.raises(PermissionDenied) as info:
        services.activity_signoff(actor=user, activity=world.activity, layer="independent")
    assert code in info.value.extra["reasons"], info.value.extra
    assert (SignOff.objects.count(), log_size()) == before


def photo_by(user: Any, subject: str, kelurahan: Kelurahan) -> Evidence:
    """A photo about ``subject`` uploaded straight through the transparency service (not
    through an activity), as anyone with the upload role can."""
    return evidence_upload(kelurahan=kelurahan, uploader=user, subject=subject, upload=photo())
