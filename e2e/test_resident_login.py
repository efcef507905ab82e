"""A demo resident logs in with the code delivered through the file notification backend."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("log_tables_flushable")]

RESIDENT_TYPED = "0813 0101 001"
RESIDENT_STORED = "+628130101001"
# A fixed, well-known path so people can look at the result; it holds only synthetic data.
SCREENSHOT = "/tmp/e2e-home.png"  # noqa: S108


def _last_code(recipient: str) -> str:
    outbox = Path(settings.GOTONG_NOTIFICATION_FILE_DIR) / f"{recipient.lstrip('+')}.jsonl"
    assert outbox.exists(), f"no message was written to {outbox}"
    last = outbox.read_text(encoding="utf-8").strip().splitlines()[-1]
    body = json.loads(last)["body"]
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", body)
    assert match, f"no 6-digit code in the message body: {body!r}"
    return match.group(1)


def test_resident_logs_in_with_code_from_file_backend(page: Page, live_server) -> None:
    call_command("seed_demo", "--quiet")

    page.goto("/masuk/")
    form = page.locator("main form")
    form.locator("input[name='phone']").fill(RESIDENT_TYPED)
    form.locator("button[type='submit']").click()
    page.wait_for_url(re.compile(r"/masuk/kode/$"))

    code = _last_code(RESIDENT_STORED)
    form = page.locator("main form")
    form.locator("input[name='code']").fill(code)
    form.locator("button[type='submit']").click()

    page.wait_for_url(f"{live_server.url}/k/taman/")
    expect(page.locator("h1")).to_contain_text("Taman")
    logout = page.locator("header form[action='/keluar/'] button[type='submit']")
    expect(logout).to_be_visible()
    page.screenshot(path=SCREENSHOT, full_page=True)
