"""Registry API: registration, own data and consents, Tier-1 views and Tier-2 reveal (logged),
organisations, volunteers, duplicates, data requests and bulk import."""

import base64
import binascii
import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from gotong.accounts.permissions import api_route
from gotong.core.exceptions import ValidationFailed
from gotong.core.schemas import StrictId, StrictInt
from gotong.territory import selectors as territory_selectors
from gotong.territory.middleware import request_kelurahan

from . import selectors, services
from .models import AccessChannel, DataRequest, Organisation

router = Router(tags=["registry"])
BASE = "/k/{slug}/registry"


class PersonIn(Schema):
    full_name: str = Field(..., max_length=150)
    sex: str = Field(..., pattern="^[MF]$", description="M or F")
    birth_date: dt.date
    rw_number: StrictInt = Field(..., ge=1, le=999)
    rt_number: StrictInt = Field(..., ge=1, le=999)
    phone: str = Field("", max_length=32)
    nik: str = Field("", max_length=32)
    health_notes: str = Field("", max_length=1000)
    bank_account: str = Field("", max_length=40)
    relationship: str = Field("", max_length=10)
    is_elderly: bool = False
    has_disability: bool = False
    has_chronic_illness: bool = False
    is_pregnant: bool = False
    is_child_under_five: bool = False
    lost_job: bool = False
    dtks_listed: str = "unknown"
    welfare_decile: StrictInt | None = Field(None, ge=1, le=10)
    anonymous_mode: bool = False


class RegisterIn(PersonIn):
    consents: list[str] = Field(..., description="purposes: aid (required), notifications, ...")


class KioskIn(RegisterIn):
    evidence_photo_base64: str = Field(..., description="photo of the signed paper form")
    guardian_id: StrictId | None = None


class HouseholdIn(Schema):
    rw_number: StrictInt = Field(..., ge=1, le=999)
    rt_number: StrictInt = Field(..., ge=1, le=999)
    address: str = Field(..., max_length=200)
    kk_number: str = Field("", max_length=32)
    members: list[PersonIn] = Field(..., min_length=1, max_length=30)
    consents: list[str]


class PersonOut(Schema):
    id: int
    pseudonym: str
    full_name: str
    phone: str
    sex: str
    birth_date: dt.date | None
    rt_id: int | None
    rt_label: str
    household_id: int | None
    vulnerability: list[str]
    dtks_listed: str
    welfare_decile: int | None
    anonymous_mode: bool
    status: str
    has_nik: bool


class HouseholdOut(Schema):
    id: int
    rt_id: int
    size: int
    member_ids: list[int]


class ConsentOut(Schema):
    purpose: str
    text_version: str
    text: str
    channel: str
    by_guardian: bool
    granted_at: dt.datetime
    withdrawn_at: dt.datetime | None


class PurposeIn(Schema):
    purpose: str = Field(..., max_length=20)


class AccessOut(Schema):
    at: dt.datetime
    accessor_role: str
    fields: list[str]
    tier: int
    purpose: str
    channel: str


class RevealIn(Schema):
    fields: list[str] = Field(..., description="nik, kk_number, health_notes, bank_account")
    purpose: str


class RequestIn(Schema):
    kind: str = Field(..., description="correction or erasure")
    details: str = Field("", max_length=2000)


class RequestOut(Schema):
    id: int
    kind: str
    status: str
    person_id: int
    due_at: dt.datetime
    overdue: bool
    details: str
    response: str

    @staticmethod
    def of(r: DataRequest) -> dict[str, Any]:
        return {
            "id": r.pk,
            "kind": r.kind,
            "status": r.status,
            "person_id": r.person_id,
            "due_at": r.due_at,
            "overdue": r.is_overdue,
            "details": r.details,
            "response": r.response,
        }


class ResolveIn(Schema):
    approve: bool
    response: str = Field("", max_length=500)
    changes: dict[str, Any] | None = None


class OrganisationIn(Schema):
    kind: str
    name: str = Field(..., max_length=150)
    description: str = Field("", max_length=1000)
    contact_name: str = Field("", max_length=100)
    contact_phone: str = Field("", max_length=32)
    contact_email: str = Field("", max_length=254)
    rw_number: StrictInt | None = Field(None, ge=1, le=999)
    rt_number: StrictInt | None = Field(None, ge=1, le=999)
    address_outside: str = Field("", max_length=200)


class OrganisationOut(Schema):
    id: int
    kind: str
    name: str
    description: str
    status: str
    rt_id: int | None

    @staticmethod
    def of(o: Organisation) -> dict[str, Any]:
        return {
            "id": o.pk,
            "kind": o.kind,
            "name": o.name,
            "description": o.description,
            "status": o.status,
            "rt_id": o.rt_id,
        }


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=300)


