"""Open data: CSV and JSON parse and match the page; reports; tenant isolation."""

import csv
import io
import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from gotong.dashboard import selectors, services
from gotong.dashboard.suppression import SUPPRESSED
from gotong.dashboard.tests.factories import hand_built

pytestmark = pytest.mark.django_db


def _page_values(html: str) -> dict[str, str]:
    return {
        code: unescape(value)
        for code, value in re.findall(r'data-kpi="([a-z0-9_]+)" data-value="([^"]*)"', html)
    }


def test_csv_and_json_parse_and_match_the_page(rt: Any) -> None:
    hand_built(rt)
    services.snapshot_refresh(kelurahan=rt.kelurahan)
    client = Client()
    slug = rt.kelurahan.slug
    page = _page_values(client.get(f"/k/{slug}/dasbor/").content.decode())
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/k/{slug}/dasbor/data/kpi.csv").content.decode()))
    )
    body = client.get(f"/k/{slug}/dasbor/data/kpi.json").json()
    api = client.get(f"/api/v1/k/{slug}/dashboard/kpis").json()

    assert page and len(rows) == len(page) == len(body["rows"]) == len(api)
    for row, item, api_item in zip(rows, body["rows"], api, strict=True):
        assert (
            page[row["code"]]
            == row["value"]
            == ("" if item["value"] is None else str(item["value"]))
        )
        assert api_item["value"] == item["value"]
    assert page["needs_closed"] == SUPPRESSED  # three households: suppressed
    assert [c["name"] for c in body["columns"]] == list(rows[0])


def test_needs_tables_on_the_page_match_the_dataset(rt: Any) -> None:
    hand_built(rt)
    services.snapshot_refresh(kelurahan=rt.kelurahan)
    slug = rt.kelurahan.slug
    rows = Client().get(f"/k/{slug}/dasbor/data/needs_by_rw.json").json()["rows"]
    html = Client().get(f"/k/{slug}/dasbor/").content.decode()
    for row in rows:
        cells = "".join(
            f'<td class="num" data-cell="{k}">{row[k]}</td>'.replace("<5", "&lt;5")
            for k in ("raised", "matched", "delivered", "closed")
        )
        assert cells in html


def test_every_dataset_downloads_in_both_formats(rt: Any) -> None:
    hand_built(rt)
    client = Client()
    for name, meta in selectors.DATASETS.items():
        text = client.get(f"/k/{rt.kelurahan.slug}/dasbor/data/{name}.csv").content.decode()
        header = next(csv.reader(io.StringIO(text)))
        assert header == [c for c, _t, _d in meta["columns"]]
        assert client.get(f"/k/{rt.kelurahan.slug}/dasbor/data/{name}.json").json()["rows"]
    dictionary = client.get(f"/k/{rt.kelurahan.slug}/dasbor/data/kamus.json").json()
    assert "service_minutes" in {k["code"] for k in dictionary["not_yet_published"]}
    assert "umkm_turnover" not in {k["code"] for k in dictionary["not_yet_published"]}


def test_monthly_report_html_and_pdf_show_the_signed_tree_head(rt: Any) -> None:
    from gotong.transparency.services import entry_record, tree_head_publish

    hand_built(rt)
    entry_record(kelurahan=rt.kelurahan, type="rw.created", actor=None, subject="test:1")
    head = tree_head_publish(kelurahan=rt.kelurahan)
    services.snapshot_refresh(kelurahan=rt.kelurahan)
    month = selectors.report_months(kelurahan=rt.kelurahan)[0]
    client = Client()
    html = client.get(f"/k/{rt.kelurahan.slug}/dasbor/laporan/{month}/").content.decode()
    assert bytes(head.root_hash).hex() in html
    pdf = client.get(f"/k/{rt.kelurahan.slug}/dasbor/laporan/{month}.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and pdf.content.rstrip().endswith(b"%%EOF")
    assert client.get(f"/k/{rt.kelurahan.slug}/dasbor/laporan/1999-01/").status_code == 404


def test_no_other_kelurahan_rows_leak(rt: Any, other_kelurahan: Any, make_member, login) -> None:
    from gotong.accounts.models import Role
    from gotong.territory.tests.factories import RTFactory, RWFactory

    hand_built(rt)
    other_rt = RTFactory(rw=RWFactory(kelurahan=other_kelurahan, number=7), number=1)
    services.snapshot_refresh(kelurahan=rt.kelurahan)
    services.snapshot_refresh(kelurahan=other_kelurahan)
    other = selectors.snapshot_get(kelurahan=other_kelurahan)
    assert other is not None
    values = {k["code"]: k["value"] for k in other["kpis"]}
    assert values["needs_raised"] == 0 and values["activities_90d"] == 0
    assert [r["rw"] for r in other["by_rw"]] == ["7"]
    assert selectors.dataset_rows(kelurahan=other_kelurahan, name="needs_by_rw") == [
        {"rw": "7", "raised": 0, "matched": 0, "delivered": 0, "closed": 0}
    ]
    operator = make_member(Role.OPERATOR, other_kelurahan)
    operator.is_verified = lambda: True  # as after a TOTP login
    view = selectors.officer_view(kelurahan=other_kelurahan, user=operator)
    assert view["per_rt"] == [] and view["breaches"] == []
    assert other_rt.pk not in {
        r["rt_id"]
        for r in selectors.officer_view(
            kelurahan=rt.kelurahan, user=make_member(Role.OPERATOR, rt.kelurahan)
        )["per_rt"]
    }


def test_rt_head_sees_only_their_rt_on_the_officer_dashboard(
    rt: Any, rt_other_rw: Any, make_member
) -> None:
    from gotong.accounts.models import Role
    from gotong.accounts.tests.factories import UserFactory

    from .factories import household, need

    hand_built(rt)
    need(
        rt_other_rw,
        household(rt_other_rw),
        status="submitted",
        hours=None,
        raiser=UserFactory(),
        days_ago=30,
    )
    services.snapshot_refresh(kelurahan=rt.kelurahan)
    head = make_member(Role.KETUA_RT, rt)
    view = selectors.officer_view(kelurahan=rt.kelurahan, user=head)
    assert {r["rt_id"] for r in view["per_rt"]} == {rt.pk}
    operator = make_member(Role.OPERATOR, rt.kelurahan)
    operator.is_verified = lambda: True  # as after a TOTP login
    everything = selectors.officer_view(kelurahan=rt.kelurahan, user=operator)
    assert {r["rt_id"] for r in everything["per_rt"]} == {rt.pk, rt_other_rw.pk}
    assert any(b["rt_id"] == rt_other_rw.pk for b in everything["breaches"])
