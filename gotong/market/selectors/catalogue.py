"""Catalogue reads: products, UMKM, sellers, bundles, and who acts for which UMKM."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Role
from gotong.accounts.permissions import memberships_effective
from gotong.core.exceptions import NotFound
from gotong.registry.models import Organisation, OrganisationKind, OrganisationStatus
from gotong.territory.models import Kelurahan

from ..models import (
    Bundle,
    BundleComponent,
    Product,
    Seller,
)


def product_catalogue(*, kelurahan: Kelurahan) -> QuerySet[Product]:
    """Active products of approved UMKM, for the public catalogue."""
    return (
        Product.objects.filter(
            kelurahan=kelurahan,
            is_active=True,
            organisation__kind=OrganisationKind.UMKM,
            organisation__status=OrganisationStatus.APPROVED,
        )
        .select_related("organisation")
        .order_by("category", "name", "pk")
    )


def product_get(*, kelurahan: Kelurahan, pk: int) -> Product:
    """One product of this kelurahan."""
    product = (
        Product.objects.filter(kelurahan=kelurahan, pk=pk).select_related("organisation").first()
    )
    if product is None:
        raise NotFound("Produk tidak ditemukan.")
    return product


def product_list_for_seller(*, kelurahan: Kelurahan, user: Any) -> QuerySet[Product]:
    """Products of the UMKM the user manages."""
    orgs = Seller.objects.filter(kelurahan=kelurahan, user=user).values("organisation_id")
    return (
        Product.objects.filter(kelurahan=kelurahan, organisation_id__in=orgs)
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def product_list_managed(
    *, kelurahan: Kelurahan, organisation_ids: set[int] | None
) -> QuerySet[Product]:
    """Every product, active or not, of the given UMKM (None: of every UMKM, for officers)."""
    qs = Product.objects.filter(kelurahan=kelurahan).select_related("organisation")
    if organisation_ids is not None:
        qs = qs.filter(organisation_id__in=organisation_ids)
    return qs.order_by("organisation__name", "name", "pk")


def umkm_managed(
    *, kelurahan: Kelurahan, organisation_ids: set[int] | None
) -> QuerySet[Organisation]:
    """UMKM of any status among the given ones (None: every UMKM of the kelurahan)."""
    qs = Organisation.objects.filter(kelurahan=kelurahan, kind=OrganisationKind.UMKM)
    if organisation_ids is not None:
        qs = qs.filter(pk__in=organisation_ids)
    return qs.order_by("name", "pk")


def seller_list(*, kelurahan: Kelurahan) -> QuerySet[Seller]:
    """Who manages which UMKM's products."""
    return (
        Seller.objects.filter(kelurahan=kelurahan)
        .select_related("organisation", "user")
        .order_by("organisation__name", "pk")
    )


def seller_get(*, kelurahan: Kelurahan, pk: int) -> Seller:
    """One seller link of this kelurahan, or NotFound."""
    found = Seller.objects.filter(kelurahan=kelurahan, pk=pk).select_related("organisation").first()
    if found is None:
        raise NotFound(_("No such seller in this kelurahan."))
    return found


def umkm_list(*, kelurahan: Kelurahan) -> QuerySet[Organisation]:
    """Approved UMKM of the kelurahan."""
    return Organisation.objects.filter(
        kelurahan=kelurahan, kind=OrganisationKind.UMKM, status=OrganisationStatus.APPROVED
    ).order_by("name")


def bundle_list(*, kelurahan: Kelurahan) -> QuerySet[Bundle]:
    """Active bundles with their components."""
    return (
        Bundle.objects.filter(kelurahan=kelurahan, is_active=True)
        .prefetch_related(
            Prefetch(
                "components",
                queryset=BundleComponent.objects.select_related("product__organisation"),
            )
        )
        .order_by("name")
    )


def user_is_officer(*, kelurahan: Kelurahan, user: Any) -> bool:
    """The user acts for the whole market here (an operator or admin of the kelurahan)."""
    return any(
        m.role in (Role.OPERATOR, Role.ADMIN) for m in memberships_effective(user, kelurahan.pk)
    )


def managed_organisation_ids(*, kelurahan: Kelurahan, user: Any) -> set[int] | None:
    """The UMKM whose sales and pick lists the user may see (None: every UMKM, officers)."""
    if user_is_officer(kelurahan=kelurahan, user=user):
        return None
    return set(
        Seller.objects.filter(kelurahan=kelurahan, user=user).values_list(
            "organisation_id", flat=True
        )
    )
