"""The API docs (Swagger UI) load only the app's own assets, all allowed by the site's CSP."""

from html.parser import HTMLParser
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href"):
            if found.get(name):
                self.urls.append(str(found[name]))
        if tag == "script" and not found.get("src"):
            self.inline_scripts.append(found)


def test_the_docs_page_references_no_external_url_and_the_csp_allows_its_assets(
    client: Any,
) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = _Assets()
    assets.feed(html)
    assert assets.urls, "the page loads Swagger UI's script and stylesheet"
    assert all(url.startswith("/") and not url.startswith("//") for url in assets.urls)
    assert "cdn" not in html.lower()
    # The only script without src is the settings block, which browsers never run.
    assert [s.get("type") for s in assets.inline_scripts] == ["application/json"]
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    for url in assets.urls:
        assert client.get(url).status_code == 200, url


def test_the_docs_settings_point_at_the_schema_and_turn_off_the_external_validator(
    client: Any,
) -> None:
    html = client.get("/api/docs").content.decode()
    assert '"url": "/api/openapi.json"' in html
    assert '"validatorUrl": null' in html
