"""Volunteers: the kelurahan's skill list, sign-up with skills and weekly time windows."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Role, User
from gotong.accounts.services import membership_create_by_system
from gotong.core.exceptions import PermissionDenied, ValidationFailed
from gotong.territory.models import Kelurahan

from ..models import AvailabilityWindow, Person, PersonStatus, Skill, Volunteer
from ._common import _audit

DEFAULT_SKILLS = [
    ("driver", "Sopir / pengantar"),
    ("cook", "Juru masak"),
    ("nurse", "Perawat / tenaga kesehatan"),
    ("admin", "Tenaga administrasi"),
    ("carpenter", "Tukang kayu / bangunan"),
    ("teacher", "Guru / pendamping belajar"),
    ("caregiver", "Pendamping lansia"),
    ("it", "Teknologi informasi"),
]


@transaction.atomic
def skill_defaults_ensure(*, kelurahan: Kelurahan) -> list[Skill]:
    """Create the default skill list of a kelurahan once (driver, cook, nurse, ...)."""
    have = set(Skill.objects.filter(kelurahan=kelurahan).values_list("code", flat=True))
    missing = [
        Skill(kelurahan=kelurahan, code=c, name=n) for c, n in DEFAULT_SKILLS if c not in have
    ]
    if missing:
        Skill.objects.bulk_create(missing)
        _audit(
            kelurahan=kelurahan,
            type="skill.list_created",
            actor=None,
            subject=f"kelurahan:{kelurahan.pk}",
            data={"skills": [s.code for s in missing]},
        )
    return list(Skill.objects.filter(kelurahan=kelurahan, is_active=True))


def _windows_clean(
    windows: Iterable[tuple[int, dt.time, dt.time]],
) -> list[tuple[int, dt.time, dt.time]]:
    cleaned = sorted(set(windows))
    if not cleaned:
        raise ValidationFailed(_("Give at least one weekly time window."), {"field": "windows"})
    for weekday, start, end in cleaned:
        if not 0 <= weekday <= 6:
            raise ValidationFailed(_("The day must be Monday to Sunday."), {"field": "windows"})
        if end <= start:
            raise ValidationFailed(
                _("A time window must end after it starts."), {"field": "windows"}
            )
    for (d1, _s1, e1), (d2, s2, _e2) in zip(cleaned, cleaned[1:], strict=False):
        if d1 == d2 and s2 < e1:
            raise ValidationFailed(_("Two time windows overlap."), {"field": "windows"})
    return cleaned


@transaction.atomic
def volunteer_signup(
    *,
    actor: User,
    person: Person,
    skill_codes: Iterable[str],
    windows: Iterable[tuple[int, dt.time, dt.time]],
    max_tasks_per_week: int = 2,
    lat: Any = None,
    lon: Any = None,
) -> Volunteer:
    """A registered resident signs up (or updates) as a volunteer."""
    if person.user_id != actor.pk or person.status != PersonStatus.ACTIVE:
        raise PermissionDenied(_("You can only sign yourself up as a volunteer."))
    return _volunteer_save(
        actor=actor,
        person=person,
        skill_codes=skill_codes,
        windows=windows,
        max_tasks_per_week=max_tasks_per_week,
        lat=lat,
        lon=lon,
    )


@transaction.atomic
def volunteer_register_by_system(
    *,
    person: Person,
    skill_codes: Iterable[str],
    windows: Iterable[tuple[int, dt.time, dt.time]],
    max_tasks_per_week: int = 2,
) -> Volunteer:
    """A volunteer profile without an acting user (``manage.py seed_demo``)."""
    return _volunteer_save(
        actor=None,
        person=person,
        skill_codes=skill_codes,
        windows=windows,
        max_tasks_per_week=max_tasks_per_week,
    )


def _volunteer_save(
    *,
    actor: Any,
    person: Person,
    skill_codes: Iterable[str],
    windows: Iterable[tuple[int, dt.time, dt.time]],
    max_tasks_per_week: int = 2,
    lat: Any = None,
    lon: Any = None,
) -> Volunteer:
    kelurahan = person.kelurahan
    skill_defaults_ensure(kelurahan=kelurahan)
    codes = set(skill_codes)
    skills = list(Skill.objects.filter(kelurahan=kelurahan, is_active=True, code__in=codes))
    if not codes or len(skills) != len(codes):
        raise ValidationFailed(_("Choose one or more skills from the list."), {"field": "skills"})
    cleaned = _windows_clean(windows)
    if not 1 <= max_tasks_per_week <= 21:
        raise ValidationFailed(
            _("Tasks per week must be between 1 and 21."), {"field": "max_tasks_per_week"}
        )
    if (lat is None) != (lon is None):
        raise ValidationFailed(_("Give both latitude and longitude, or neither."), {"field": "lat"})
    volunteer, created = Volunteer.objects.update_or_create(
        person=person,
        defaults={
            "kelurahan": kelurahan,
            "rt": person.rt,
            "max_tasks_per_week": max_tasks_per_week,
            "lat": lat,
            "lon": lon,
            "is_active": True,
        },
    )
    try:
        volunteer.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationFailed(messages[0], {"field": field}) from exc
    volunteer.skills.set(skills)
    volunteer.windows.all().delete()
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(volunteer=volunteer, weekday=d, start=s, end=e) for d, s, e in cleaned
    )
    if person.user is not None and person.rt is not None:
        membership_create_by_system(
            kelurahan=kelurahan, user=person.user, role=Role.RELAWAN, rt=person.rt
        )
    _audit(
        kelurahan=kelurahan,
        type="volunteer.signed_up" if created else "volunteer.updated",
        actor=actor,
        subject=f"volunteer:{volunteer.pk}",
        data={
            "person_id": person.pk,
            "skills": sorted(codes),
            "windows": len(cleaned),
            "max_tasks_per_week": max_tasks_per_week,
        },
    )
    return volunteer
