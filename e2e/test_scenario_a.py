"""Scenario A in the browser, on a phone-sized viewport: an RT head raises a food need
for a sick elderly resident, the RW head approves and plans a delivery with a UMKM
sembako package and a volunteer, the volunteer photographs the hand-over and enters the
recipient's code, then RT, RW and three independent verifiers sign off and an operator
closes it. Everyone uses the pages; sessions come from a test client's login."""

import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, expect

from gotong.accounts.models import Role
from gotong.accounts.tests.clients import client_for
from gotong.activities.models import Activity
from gotong.activities.tests.factories import elderly, last_code, volunteer
from gotong.needs.models import Need
from gotong.registry.services import skill_defaults_ensure
from gotong.registry.tests.factories import OrganisationFactory
from gotong.transparency.selectors import log_verify

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("log_tables_flushable")]

PHONE = {"width": 390, "height": 844}
SCREENSHOT = "/tmp/e2e-scenario-a.png"  # noqa: S108


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (320, 240), (120, 170, 210))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 120, 150, 220), fill=(200, 160, 90))
    draw.ellipse((200, 40, 280, 120), fill=(230, 190, 150))
    image.save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def open_as(browser: Browser, live_server: Any) -> Iterator[Callable[[Any], Page]]:
    """A phone-sized browser page logged in as a user (officers TOTP-verified)."""
    contexts = []

    def open_page(user: Any) -> Page:
        session = client_for(user).cookies["sessionid"].value
        context = browser.new_context(
            base_url=live_server.url, locale="id-ID", viewport=PHONE, is_mobile=True
        )
        context.set_default_timeout(10_000)
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def _post_action(page: Page, action: str) -> None:
    page.locator(
        f"form:has(input[name='action'][value='{action}']) button[type='submit']"
    ).first.click()
    page.wait_for_load_state()


def _sign(page: Page, url: str, layer: str) -> None:
    page.goto(url)
    page.locator(f"button[name='layer'][value='{layer}']").click()
    page.wait_for_load_state()


def test_scenario_a_in_the_browser(
    open_as: Callable[[Any], Page],
    rt: Any,
    rt_same_rw: Any,
    rt_other_rw: Any,
    make_member: Callable[..., Any],
) -> None:
    kelurahan = rt.kelurahan
    skill_defaults_ensure(kelurahan=kelurahan)
    grandma = elderly(rt)
    rt_head = make_member(Role.KETUA_RT, rt)
    rw_head = make_member(Role.KETUA_RW, rt.rw)
    operator = make_member(Role.OPERATOR, kelurahan)
    driver = volunteer(rt, skills=("driver",))
    warung = OrganisationFactory(kelurahan=kelurahan, status="approved")
    verifiers = [
        volunteer(rt_other_rw).person.user,
        make_member(Role.KETUA_RT, rt_same_rw),
        make_member(Role.KOMITE_ETIKA, kelurahan),
    ]
    slug = kelurahan.slug

    # 1. The RT head raises the need as proxy and verifies it.
    as_rt = open_as(rt_head)
    as_rt.goto(f"/k/{slug}/rt/{rt.pk}/bantuan/ajukan/")
    form = as_rt.locator("main form")
    form.locator("select[name='category']").select_option("pangan")
    form.locator("select[name='urgency']").select_option("darurat")
    form.locator("textarea[name='description']").fill("Nenek sakit tinggal sendiri, butuh sembako")
    form.locator("input[name='needed_by']").fill(
        (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    )
    form.locator("select[name='beneficiary']").select_option(str(grandma.pk))
    form.locator("button[type='submit']").click()
    as_rt.wait_for_url(re.compile(r"/bantuan/\d+/$"))
    need = Need.objects.get()
    as_rt.locator("button[name='to'][value='verified']").click()
    as_rt.wait_for_load_state()

    # 2. The RW head approves and plans the delivery on the phone.
    as_rw = open_as(rw_head)
    as_rw.goto(f"/k/{slug}/bantuan/{need.pk}/")
    as_rw.locator("button[name='to'][value='approved']").click()
    as_rw.wait_for_load_state()
    as_rw.goto(f"/k/{slug}/kegiatan/baru/?need={need.pk}")
    form = as_rw.locator("main form")
    form.locator("select[name='kind']").select_option("delivery")
    form.locator("input[name='title']").fill("Antar sembako untuk nenek")
    start = timezone.localtime() + dt.timedelta(minutes=30)
    form.locator("input[name='starts_at']").fill(start.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name='ends_at']").fill(
        (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )
    expect(form.locator(f"input[name='needs'][value='{need.pk}']")).to_be_checked()
    form.locator("select[name='coordinator']").select_option(str(driver.pk))
    form.locator("select[name='slot_skill_1']").select_option(label="Sopir / pengantar")
    form.locator("input[name='slot_count_1']").fill("1")
    form.locator("select[name='resource_kind']").select_option("umkm_product")
    form.locator("input[name='resource_ref']").fill("paket-sembako-A")
    form.locator("select[name='resource_organisation']").select_option(str(warung.pk))
    form.locator("button[type='submit']").click()
    as_rw.wait_for_url(re.compile(r"/kegiatan/\d+/$"))
    activity = Activity.objects.get()
    url = f"/k/{slug}/kegiatan/{activity.pk}/"
    as_rw.locator("select[name='volunteer']").select_option(str(driver.pk))
    _post_action(as_rw, "invite")

    # 3. The volunteer accepts; the RT head starts; the volunteer checks in and photographs.
    as_driver = open_as(driver.person.user)
    as_driver.goto(url)
    as_driver.locator("button[name='action'][value='accept']").click()
    as_driver.wait_for_load_state()
    as_rt.goto(url)
    _post_action(as_rt, "start")
    as_driver.goto(url)
    _post_action(as_driver, "check_in")
    as_driver.locator("input[type='file'][name='file']").set_input_files(
        {"name": "serah-terima.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    )
    as_driver.locator("input[name='note']").fill("Paket diterima di rumah")
    as_driver.locator("form[enctype='multipart/form-data'] button[type='submit']").click()
    as_driver.wait_for_url(re.compile(r"/kegiatan/\d+/$"))

    # 4. The RT head records the delivery; the volunteer enters the recipient's code.
    as_rt.goto(url)
    _post_action(as_rt, "deliver")
    as_driver.goto(url)
    as_driver.locator("input[name='code']").fill(last_code(grandma.phone))
    _post_action(as_driver, "confirm_code")
    _post_action(as_driver, "check_out")
    need.refresh_from_db()
    assert need.status == "confirmed"

    # 5. Executor, RT, RW, then three independent verifiers sign.
    _sign(as_driver, url, "executor")
    _sign(as_rt, url, "rt")
    _sign(as_rw, url, "rw")
    for verifier in verifiers:
        _sign(open_as(verifier), url, "independent")
    activity.refresh_from_db()
    assert activity.status == "signed_off"

    # 6. The operator closes; the page links the public receipt.
    as_operator = open_as(operator)
    as_operator.goto(url)
    _post_action(as_operator, "close")
    receipt = as_operator.locator(f"a[href^='/k/{slug}/bukti/']").first
    expect(receipt).to_be_visible()
    as_operator.screenshot(path=SCREENSHOT, full_page=True)
    activity.refresh_from_db()
    need.refresh_from_db()
    assert activity.status == "closed" and need.status == "closed"
    assert log_verify(kelurahan=kelurahan).ok
