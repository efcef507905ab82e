"""Bahasa Indonesia unless the person chose English, whatever the phone's language is."""

from django.conf import settings
from django.test import Client

from gotong.territory.models import RT


def test_a_phone_set_to_english_still_gets_indonesian(rt: RT) -> None:
    page = Client().get("/k/taman/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9,id;q=0.8")
    assert page["Content-Language"] == "id"
    assert b"Minta bantuan" in page.content and b"Ask for help" not in page.content


def test_choosing_english_in_the_footer_switches_and_stays(rt: RT) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/k/taman/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/k/taman/")
    assert page["Content-Language"] == "en" and b"Ask for help" in page.content


def test_an_unknown_language_cookie_falls_back_to_indonesian(rt: RT) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert client.get("/k/taman/")["Content-Language"] == "id"