class WindowIn(Schema):
    weekday: StrictInt = Field(..., ge=0, le=6)
    start: dt.time
    end: dt.time


class VolunteerIn(Schema):
    skills: list[str]
    windows: list[WindowIn]
    max_tasks_per_week: StrictInt = Field(2, ge=1, le=21)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)


class VolunteerOut(Schema):
    id: int
    person_id: int
    skills: list[str]
    windows: list[WindowIn]
    max_tasks_per_week: int
    is_active: bool


class SkillOut(Schema):
    code: str
    name: str


class CaseOut(Schema):
    id: int
    person_id: int
    candidate_id: int
    score: int
    reasons: list[str]
    status: str


class CaseDecisionIn(Schema):
    decision: str = Field(..., description="unique, duplicate or same_household")


class ImportOut(Schema):
    id: int
    imported: bool
    row_count: int
    error_count: int
    report: list[dict[str, Any]]


def _person_data(kelurahan: Any, payload: PersonIn, rt: Any = None) -> services.PersonData:
    if rt is None:
        rt = territory_selectors.rt_get_by_number(
            kelurahan=kelurahan, rw_number=payload.rw_number, rt_number=payload.rt_number
        )
    fields = payload.dict(exclude={"rw_number", "rt_number", "consents"})
    fields.pop("evidence_photo_base64", None)
    fields.pop("guardian_id", None)
    return services.PersonData(rt=rt, **fields)


def _volunteer_out(volunteer: Any) -> dict[str, Any]:
    return {
        "id": volunteer.pk,
        "person_id": volunteer.person_id,
        "skills": sorted(s.code for s in volunteer.skills.all()),
        "windows": [
            {"weekday": w.weekday, "start": w.start, "end": w.end} for w in volunteer.windows.all()
        ],
        "max_tasks_per_week": volunteer.max_tasks_per_week,
        "is_active": volunteer.is_active,
    }


# ------------------------------------------------------------------ own data


@api_route(router.post, f"{BASE}/self", perm="registry.register_self", response={201: PersonOut})
def register_self(request: HttpRequest, slug: str, payload: RegisterIn) -> Any:
    kelurahan = request_kelurahan(request)
    person = services.person_register_self(
        actor=request.user,  # type: ignore[arg-type]
        kelurahan=kelurahan,
        data=_person_data(kelurahan, payload),
        consents=payload.consents,
    )
    return Status(201, services.person_tier1(person=person, actor=request.user))


@api_route(router.get, f"{BASE}/me", perm="registry.view_own_data", response=PersonOut)
def me(request: HttpRequest, slug: str) -> Any:
    person = selectors.person_require_for_user(
        kelurahan=request_kelurahan(request), user=request.user
    )
    return services.person_tier1(person=person, actor=request.user)


@api_route(router.get, f"{BASE}/me/export", perm="registry.view_own_data")
def me_export(request: HttpRequest, slug: str) -> Any:
    person = selectors.person_require_for_user(
        kelurahan=request_kelurahan(request), user=request.user
    )
    return services.person_data_export(actor=request.user, person=person)  # type: ignore[arg-type]


@api_route(
    router.get, f"{BASE}/me/access-log", perm="registry.view_own_data", response=list[AccessOut]
)
def me_access_log(request: HttpRequest, slug: str) -> Any:
    kelurahan = request_kelurahan(request)
    person = selectors.person_require_for_user(kelurahan=kelurahan, user=request.user)
    return list(selectors.data_access_list_for_person(kelurahan=kelurahan, person=person))


@api_route(
    router.get, f"{BASE}/me/consents", perm="registry.view_own_data", response=list[ConsentOut]
)
def me_consents(request: HttpRequest, slug: str) -> Any:
    kelurahan = request_kelurahan(request)
    person = selectors.person_require_for_user(kelurahan=kelurahan, user=request.user)
    return list(selectors.consent_list_for_person(kelurahan=kelurahan, person=person))


@api_route(
    router.post, f"{BASE}/me/consents/grant", perm="registry.view_own_data", response=ConsentOut
)
def me_consent_grant(request: HttpRequest, slug: str, payload: PurposeIn) -> Any:
    person = selectors.person_require_for_user(
        kelurahan=request_kelurahan(request), user=request.user
    )
    return services.consent_grant(actor=request.user, person=person, purpose=payload.purpose)


@api_route(
    router.post, f"{BASE}/me/consents/withdraw", perm="registry.view_own_data", response=ConsentOut
)
def me_consent_withdraw(request: HttpRequest, slug: str, payload: PurposeIn) -> Any:
    person = selectors.person_require_for_user(
        kelurahan=request_kelurahan(request), user=request.user
    )
    return services.consent_withdraw(actor=request.user, person=person, purpose=payload.purpose)


