"""Home page speed and weight for a low-end phone on slow data.

Builds a throw-away SQLite database with the demo, then prints:
  home_page_median_ms, home_page_p90_ms: server time for /k/taman/ (Django test client)
  home_page_queries: database queries per request
  home_page_html_bytes, home_page_gzip_bytes: HTML size, raw and gzip-compressed
  home_page_assets_gzip_bytes: CSS + JS the page loads, gzip-compressed
Targets: under 50 ms median on this machine; HTML + assets under 60 kB gzip in all.
"""

import gzip
import statistics
import time

from _common import ROOT, demo_database_drop, demo_django, demo_seed

demo_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

ROUNDS = 200


def main() -> None:
    demo_seed(collectstatic=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.get("/k/taman/")  # warm caches and translations
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get("/k/taman/")
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/k/taman/").content
    static = ROOT / "gotong" / "web" / "static" / "web"
    assets = [static / "css" / "app.css", static / "vendor" / "htmx-2.0.11.min.js"]
    assets_gzip = sum(len(gzip.compress(p.read_bytes())) for p in assets)
    print(f"home_page_median_ms: {statistics.median(timings):.2f}")
    print(f"home_page_p90_ms: {statistics.quantiles(timings, n=10)[-1]:.2f}")
    print(f"home_page_queries: {len(queries)}")
    print(f"home_page_html_bytes: {len(html)}")
    print(f"home_page_gzip_bytes: {len(gzip.compress(html))}")
    print(f"home_page_assets_gzip_bytes: {assets_gzip}")
    demo_database_drop()


if __name__ == "__main__":
    main()
