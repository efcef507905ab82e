"""Market pages for the people who run it: UMKM sellers (their products, photos),
operators (UMKM approval and sellers, bundles, opening and closing cycles, route planning,
couriers, the public fee rules) and couriers (their printable route sheet, drop-offs).

Thin: each page checks the same permission table as the API, then calls services and
selectors; a service's refusal is shown on the form and nothing is saved."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gotong.core.exceptions import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from gotong.registry import selectors as registry_selectors
from gotong.registry import services as registry_services
from gotong.registry.models import OrganisationKind, OrganisationStatus
from gotong.territory.middleware import request_kelurahan
from gotong.ui.pages import form_error, gate, refused

from . import selectors, services
from .forms import (
    BundleForm,
    ComponentFormSet,
    CourierForm,
    CourierUpdateForm,
    CycleForm,
    DropoffForm,
    PhotoForm,
    ProductForm,
    SellerForm,
    SettingsForm,
)
from .models import OrderStatus, Product, RoutePlan, ThresholdRule

MAX_PRODUCTS_SHOWN = 300


def _managed(request: HttpRequest) -> set[int] | None:
    """The UMKM the user sells for (None: an officer, who may act for every UMKM)."""
    return selectors.managed_organisation_ids(
        kelurahan=request_kelurahan(request), user=request.user
    )


# ------------------------------------------------------------------------------ sellers


@gate("market.sell")
def seller_products(request: HttpRequest, slug: str) -> HttpResponse:
    """The seller's products (an operator sees every UMKM's), active or not."""
    kelurahan = request_kelurahan(request)
    mine = _managed(request)
    products = list(
        selectors.product_list_managed(kelurahan=kelurahan, organisation_ids=mine)[
            :MAX_PRODUCTS_SHOWN
        ]
    )
    organisations = list(selectors.umkm_managed(kelurahan=kelurahan, organisation_ids=mine))
    return render(
        request,
        "market/seller_products.html",
        {
            "products": products,
            "organisations": organisations,
            "officer": mine is None,
            "approved": OrganisationStatus.APPROVED,
        },
    )


@gate("market.sell")
def product_new(request: HttpRequest, slug: str) -> HttpResponse:
    """List a product for one of the seller's UMKM (approved UMKM only: the service says so)."""
    kelurahan = request_kelurahan(request)
    organisations = selectors.umkm_managed(kelurahan=kelurahan, organisation_ids=_managed(request))
    form = ProductForm(
        request.POST or None,
        organisations=organisations,
        initial={"organisation": request.GET.get("umkm")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            product = services.product_create(
                actor=request.user,
                organisation=data["organisation"],
                name=data["name"],
                category=data["category"],
                unit=data["unit"],
                price=data["price"],
                stock=data["stock"],
                daily_capacity=data["daily_capacity"],
                description=data["description"],
                halal_certificate=data["halal_certificate"],
                pirt_number=data["pirt_number"],
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Product listed. You can add a photo now."))
            return redirect("market:product_edit", slug=slug, product_id=product.pk)
    return render(
        request,
        "market/product_form.html",
        {"form": form, "title": _("List a product"), "product": None},
    )


def _own_product(request: HttpRequest, product_id: int) -> Product:
    product = selectors.product_get(kelurahan=request_kelurahan(request), pk=product_id)
    mine = _managed(request)
    if mine is not None and product.organisation_id not in mine:
        raise PermissionDenied(_("You do not manage the products of this UMKM."))
    return product


PRODUCT_FIELDS = (
    "category",
    "unit",
    "price",
    "stock",
    "daily_capacity",
    "description",
    "halal_certificate",
    "pirt_number",
    "is_active",
)


def _product_page(
    request: HttpRequest, product: Product, form: Any, photo_form: Any, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "market/product_form.html",
        {
            "form": form,
            "photo_form": photo_form,
            "title": product.name,
            "product": product,
        },
        status=status,
    )


@gate("market.sell")
def product_edit(request: HttpRequest, slug: str, product_id: int) -> HttpResponse:
    """Change price, unit, stock or capacity, category, halal / P-IRT numbers, active flag."""
    try:
        product = _own_product(request, product_id)
    except ApplicationError as exc:
        return refused(request, exc)
    initial = {field: getattr(product, field) for field in PRODUCT_FIELDS}
    form = ProductForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        changes = {
            field: form.cleaned_data[field]
            for field in PRODUCT_FIELDS
            if form.cleaned_data[field] != getattr(product, field)
        }
        try:
            if changes:
                services.product_update(actor=request.user, product=product, changes=changes)
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Saved.") if changes else _("Nothing changed."))
            return redirect("market:seller_products", slug=slug)
    return _product_page(request, product, form, PhotoForm())


@gate("market.sell")
@require_POST
def product_photo_upload(request: HttpRequest, slug: str, product_id: int) -> HttpResponse:
    """Replace the product's photo (re-encoded without metadata by the service)."""
    try:
        product = _own_product(request, product_id)
    except ApplicationError as exc:
        return refused(request, exc)
    photo_form = PhotoForm(request.POST, request.FILES)
    if photo_form.is_valid():
        try:
            services.product_photo_set(
                actor=request.user, product=product, upload=photo_form.cleaned_data["photo"]
            )
        except ApplicationError as exc:
            form_error(photo_form, exc)
        else:
            messages.success(request, _("Photo saved without location or camera data."))
            return redirect("market:product_edit", slug=slug, product_id=product.pk)
    initial = {field: getattr(product, field) for field in PRODUCT_FIELDS}
    form = ProductForm(initial=initial, editing=True)
    return _product_page(request, product, form, photo_form, status=422)


# ---------------------------------------------------------------------------- operators


@gate("market.manage")
def ops_home(request: HttpRequest, slug: str) -> HttpResponse:
    """The operator's market desk: cycles, waiting UMKM, couriers, bundles, fees."""
    kelurahan = request_kelurahan(request)
    fees = selectors.settings_for(kelurahan)
    return render(
        request,
        "market/ops_home.html",
        {
            "cycles": list(selectors.cycle_list(kelurahan=kelurahan)[:12]),
            "pending": registry_selectors.organisation_list(
                kelurahan=kelurahan, status=OrganisationStatus.PENDING, kind=OrganisationKind.UMKM
            ).count(),
            "couriers": selectors.courier_list(kelurahan=kelurahan).count(),
            "bundles": selectors.bundle_list(kelurahan=kelurahan).count(),
            "fees": fees,
            "fee_pct": fees.operations_fee_bp / 100,
        },
    )


@gate("market.manage")
def umkm_queue(request: HttpRequest, slug: str) -> HttpResponse:
    """UMKM waiting for approval (decided through the registry's service) and who sells
    for each approved UMKM (``seller_add_by_phone``, ``seller_remove``)."""
    kelurahan = request_kelurahan(request)
    approved = selectors.umkm_list(kelurahan=kelurahan)
    seller_form = SellerForm(
        request.POST if request.POST.get("action") == "seller" else None,
        organisations=approved,
    )
    if request.method == "POST" and request.POST.get("action") == "decide":
        try:
            organisation = registry_selectors.organisation_get(
                kelurahan=kelurahan, pk=_int(request.POST.get("organisation"))
            )
            if organisation.kind != OrganisationKind.UMKM:
                raise NotFound(_("Organisation not found in this kelurahan."))
            registry_services.organisation_decide(
                actor=request.user,
                organisation=organisation,
                approve=request.POST.get("approve") == "1",
                note=request.POST.get("note", ""),
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("%(name)s is approved and can list products.") % {"name": organisation.name}
                if organisation.status == OrganisationStatus.APPROVED
                else _("%(name)s is rejected.") % {"name": organisation.name},
            )
        return redirect("market:umkm_queue", slug=slug)
    if request.method == "POST" and request.POST.get("action") == "seller_remove":
        try:
            seller = selectors.seller_get(kelurahan=kelurahan, pk=_int(request.POST.get("seller")))
            services.seller_remove(actor=request.user, seller=seller)
        except ApplicationError as exc:
            return refused(request, exc)
        messages.success(
            request,
            _("The seller no longer manages the products of %(name)s.")
            % {"name": seller.organisation.name},
        )
        return redirect("market:umkm_queue", slug=slug)
    if request.method == "POST" and seller_form.is_valid():
        try:
            seller = services.seller_add_by_phone(
                actor=request.user,
                organisation=seller_form.cleaned_data["organisation"],
                phone=seller_form.cleaned_data["phone"],
            )
        except ApplicationError as exc:
            form_error(seller_form, exc)
        else:
            messages.success(
                request,
                _("The seller now manages the products of %(name)s.")
                % {"name": seller.organisation.name},
            )
            return redirect("market:umkm_queue", slug=slug)
    return render(
        request,
        "market/umkm_queue.html",
        {
            "pending": registry_selectors.organisation_list(
                kelurahan=kelurahan, status=OrganisationStatus.PENDING, kind=OrganisationKind.UMKM
            ),
            "approved": approved,
            "sellers": selectors.seller_list(kelurahan=kelurahan),
            "seller_form": seller_form,
        },
        status=422 if seller_form.errors else 200,
    )


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


@gate("market.manage")
def bundles(request: HttpRequest, slug: str) -> HttpResponse:
    """The bundles, and a new one: products of several UMKM with each UMKM's share of the
    price (the shares must add up to the price)."""
    kelurahan = request_kelurahan(request)
    products = selectors.product_catalogue(kelurahan=kelurahan)
    posted = request.method == "POST"
    form = BundleForm(request.POST if posted else None)
    components = ComponentFormSet(
        request.POST if posted else None, prefix="c", form_kwargs={"products": products}
    )
    if posted and form.is_valid() and components.is_valid():
        specs = [
            services.ComponentSpec(
                product=row["product"], quantity=row["quantity"], share=row["share"]
            )
            for row in components.cleaned_data
            if row.get("product") is not None
        ]
        try:
            bundle = services.bundle_create(
                actor=request.user,
                kelurahan=kelurahan,
                name=form.cleaned_data["name"],
                category=form.cleaned_data["category"],
                price=form.cleaned_data["price"],
                components=specs,
                description=form.cleaned_data["description"],
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Bundle %(name)s created.") % {"name": bundle.name})
            return redirect("market:bundles", slug=slug)
    return render(
        request,
        "market/bundles.html",
        {
            "form": form,
            "components": components,
            "bundles": selectors.bundle_list(kelurahan=kelurahan),
        },
        status=422 if posted else 200,
    )


def _offer_rows(request: HttpRequest, kelurahan: Any) -> list[dict[str, Any]]:
    """One row per active product of an approved UMKM and per bundle, with what was posted."""
    rows = []
    items: list[tuple[str, Any]] = [
        ("b", b) for b in selectors.bundle_list(kelurahan=kelurahan)
    ] + [("p", p) for p in selectors.product_catalogue(kelurahan=kelurahan)[:MAX_PRODUCTS_SHOWN]]
    chosen = set(request.POST.getlist("offer"))
    for kind, item in items:
        key = f"{kind}{item.pk}"
        rows.append(
            {
                "key": key,
                "item": item,
                "is_bundle": kind == "b",
                "checked": key in chosen,
                "threshold": request.POST.get(f"threshold_{key}", ""),
                "rule": request.POST.get(f"rule_{key}", ThresholdRule.CANCEL),
            }
        )
    return rows


def _offer_specs(rows: list[dict[str, Any]]) -> list[services.OfferSpec]:
    specs = []
    for row in rows:
        if not row["checked"]:
            continue
        threshold: int | None = None
        if row["threshold"].strip():
            try:
                threshold = int(row["threshold"])
            except ValueError as exc:
                raise ValidationFailed(
                    _("A threshold must be a whole number above zero."), {"field": "threshold"}
                ) from exc
        item = row["item"]
        specs.append(
            services.OfferSpec(
                product=None if row["is_bundle"] else item,
                bundle=item if row["is_bundle"] else None,
                threshold=threshold,
                threshold_rule=row["rule"],
            )
        )
    return specs


@gate("market.manage")
def cycle_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Open a cycle: the order window, the delivery day and what is on offer, each with an
    optional bulk threshold and the rule for when the group falls short."""
    kelurahan = request_kelurahan(request)
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = CycleForm(
        request.POST or None,
        initial={
            "title": _("Market of the week"),
            "opens_at": now,
            "closes_at": now + dt.timedelta(hours=24),
            "delivery_date": now.date() + dt.timedelta(days=2),
        },
    )
    rows = _offer_rows(request, kelurahan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.cycle_open(
                actor=request.user,
                kelurahan=kelurahan,
                title=data["title"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                delivery_date=data["delivery_date"],
                offers=_offer_specs(rows),
                hub=(data["hub_lat"], data["hub_lon"]) if data["hub_lat"] is not None else None,
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The cycle is open for orders."))
            return redirect("market:cycle", slug=slug, cycle_id=cycle.pk)
    return render(
        request,
        "market/cycle_form.html",
        {"form": form, "rows": rows, "rules": ThresholdRule.choices},
        status=422 if form.errors else 200,
    )


@gate("market.manage")
@require_POST
def cycle_close(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    """Close the order window now: orders become final, thresholds are applied."""
    kelurahan = request_kelurahan(request)
    try:
        cycle = selectors.cycle_get(kelurahan=kelurahan, pk=cycle_id)
        if request.POST.get("confirm") != "1":
            raise ValidationFailed(_("Tick the box to confirm that the orders become final."))
        services.cycle_close(actor=request.user, cycle=cycle)
    except NotFound as exc:
        return refused(request, exc)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The cycle is closed: pick lists are ready."))
    return redirect("market:cycle", slug=slug, cycle_id=cycle_id)


@gate("market.manage")
@require_POST
def routes_plan(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    """Plan the couriers' routes of a closed cycle (replaces an earlier plan)."""
    kelurahan = request_kelurahan(request)
    try:
        cycle = selectors.cycle_get(kelurahan=kelurahan, pk=cycle_id)
        plans = services.routes_plan(actor=request.user, cycle=cycle)
    except NotFound as exc:
        return refused(request, exc)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Routes planned for %(n)s couriers, %(km)s km in total.")
            % {"n": len(plans), "km": f"{sum(p.distance_m for p in plans) / 1000:.1f}"},
        )
    return redirect("market:cycle", slug=slug, cycle_id=cycle_id)


def _couriers_page(
    request: HttpRequest, form: CourierForm, status: int = 200, **context: Any
) -> HttpResponse:
    kelurahan = request_kelurahan(request)
    return render(
        request,
        "market/couriers.html",
        {
            "form": form,
            "couriers": selectors.courier_list(kelurahan=kelurahan, include_inactive=True),
            **context,
        },
        status=status,
    )


def _courier_update(request: HttpRequest, slug: str) -> HttpResponse:
    """A courier's row: packages per trip and the active flag (``courier_update``)."""
    kelurahan = request_kelurahan(request)
    row = CourierUpdateForm(request.POST)
    pk = _int(request.POST.get("courier"))
    try:
        courier = selectors.courier_get(kelurahan=kelurahan, pk=pk)
        if not row.is_valid():
            raise ValidationFailed(next(iter(row.errors.values()))[0], {"field": "capacity"})
        before = (courier.capacity, courier.is_active)
        courier = services.courier_update(
            actor=request.user,
            courier=courier,
            capacity=row.cleaned_data["capacity"],
            is_active=row.cleaned_data["is_active"],
        )
    except ApplicationError as exc:
        return _couriers_page(
            request,
            CourierForm(),
            status=exc.status_code,
            update_error=exc.message,
            update_courier=pk,
        )
    if before == (courier.capacity, courier.is_active):
        messages.info(request, _("Nothing changed for %(name)s.") % {"name": courier.label})
    else:
        messages.success(request, _("Courier %(name)s updated.") % {"name": courier.label})
    return redirect("market:couriers", slug=slug)


@gate("market.manage")
def couriers(request: HttpRequest, slug: str) -> HttpResponse:
    """The community couriers (active ones first) and how many packages each carries; add
    one, change a courier's packages per trip or take them off the routes."""
    kelurahan = request_kelurahan(request)
    if request.method == "POST" and request.POST.get("action") == "update":
        return _courier_update(request, slug)
    form = CourierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["phone"].strip():
                courier = services.courier_create_for_phone(
                    actor=request.user,
                    kelurahan=kelurahan,
                    label=data["label"],
                    capacity=data["capacity"],
                    phone=data["phone"],
                    is_paid=data["is_paid"],
                )
            else:
                courier = services.courier_create(
                    actor=request.user,
                    kelurahan=kelurahan,
                    label=data["label"],
                    capacity=data["capacity"],
                    is_paid=data["is_paid"],
                )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Courier %(name)s added.") % {"name": courier.label})
            return redirect("market:couriers", slug=slug)
    return _couriers_page(request, form, status=422 if form.errors else 200)


@gate("market.manage")
def fee_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """The public fee rules (shown on the catalogue before anyone orders)."""
    kelurahan = request_kelurahan(request)
    current = selectors.settings_for(kelurahan)
    form = SettingsForm(
        request.POST or None,
        initial={
            "operations_fee_pct": current.operations_fee_bp / 100,
            "delivery_fee": current.delivery_fee,
            "courier_share_pct": current.courier_share_bp / 100,
            "baseline_cycles": current.baseline_cycles,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.settings_set(
                actor=request.user,
                kelurahan=kelurahan,
                operations_fee_bp=SettingsForm.basis_points(data["operations_fee_pct"]),
                delivery_fee=data["delivery_fee"],
                courier_share_bp=SettingsForm.basis_points(data["courier_share_pct"]),
                baseline_cycles=data["baseline_cycles"],
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The fee rules are saved and shown on the catalogue."))
            return redirect("market:fee_settings", slug=slug)
    return render(
        request,
        "market/fee_settings.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


# ------------------------------------------------------------------------------ couriers


@gate("market.deliver")
def courier_routes(request: HttpRequest, slug: str) -> HttpResponse:
    """The courier's routes, newest cycle first."""
    kelurahan = request_kelurahan(request)
    plans = list(selectors.route_sheets_for_courier(kelurahan=kelurahan, user=request.user)[:20])
    return render(request, "market/courier_routes.html", {"plans": plans})


def _own_route(request: HttpRequest, plan_id: int) -> RoutePlan:
    plan = selectors.route_sheet_get(kelurahan=request_kelurahan(request), pk=plan_id)
    if plan.courier.user_id != request.user.pk and _managed(request) is not None:
        raise PermissionDenied(_("This is not your route."))
    return plan


@gate("market.deliver")
def route_sheet(request: HttpRequest, slug: str, plan_id: int) -> HttpResponse:
    """A courier's printable route sheet: pick-ups, then drop-offs with order codes,
    landmarks and the cash to collect."""
    try:
        plan = _own_route(request, plan_id)
    except ApplicationError as exc:
        return refused(request, exc)
    return render(
        request,
        "market/route_sheet.html",
        {
            "plan": plan,
            "waiting": OrderStatus.CONFIRMED,
            "may_record": plan.courier.user_id == request.user.pk or _managed(request) is None,
        },
    )


@gate("market.deliver")
def dropoff(request: HttpRequest, slug: str, plan_id: int, order_id: int) -> HttpResponse:
    """Record a drop-off on the route: the buyer's code or a photo, and the cash on delivery."""
    kelurahan = request_kelurahan(request)
    try:
        plan = _own_route(request, plan_id)
        if not any(o.pk == order_id for s in plan.stops.all() for o in s.orders.all()):
            raise NotFound(_("This order is not on this route."))
        order = selectors.order_get(kelurahan=kelurahan, pk=order_id)
    except ApplicationError as exc:
        return refused(request, exc)
    form = DropoffForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.dropoff_record(
                actor=request.user,
                order=order,
                code=data["code"],
                photo=data["photo"],
                cash_collected=data["cash_collected"],
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Order %(code)s delivered.") % {"code": order.code})
            return redirect("market:route_sheet", slug=slug, plan_id=plan.pk)
    return render(
        request,
        "market/dropoff.html",
        {"plan": plan, "order": order, "form": form},
        status=422 if form.errors else 200,
    )
