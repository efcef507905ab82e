"""Scenario B in the browser on a phone-sized screen: a resident opens the Pasar, sees the
week's bundle with its UMKM split, orders two bundles for pickup at the RT point with cash
on delivery, and lands on the order page with the total and the code for the courier."""

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from gotong.accounts.models import Role
from gotong.accounts.tests.clients import client_for
from gotong.market.models import Order
from gotong.market.tests.factories import market

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("log_tables_flushable")]

PHONE = {"width": 360, "height": 740}


def test_resident_orders_a_bundle_on_a_phone(
    browser: Browser, live_server: Any, rt: Any, make_member: Any
) -> None:
    world = market(rt.kelurahan, rt, make_member)
    resident = make_member(Role.WARGA, rt)
    session = client_for(resident).cookies["sessionid"].value
    context = browser.new_context(
        base_url=live_server.url, locale="id-ID", viewport=PHONE, is_mobile=True
    )
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"/k/{rt.kelurahan.slug}/pasar/")
        expect(page.get_by_text("Paket Pasar Minggu Ini").first).to_be_visible()
        page.locator(f"a[href$='/siklus/{world.cycle.pk}/pesan/']").click()
        page.locator(f"#qty_{world.bundle_offer.pk}").fill("2")
        page.locator("input[name='fulfilment'][value='pickup']").check()
        page.locator("input[name='payment_method'][value='cod']").check()
        page.locator("#place-order").click()
        expect(page.locator("#order-total")).to_have_text("Rp 80.000")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "no sideways scrolling on a phone"
        order = Order.objects.get()
        assert order.buyer == resident and order.fulfilment == "pickup"
        page.screenshot(path="/tmp/e2e-market-order.png", full_page=True)  # noqa: S108
    finally:
        context.close()
