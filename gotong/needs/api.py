"""Needs API: the same use-cases as the pages (submit, follow, triage, approve, fulfil)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status

from gotong.accounts.permissions import api_route, permission_require
from gotong.core.exceptions import PermissionDenied
from gotong.core.schemas import MAX_OFFSET, PageQuery, StrictInt
from gotong.registry import selectors as registry_selectors
from gotong.territory import selectors as territory_selectors
from gotong.territory.middleware import request_kelurahan

from . import selectors, services
from .models import Category, Need, RaisedVia, Urgency
from .models import Status as NeedStatus

router = Router(tags=["needs"])


class NeedIn(Schema):
    rt_id: StrictInt
    category: Category
    description: str = Field(..., max_length=1000)
    urgency: Urgency
    needed_by: dt.datetime
    raised_via: RaisedVia = RaisedVia.SELF
    beneficiary_person_id: StrictInt | None = None
    beneficiary_household_id: StrictInt | None = None
    people_affected: StrictInt = Field(1, ge=1, le=500)
    quantity: StrictInt = Field(1, ge=1, le=100_000)
    unit: str = Field("paket", max_length=30)
    recurrence_days: StrictInt | None = Field(None, ge=1, le=90)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    duplicate_override_reason: str = Field("", max_length=300)


class NeedOut(Schema):
    id: int
    category: str
    urgency: str
    status: str
    status_label: str
    rw: int
    rt: int
    quantity_requested: int
    quantity_committed: int
    quantity_in_transit: int
    quantity_delivered: int
    unit: str
    needed_by: dt.datetime
    created_at: dt.datetime
    anonymous: bool


class EventOut(Schema):
    from_status: str
    to_status: str
    role: str
    reason: str
    at: dt.datetime
    log_index: int | None


class NeedDetailOut(NeedOut):
    next_step: str
    due_at: dt.datetime
    overdue: bool
    progress: str
    history: list[EventOut]


class TransitionIn(Schema):
    to: NeedStatus
    reason: str = Field("", max_length=500)


class QuantitiesIn(Schema):
    committed: StrictInt = Field(..., ge=0, le=MAX_OFFSET)
    in_transit: StrictInt = Field(..., ge=0, le=MAX_OFFSET)
    delivered: StrictInt = Field(..., ge=0, le=MAX_OFFSET)


class BoardQuery(PageQuery):
    status: NeedStatus | None = None
    category: Category | None = None
    urgency: Urgency | None = None
    rw: int | None = Field(None, ge=1, le=999)


def _out(need: Need) -> dict[str, Any]:
    return {
        "id": need.pk,
        "category": need.category,
        "urgency": need.urgency,
        "status": need.status,
        "status_label": str(need.get_status_display()),
        "rw": need.rt.rw.number,
        "rt": need.rt.number,
        "quantity_requested": need.quantity_requested,
        "quantity_committed": need.quantity_committed,
        "quantity_in_transit": need.quantity_in_transit,
        "quantity_delivered": need.quantity_delivered,
        "unit": need.unit,
        "needed_by": need.needed_by,
        "created_at": need.created_at,
        "anonymous": need.is_anonymous,
    }


def _detail(need: Need) -> dict[str, Any]:
    story = selectors.need_story(need=need)
    return {
        **_out(need),
        "next_step": story.next_label,
        "due_at": story.due_at,
        "overdue": story.overdue,
        "progress": story.progress,
        "history": [
            {
                "from_status": e.from_status,
                "to_status": e.to_status,
                "role": e.role,
                "reason": e.reason,
                "at": e.at,
                "log_index": e.log_index,
            }
            for e in story.events
        ],
    }


def _need(request: HttpRequest, need_id: int) -> Need:
    need = selectors.need_get(kelurahan=request_kelurahan(request), pk=need_id)
    if not selectors.need_visible_to(request.user, need):
        raise PermissionDenied(_("You cannot see this need."))
    return need


@api_route(router.post, "/k/{slug}/needs", perm="needs.submit", response={201: NeedDetailOut})
def need_submit(request: HttpRequest, slug: str, payload: NeedIn) -> Any:
    kelurahan = request_kelurahan(request)
    rt = territory_selectors.rt_get(kelurahan=kelurahan, pk=payload.rt_id)
    person = (
        registry_selectors.person_get(kelurahan=kelurahan, pk=payload.beneficiary_person_id)
        if payload.beneficiary_person_id
        else None
    )
    household = (
        registry_selectors.household_get(kelurahan=kelurahan, pk=payload.beneficiary_household_id)
        if payload.beneficiary_household_id
        else None
    )
    need = services.need_submit(
        actor=request.user,
        kelurahan=kelurahan,
        rt=rt,
        category=payload.category,
        description=payload.description,
        urgency=payload.urgency,
        needed_by=payload.needed_by,
        raised_via=payload.raised_via,
        beneficiary_person=person,
        beneficiary_household=household,
        people_affected=payload.people_affected,
        quantity=payload.quantity,
        unit=payload.unit,
        recurrence_days=payload.recurrence_days,
        latitude=payload.latitude,
        longitude=payload.longitude,
        duplicate_override_reason=payload.duplicate_override_reason,
    )
    return Status(201, _detail(need))


@api_route(router.get, "/k/{slug}/needs/mine", perm="needs.view_own", response=list[NeedOut])
def needs_mine(request: HttpRequest, slug: str) -> Any:
    needs = selectors.need_list_for_user(kelurahan=request_kelurahan(request), user=request.user)
    return [_out(n) for n in needs[:200]]


@api_route(router.get, "/k/{slug}/needs/board", perm="needs.view_board", response=list[NeedOut])
def needs_board(request: HttpRequest, slug: str, query: Query[BoardQuery]) -> Any:
    needs = selectors.need_board(
        kelurahan=request_kelurahan(request),
        status=query.status or "",
        category=query.category or "",
        urgency=query.urgency or "",
        rw_number=query.rw,
    )
    return [_out(n) for n in needs[query.offset : query.offset + query.limit]]


@api_route(
    router.get, "/k/{slug}/rt/{rt_id}/needs/queue", perm="needs.triage", response=list[NeedOut]
)
def rt_queue(request: HttpRequest, slug: str, rt_id: int) -> Any:
    kelurahan = request_kelurahan(request)
    rt = territory_selectors.rt_get(kelurahan=kelurahan, pk=rt_id)
    permission_require(request.user, "needs.triage", rt)
    return [_out(n) for n in selectors.need_queue_for_rt(kelurahan=kelurahan, rt=rt)[:500]]


@api_route(router.get, "/k/{slug}/needs/{need_id}", perm="needs.view_own", response=NeedDetailOut)
def need_detail(request: HttpRequest, slug: str, need_id: int) -> Any:
    return _detail(_need(request, need_id))


@api_route(
    router.post,
    "/k/{slug}/needs/{need_id}/transition",
    perm="needs.view_own",
    response=NeedDetailOut,
)
def need_transition(request: HttpRequest, slug: str, need_id: int, payload: TransitionIn) -> Any:
    need = selectors.need_get(kelurahan=request_kelurahan(request), pk=need_id)
    if payload.to == NeedStatus.DELIVERED:
        need = services.need_deliver(actor=request.user, need=need)
    elif payload.to == NeedStatus.CONFIRMED:
        need = services.need_confirm(actor=request.user, need=need, reason=payload.reason)
    else:
        need = services.need_transition(
            actor=request.user, need=need, to=payload.to, reason=payload.reason
        )
    return _detail(need)


@api_route(
    router.post,
    "/k/{slug}/needs/{need_id}/quantities",
    perm="needs.fulfil",
    response=NeedDetailOut,
)
def need_quantities(request: HttpRequest, slug: str, need_id: int, payload: QuantitiesIn) -> Any:
    need = selectors.need_get(kelurahan=request_kelurahan(request), pk=need_id)
    need = services.need_quantities_set(
        actor=request.user,
        need=need,
        committed=payload.committed,
        in_transit=payload.in_transit,
        delivered=payload.delivered,
    )
    return _detail(need)
