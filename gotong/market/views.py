"""Market pages: public catalogue with the week's bundles and fees, order form (the cart),
my orders, an order, the cycle sheet (pick lists, fee split, routes, WhatsApp text), and
the UMKM sales dashboard with CSV. Thin: every rule is in services and selectors."""

import contextlib
import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gotong.core.exceptions import ApplicationError
from gotong.funds.services import market_port as funds_services
from gotong.registry import consent as registry_consent
from gotong.registry import selectors as registry_selectors
from gotong.registry.models import ConsentPurpose
from gotong.territory import selectors as territory_selectors
from gotong.territory.middleware import request_kelurahan
from gotong.ui.pages import gate, refused

from . import selectors, services
from .models import Fulfilment, PaymentMethod, ProductCategory, ThresholdRule
from .transitions import ORDER_RATEABLE


@require_safe
def catalogue(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: this week's cycle (bundles, bulk progress), the fee rules, every product."""
    kelurahan = request_kelurahan(request)
    cycle = selectors.cycle_current(kelurahan=kelurahan)
    products = list(selectors.product_catalogue(kelurahan=kelurahan)[:300])
    labels = dict(ProductCategory.choices)
    grouped: dict[str, list[Any]] = {}
    for product in products:
        grouped.setdefault(str(labels[product.category]), []).append(product)
    # While a cycle takes orders, its own fee rules apply (copied when it opened); rules
    # changed since then are shown as those of the next cycle.
    rules = selectors.settings_for(kelurahan)
    fees: Any = cycle or rules
    changed = cycle is not None and (
        (cycle.operations_fee_bp, cycle.delivery_fee, cycle.courier_share_bp)
        != (rules.operations_fee_bp, rules.delivery_fee, rules.courier_share_bp)
    )
    return render(
        request,
        "market/catalogue.html",
        {
            "cycle": cycle,
            "offers": selectors.offer_list(cycle=cycle) if cycle else [],
            "grouped": grouped,
            "ratings": selectors.umkm_ratings(kelurahan=kelurahan, public=True),
            "fees": fees,
            "fee_pct": fees.operations_fee_bp / 100,
            "courier_pct": fees.courier_share_bp / 100,
            "aid_exempt": getattr(fees, "aid_fee_exempt", True),
            "next_rules": rules if changed else None,
            "next_fee_pct": rules.operations_fee_bp / 100,
            "next_courier_pct": rules.courier_share_bp / 100,
        },
    )


@require_safe
def product_photo(request: HttpRequest, slug: str, product_id: int) -> FileResponse:
    """The stripped product photo."""
    try:
        product = selectors.product_get(kelurahan=request_kelurahan(request), pk=product_id)
    except ApplicationError as exc:
        raise Http404 from exc
    if not product.photo_name:
        raise Http404
    response = FileResponse(
        storages[services.PRODUCT_PHOTO_STORAGE].open(product.photo_name), content_type="image/jpeg"
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response


def voucher_guard(request: HttpRequest, kelurahan: Any, code: str) -> Any:
    """The funds rate limit on buyers' typed voucher codes (a no-op without a code)."""
    if not (code or "").strip():
        return contextlib.nullcontext()
    return funds_services.voucher_code_guard(
        kelurahan=kelurahan, user=request.user, ip=request.META.get("REMOTE_ADDR")
    )


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return -1


def _buyer_rt(kelurahan: Any, user: Any) -> int | None:
    """The buyer's own RT (from the registry), the delivery RT offered first."""
    person = registry_selectors.person_for_user(kelurahan=kelurahan, user=user)
    return person.rt_id if person is not None else None


@login_required
def order_form(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    """The cart: quantities per offer, fallback items, pickup or delivery, payment."""
    kelurahan = request_kelurahan(request)
    try:
        cycle = selectors.cycle_get(kelurahan=kelurahan, pk=cycle_id)
    except ApplicationError as exc:
        return refused(request, exc)
    offers = selectors.offer_list(cycle=cycle)
    by_id = {v.offer.pk: v.offer for v in offers}
    rts = list(territory_selectors.rt_list(kelurahan=kelurahan))
    error = None
    if request.method == "POST":
        lines = []
        for view in offers:
            quantity = _int(request.POST.get(f"qty_{view.offer.pk}"))
            if quantity == 0:
                continue
            fallback = by_id.get(_int(request.POST.get(f"fallback_{view.offer.pk}")))
            lines.append(services.LineSpec(offer=view.offer, quantity=quantity, fallback=fallback))
        rt = next((r for r in rts if r.pk == _int(request.POST.get("rt"))), None)
        try:
            if rt is None:
                raise ApplicationError(_("Choose your RT."))
            # Typed voucher codes that match nothing are counted (and limited) per buyer
            # and address by funds, outside the order's transaction so the count stays.
            with voucher_guard(request, kelurahan, request.POST.get("voucher_code", "")):
                order = services.order_place(
                    actor=request.user,
                    cycle=cycle,
                    lines=lines,
                    fulfilment=request.POST.get("fulfilment", ""),
                    rt=rt,
                    address_note=request.POST.get("address_note", ""),
                    payment_method=request.POST.get("payment_method", ""),
                    voucher_code=request.POST.get("voucher_code", ""),
                    marketplace_consent=request.POST.get("marketplace_consent") == "1",
                )
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect("market:order", slug=kelurahan.slug, order_id=order.pk)
    return render(
        request,
        "market/order_form.html",
        {
            "cycle": cycle,
            "offers": offers,
            "fallbacks": [v for v in offers if not v.offer.threshold],
            "fallback_rule": ThresholdRule.FALLBACK,
            "rts": rts,
            "chosen_rt": _int(request.POST.get("rt"))
            if request.method == "POST"
            else _buyer_rt(kelurahan, request.user),
            "fulfilments": Fulfilment.choices,
            "payments": [
                (PaymentMethod.COD, PaymentMethod.COD.label),
                (PaymentMethod.QRIS, PaymentMethod.QRIS.label),
                (PaymentMethod.VOUCHER, PaymentMethod.VOUCHER.label),
            ],
            "fees": cycle,  # the cycle's own fee rules
            "consent_text": registry_consent.consent_text(
                kelurahan_name=kelurahan.name, purpose=ConsentPurpose.MARKETPLACE
            )
            if selectors.marketplace_consent_missing(kelurahan=kelurahan, user=request.user)
            else "",
            "error": error,
            "post": request.POST,
        },
    )


@login_required
def order_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The resident's own orders."""
    kelurahan = request_kelurahan(request)
    orders = list(selectors.order_list_for_user(kelurahan=kelurahan, user=request.user)[:50])
    return render(request, "market/order_list.html", {"orders": orders})


@login_required
def order_detail(request: HttpRequest, slug: str, order_id: int) -> HttpResponse:
    """One order: lines and their outcome, totals, the code for the courier; once
    delivered, the form to rate each UMKM of the order (POST, once)."""
    kelurahan = request_kelurahan(request)
    try:
        order = selectors.order_get(kelurahan=kelurahan, pk=order_id)
    except ApplicationError as exc:
        return refused(request, exc)
    if order.buyer_id != request.user.pk:
        return refused(request, ApplicationError(_("This is not your order.")))
    umkm = selectors.order_umkm(order=order) if order.status in ORDER_RATEABLE else []
    error = None
    if request.method == "POST":
        specs = [
            services.RatingSpec(
                organisation_id=org.pk,
                stars=_int(request.POST.get(f"stars_{org.pk}")),
                comment=request.POST.get(f"comment_{org.pk}", ""),
            )
            for org in umkm
            if request.POST.get(f"stars_{org.pk}")
        ]
        try:
            services.order_rate(actor=request.user, order=order, ratings=specs)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Thank you for rating the UMKM."))
            return redirect("market:order", slug=kelurahan.slug, order_id=order.pk)
    ratings = list(selectors.order_ratings(order=order))
    return render(
        request,
        "market/order_detail.html",
        {
            "order": order,
            "code": selectors.recipient_code(order),
            "payment": selectors.order_payment(order=order),
            "ratings": ratings,
            "rate_umkm": umkm if not ratings and order.need_id is None else [],
            "stars": range(5, 0, -1),
            "rating_error": error,
        },
        status=422 if error else 200,
    )


@gate("market.sell")
def cycle_sheet(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    """Operators and UMKM: pick lists per UMKM, the fee split, route sheets, WhatsApp text."""
    kelurahan = request_kelurahan(request)
    cycle = selectors.cycle_get(kelurahan=kelurahan, pk=cycle_id)
    mine = selectors.managed_organisation_ids(kelurahan=kelurahan, user=request.user)
    url = request.build_absolute_uri(reverse("market:catalogue", kwargs={"slug": kelurahan.slug}))
    return render(
        request,
        "market/cycle_sheet.html",
        {
            "cycle": cycle,
            "officer": mine is None,
            "offers": selectors.offer_list(cycle=cycle),
            "pick_lists": [
                p
                for p in selectors.pick_lists(cycle=cycle)
                if mine is None or p.organisation.pk in mine
            ],
            "breakdown": selectors.cycle_breakdown(cycle=cycle),
            "routes": list(selectors.route_sheets(cycle=cycle)) if mine is None else [],
            "whatsapp": selectors.bundles_whatsapp_text(cycle=cycle, url=url),
        },
    )


@gate("market.sell")
def umkm_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """Sales per cycle, repeat customers, baseline and growth; ``?format=csv`` downloads."""
    kelurahan = request_kelurahan(request)
    mine = selectors.managed_organisation_ids(kelurahan=kelurahan, user=request.user)
    sales = [
        s
        for s in selectors.umkm_sales(kelurahan=kelurahan)
        if mine is None or s.organisation.pk in mine
    ]
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="penjualan-umkm.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "umkm",
                "siklus",
                "tanggal_antar",
                "pesanan",
                "omzet_rp",
                "rating_rata_rata",
                "jumlah_rating",
            ]
        )
        for s in sales:
            # The UMKM's average rating and count (over all its rated orders) on each row.
            average = f"{s.rating.average:.1f}" if s.rating else ""
            count = s.rating.count if s.rating else 0
            for row in s.rows:
                writer.writerow(
                    [
                        s.organisation.name,
                        row.cycle.title,
                        row.cycle.delivery_date.isoformat(),
                        row.orders,
                        row.revenue,
                        average,
                        count,
                    ]
                )
        return response
    return render(
        request,
        "market/umkm_dashboard.html",
        {
            "sales": sales,
            "comments": {
                s.organisation.pk: selectors.umkm_rating_comments(
                    kelurahan=kelurahan, organisation=s.organisation
                )
                for s in sales
                if s.rating
            },
            "growth": selectors.umkm_growth_total(kelurahan=kelurahan) if mine is None else None,
            "cycles": sales[0].rows if sales else [],
            "baseline": selectors.settings_for(kelurahan).baseline_cycles,
        },
    )
