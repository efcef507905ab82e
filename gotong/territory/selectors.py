"""Territory reads. Every selector below a kelurahan takes the tenant explicitly."""

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from gotong.core.exceptions import NotFound

from .models import RT, RW, Kelurahan


def kelurahan_get_by_slug(*, slug: str) -> Kelurahan:
    """The tenant at /k/<slug>/, or NotFound."""
    try:
        return Kelurahan.objects.get(slug=slug)
    except Kelurahan.DoesNotExist as exc:
        raise NotFound(_("Kelurahan not found."), {"slug": slug}) from exc


def kelurahan_list() -> QuerySet[Kelurahan]:
    """All tenants on this instance, for the landing page."""
    return Kelurahan.objects.order_by("name", "kota_kabupaten")


def rw_list(*, kelurahan: Kelurahan) -> QuerySet[RW]:
    """The RWs of one kelurahan with their RT counts."""
    return RW.objects.filter(kelurahan=kelurahan).annotate(rt_count=Count("rts")).order_by("number")


def rw_get(*, kelurahan: Kelurahan, number: int) -> RW:
    """One RW of this kelurahan by number, or NotFound."""
    try:
        return RW.objects.get(kelurahan=kelurahan, number=number)
    except RW.DoesNotExist as exc:
        raise NotFound(
            _("RW %(number)s was not found in this kelurahan.") % {"number": number},
            {"field": "rw_number"},
        ) from exc


def rt_list(*, kelurahan: Kelurahan, rw: RW | None = None) -> QuerySet[RT]:
    """The RTs of one kelurahan, optionally of one RW."""
    qs = RT.objects.filter(kelurahan=kelurahan).select_related("rw")
    if rw is not None:
        qs = qs.filter(rw=rw)
    return qs.order_by("rw__number", "number")


def rt_get(*, kelurahan: Kelurahan, pk: int) -> RT:
    """One RT of this kelurahan, or NotFound (another tenant's RT is not found either)."""
    try:
        return RT.objects.select_related("rw").get(kelurahan=kelurahan, pk=pk)
    except RT.DoesNotExist as exc:
        raise NotFound(_("RT not found in this kelurahan."), {"id": pk}) from exc


def rt_get_by_number(*, kelurahan: Kelurahan, rw_number: int, rt_number: int) -> RT:
    """RT <rt_number> of RW <rw_number> in this kelurahan, or NotFound."""
    try:
        return RT.objects.select_related("rw").get(
            kelurahan=kelurahan, rw__number=rw_number, number=rt_number
        )
    except RT.DoesNotExist as exc:
        raise NotFound(
            _("RT %(rt)s / RW %(rw)s was not found in this kelurahan.")
            % {"rt": rt_number, "rw": rw_number},
            {"field": "rt_number"},
        ) from exc