@api_route(
    router.post, f"{BASE}/me/requests", perm="registry.view_own_data", response={201: RequestOut}
)
def me_request(request: HttpRequest, slug: str, payload: RequestIn) -> Any:
    person = selectors.person_require_for_user(
        kelurahan=request_kelurahan(request), user=request.user
    )
    data_request = services.data_request_submit(
        actor=request.user,  # type: ignore[arg-type]
        person=person,
        kind=payload.kind,
        details=payload.details,
    )
    return Status(201, RequestOut.of(data_request))


# -------------------------------------------------------- registration by others


@api_route(
    router.post,
    f"{BASE}/households",
    perm="registry.register_household",
    response={201: HouseholdOut},
)
def household_register(request: HttpRequest, slug: str, payload: HouseholdIn) -> Any:
    kelurahan = request_kelurahan(request)
    rt = territory_selectors.rt_get_by_number(
        kelurahan=kelurahan, rw_number=payload.rw_number, rt_number=payload.rt_number
    )
    household = services.household_register(
        actor=request.user,
        kelurahan=kelurahan,
        rt=rt,
        address=payload.address,
        kk_number=payload.kk_number,
        members=[_person_data(kelurahan, m, rt) for m in payload.members],
        consents=payload.consents,
    )
    return Status(
        201,
        {
            "id": household.pk,
            "rt_id": rt.pk,
            "size": household.size,
            "member_ids": [p.pk for p in household.members.order_by("pk")],
        },
    )


