from typing import Any

import pytest
from django.conf import settings

from gotong.territory.models import Kelurahan
from gotong.territory.tests.factories import RTFactory, RWFactory

pytestmark = pytest.mark.django_db


def test_the_only_kelurahan_is_the_start_page(client: Any, kelurahan: Kelurahan) -> None:
    assert client.get("/").url == "/k/taman/"


def test_several_kelurahan_are_listed(
    client: Any, kelurahan: Kelurahan, other_kelurahan: Kelurahan
) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert b"Kota Madiun" in page.content and b"Kabupaten Sidoarjo" in page.content


def test_an_empty_instance_says_how_to_set_up(client: Any, db: Any) -> None:
    assert b"kelurahan_create" in client.get("/").content


def test_home_page_shows_the_kelurahan_in_indonesian(
    client: Any, kelurahan: Kelurahan, django_assert_max_num_queries: Any
) -> None:
    RTFactory(rw=RWFactory(kelurahan=kelurahan, number=1), number=1)
    with django_assert_max_num_queries(6):
        page = client.get("/k/taman/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="id">' in html
    assert "Kota Madiun" in html and "35.77.03.1009" in html
    assert 'href="/masuk/' in html


def test_home_page_in_english_after_the_switch(client: Any, kelurahan: Kelurahan) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/k/taman/"})
    assert '<html lang="en">' in client.get("/k/taman/").content.decode()


def test_unknown_pages_get_the_indonesian_404(client: Any, kelurahan: Kelurahan) -> None:
    page = client.get("/k/tidak-ada/")
    assert page.status_code == 404
    assert "Halaman tidak ditemukan" in page.content.decode()


def test_security_headers(client: Any, kelurahan: Kelurahan) -> None:
    response = client.get("/k/taman/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "geolocation=(self)" in response.headers["Permissions-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_static_assets_are_served_by_the_app(client: Any) -> None:
    response = client.get("/static/web/vendor/htmx-2.0.11.min.js")
    assert response.status_code == 200


def test_openapi_schema_and_docs(client: Any) -> None:
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/k/{slug}/rw" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


def test_the_500_page_renders_without_context_or_static_manifest() -> None:
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "/static/web/css/app.css" in html


def test_the_favicon_is_the_logo(client: Any) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("web/img/logo.svg")


def test_make_run_serves_with_debug_off() -> None:
    """The demo is served like production: Indonesian 404/500 pages, never Django's URL list."""
    makefile = (settings.BASE_DIR / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\nserve:", 1)[0]
    assert "DJANGO_DEBUG=$${DJANGO_DEBUG:-0}" in run
