"""No page scrolls sideways on a 360 px phone (issue 15 item 7).

On the demo Kelurahan Taman, a 360x740 browser visits the public pages, the resident's pages
and the RT and RW heads' queues, and fails when ``document.documentElement.scrollWidth`` is
wider than the viewport, naming the URL and the elements that stick out furthest."""

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page

from gotong.accounts.models import User
from gotong.accounts.tests.clients import client_for
from gotong.needs.models import Need
from gotong.needs.selectors import need_list_for_user
from gotong.needs.services import need_submit
from gotong.registry.selectors import person_for_user
from gotong.territory.models import RT, Kelurahan
from gotong.transparency.models import Evidence

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("log_tables_flushable")]

PHONE = {"width": 360, "height": 740}
# Demo logins (gotong/accounts/demo.py): a resident of RT 01/RW 01, its RT head, the RW 01 head.
RESIDENT = "+628130101001"
RT_HEAD = "+6281200001010"
RW_HEAD = "+6281200001000"
SCREENSHOTS = {"dasbor": "/tmp/e2e-phone-dasbor.png", "me": "/tmp/e2e-phone-data-saya.png"}  # noqa: S108

# The widest elements whose right edge passes the viewport (deepest first is not needed:
# the list shows the offender and its ancestors, which is enough to find the CSS rule).
WIDEST_JS = """
() => {
  const vw = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 0.5) continue;
    let hidden = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') { hidden = true; break; }
    }
    if (hidden) continue;
    const cls = el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    out.push([Math.round(r.right), el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls]);
  }
  out.sort((a, b) => b[0] - a[0]);
  return out.slice(0, 6);
}
"""


@pytest.fixture
def open_as(browser: Browser, live_server: Any) -> Iterator[Callable[[str | None], Page]]:
    """A 360 px page, anonymous or logged in as the demo user with that phone."""
    contexts = []

    def open_page(phone: str | None) -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale="id-ID", viewport=PHONE, is_mobile=True
        )
        context.set_default_timeout(10_000)
        if phone is not None:
            session = client_for(User.objects.get(phone=phone)).cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def _resident_with_a_need(kelurahan: Kelurahan, rt: RT) -> tuple[User, Need]:
    """The demo resident with a need of their own to open (the demo's needs are raised by RT
    heads for people without a login, so the resident asks for help first, as on the form)."""
    user = User.objects.get(phone=RESIDENT)
    need = need_list_for_user(kelurahan=kelurahan, user=user).first()
    if need is None:
        need = need_submit(
            actor=user,
            kelurahan=kelurahan,
            rt=rt,
            category="kesehatan",
            description="Butuh bantuan antar ke puskesmas (uji tata letak)",
            urgency="sedang",
            needed_by=timezone.now() + dt.timedelta(days=2),
            beneficiary_person=person_for_user(kelurahan=kelurahan, user=user),
        )
    return user, need


def _overflow(page: Page, url: str) -> str | None:
    response = page.goto(url)
    if response is None or response.status != 200:
        return f"{url}: HTTP {response and response.status}"
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("document.documentElement.clientWidth")
    if width <= viewport:
        return None
    widest = page.evaluate(WIDEST_JS)
    return f"{url}: scrollWidth {width} > {viewport}; widest: {widest}"


def test_no_page_is_wider_than_a_360px_phone(open_as: Callable[[str | None], Page]) -> None:
    call_command("seed_demo", "--quiet")
    kelurahan = Kelurahan.objects.get(slug="taman")
    slug = kelurahan.slug
    rt = RT.objects.get(rw__kelurahan=kelurahan, rw__number=1, number=1)
    resident, own_need = _resident_with_a_need(kelurahan, rt)
    evidence = Evidence.objects.filter(kelurahan=kelurahan).order_by("pk").first()
    assert evidence is not None, "the demo has no evidence receipt"
    rt_need = Need.objects.filter(kelurahan=kelurahan, rt=rt).order_by("pk").first()
    assert rt_need is not None, "the demo has no need in RT 01/RW 01"
    kw = {"slug": slug}

    public = [
        "/",
        reverse("web:home", kwargs=kw),
        reverse("dashboard:public", kwargs=kw),
        reverse("dashboard:open_data", kwargs=kw),
        reverse("dashboard:reports", kwargs=kw),
        reverse("transparency:log", kwargs=kw),
        reverse("market:catalogue", kwargs=kw),
        reverse("funds:campaigns", kwargs=kw),
        reverse("transparency:receipt", kwargs={**kw, "code": evidence.code}),
        reverse("pages:privacy", kwargs=kw),
        reverse("pages:sop_need", kwargs=kw),
        reverse("pages:sop_donation", kwargs=kw),
    ]
    resident_pages = [
        reverse("needs:submit", kwargs=kw),
        reverse("needs:mine", kwargs=kw),
        reverse("needs:detail", kwargs={**kw, "need_id": own_need.pk}),
        reverse("registry:me", kwargs=kw),
        reverse("accounts:account"),
        reverse("registry:register", kwargs=kw),
    ]
    rt_pages = [
        reverse("needs:rt_queue", kwargs={**kw, "rt_id": rt.pk}),
        reverse("needs:detail", kwargs={**kw, "need_id": rt_need.pk}),
    ]
    rw_pages = [reverse("needs:rw_queue", kwargs={**kw, "rw_number": rt.rw.number})]

    failures = []
    visited = 0
    for phone, urls in (
        (None, public),
        (resident.phone, resident_pages),
        (RT_HEAD, rt_pages),
        (RW_HEAD, rw_pages),
    ):
        page = open_as(phone)
        for url in urls:
            failure = _overflow(page, url)
            visited += 1
            if failure:
                failures.append(f"[{phone or 'public'}] {failure}")
            if url == reverse("dashboard:public", kwargs=kw):
                page.screenshot(path=SCREENSHOTS["dasbor"], full_page=True)
            if url == reverse("registry:me", kwargs=kw):
                page.screenshot(path=SCREENSHOTS["me"], full_page=True)
    assert visited == 21
    assert not failures, "pages wider than a 360 px phone:\n" + "\n".join(failures)