@api_route(router.post, f"{BASE}/kiosk", perm="registry.register_kiosk", response={201: PersonOut})
def kiosk_register(request: HttpRequest, slug: str, payload: KioskIn) -> Any:
    kelurahan = request_kelurahan(request)
    try:
        photo = base64.b64decode(payload.evidence_photo_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed(_("The photo is not valid base64."), {"field": "evidence"}) from exc
    guardian = (
        selectors.person_get(kelurahan=kelurahan, pk=payload.guardian_id)
        if payload.guardian_id
        else None
    )
    person = services.person_register_kiosk(
        actor=request.user,
        kelurahan=kelurahan,
        data=_person_data(kelurahan, payload),
        consents=payload.consents,
        evidence=SimpleUploadedFile("form.jpg", photo) if photo else None,
        guardian=guardian,
    )
    return Status(201, services.person_tier1(person=person, actor=request.user))


# ------------------------------------------------------------- residents (Tier 1/2)


@api_route(router.get, f"{BASE}/persons", perm="registry.view_persons", response=list[PersonOut])
def person_list(request: HttpRequest, slug: str, rt_id: int | None = None) -> Any:
    kelurahan = request_kelurahan(request)
    rt = territory_selectors.rt_get(kelurahan=kelurahan, pk=rt_id) if rt_id else None
    persons = selectors.person_list_for_viewer(kelurahan=kelurahan, user=request.user)
    if rt is not None:
        persons = persons.filter(rt=rt)
    return services.person_list_view(
        actor=request.user,
        kelurahan=kelurahan,
        persons=list(persons[:500]),
        rt=rt,
        channel=AccessChannel.API,
    )


@api_route(
    router.get, f"{BASE}/persons/{{person_id}}", perm="registry.view_persons", response=PersonOut
)
def person_detail(
    request: HttpRequest, slug: str, person_id: int, purpose: str = "neighbourhood"
) -> Any:
    person = selectors.person_get(kelurahan=request_kelurahan(request), pk=person_id)
    return services.person_view(
        actor=request.user, person=person, purpose=purpose, channel=AccessChannel.API
    )


@api_route(
    router.post,
    f"{BASE}/persons/{{person_id}}/reveal",
    perm="registry.reveal_sensitive",
    response=dict[str, str],
)
def person_reveal(request: HttpRequest, slug: str, person_id: int, payload: RevealIn) -> Any:
    person = selectors.person_get(kelurahan=request_kelurahan(request), pk=person_id)
    return services.person_reveal(
        actor=request.user,
        person=person,
        fields=payload.fields,
        purpose=payload.purpose,
        channel=AccessChannel.API,
    )


# ------------------------------------------------------ organisations, volunteers


@api_route(
    router.get,
    f"{BASE}/organisations",
    perm="registry.view_organisations",
    response=list[OrganisationOut],
)
def organisation_list(request: HttpRequest, slug: str, kind: str = "") -> Any:
    kelurahan = request_kelurahan(request)
    return [
        OrganisationOut.of(o) for o in selectors.organisation_list(kelurahan=kelurahan, kind=kind)
    ]


@api_route(
    router.post,
    f"{BASE}/organisations",
    perm="registry.register_organisation",
    response={201: OrganisationOut},
)
def organisation_register(request: HttpRequest, slug: str, payload: OrganisationIn) -> Any:
    kelurahan = request_kelurahan(request)
    rt = None
    if payload.rw_number is not None and payload.rt_number is not None:
        rt = territory_selectors.rt_get_by_number(
            kelurahan=kelurahan, rw_number=payload.rw_number, rt_number=payload.rt_number
        )
    organisation = services.organisation_register(
        actor=request.user,
        kelurahan=kelurahan,
        **payload.dict(exclude={"rw_number", "rt_number"}),
        rt=rt,
    )
    return Status(201, OrganisationOut.of(organisation))


@api_route(
    router.get,
    f"{BASE}/organisations/pending",
    perm="registry.approve_organisation",
    response=list[OrganisationOut],
)
def organisation_pending(request: HttpRequest, slug: str) -> Any:
    kelurahan = request_kelurahan(request)
    return [
        OrganisationOut.of(o)
        for o in selectors.organisation_list(kelurahan=kelurahan, status="pending")
    ]


@api_route(
    router.post,
    f"{BASE}/organisations/{{organisation_id}}/decide",
    perm="registry.approve_organisation",
    response=OrganisationOut,
)
def organisation_decide(
    request: HttpRequest, slug: str, organisation_id: int, payload: DecisionIn
) -> Any:
    organisation = selectors.organisation_get(
        kelurahan=request_kelurahan(request), pk=organisation_id
    )
    organisation = services.organisation_decide(
        actor=request.user, organisation=organisation, approve=payload.approve, note=payload.note
    )
    return OrganisationOut.of(organisation)


@api_route(router.get, f"{BASE}/skills", perm="registry.view_skills", response=list[SkillOut])
def skill_list(request: HttpRequest, slug: str) -> Any:
    return list(selectors.skill_list(kelurahan=request_kelurahan(request)))


@api_route(
    router.post, f"{BASE}/volunteers", perm="registry.volunteer_signup", response=VolunteerOut
)
def volunteer_signup(request: HttpRequest, slug: str, payload: VolunteerIn) -> Any:
    person = selectors.person_require_for_user(
        kelurahan=request_kelurahan(request), user=request.user
    )
    volunteer = services.volunteer_signup(
        actor=request.user,  # type: ignore[arg-type]
        person=person,
        skill_codes=payload.skills,
        windows=[(w.weekday, w.start, w.end) for w in payload.windows],
        max_tasks_per_week=payload.max_tasks_per_week,
        lat=payload.lat,
        lon=payload.lon,
    )
    return _volunteer_out(volunteer)


# ------------------------------------------------------ operators' queues


@api_route(
    router.get, f"{BASE}/duplicates", perm="registry.manage_duplicates", response=list[CaseOut]
)
def duplicate_list(request: HttpRequest, slug: str) -> Any:
    return list(selectors.duplicate_case_list(kelurahan=request_kelurahan(request)))


@api_route(
    router.post,
    f"{BASE}/duplicates/{{case_id}}/decide",
    perm="registry.manage_duplicates",
    response=CaseOut,
)
def duplicate_decide(request: HttpRequest, slug: str, case_id: int, payload: CaseDecisionIn) -> Any:
    case = selectors.duplicate_case_get(kelurahan=request_kelurahan(request), pk=case_id)
    return services.duplicate_case_decide(actor=request.user, case=case, decision=payload.decision)


@api_route(
    router.get, f"{BASE}/requests", perm="registry.handle_requests", response=list[RequestOut]
)
def request_queue(request: HttpRequest, slug: str) -> Any:
    queue = selectors.data_request_queue(kelurahan=request_kelurahan(request), user=request.user)
    return [RequestOut.of(r) for r in queue]


@api_route(
    router.post,
    f"{BASE}/requests/{{request_id}}/resolve",
    perm="registry.handle_requests",
    response=RequestOut,
)
def request_resolve(request: HttpRequest, slug: str, request_id: int, payload: ResolveIn) -> Any:
    data_request = selectors.data_request_get(kelurahan=request_kelurahan(request), pk=request_id)
    data_request = services.data_request_resolve(
        actor=request.user,
        request=data_request,
        approve=payload.approve,
        response=payload.response,
        changes=payload.changes,
    )
    return RequestOut.of(data_request)


@api_route(router.post, f"{BASE}/imports", perm="registry.import", response={200: ImportOut})
def person_import(request: HttpRequest, slug: str, file: File[UploadedFile]) -> Any:
    batch = services.person_import(
        actor=request.user,
        kelurahan=request_kelurahan(request),
        file_name=file.name or "upload.csv",
        content=file.read(),
    )
    return batch
