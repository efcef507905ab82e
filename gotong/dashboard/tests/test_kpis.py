"""Each KPI computed on a hand-built data set gives the expected number."""

from typing import Any

import pytest

from gotong.dashboard import selectors, services

from .factories import hand_built

pytestmark = pytest.mark.django_db


def test_every_kpi_has_the_expected_value_on_the_hand_built_data(rt: Any) -> None:
    data = hand_built(rt)

    snapshot = services.snapshot_refresh(kelurahan=rt.kelurahan)

    values = {k["code"]: k["value"] for k in snapshot.public["kpis"]}
    for code, expected in data.expected.items():
        if code == "delivery_p90_high":
            assert snapshot.public["delivery"]["tinggi"]["p90"] == expected
            continue
        assert values[code] == expected, code
    assert snapshot.public["delivery"]["tinggi"]["within"] == 80.0  # 4 of 5 under 48 h
    assert snapshot.public["delivery"]["sedang"]["p50"] is None  # nothing delivered
    assert values["open_data_index"] == round(
        100 * sum(k.published for k in selectors.kpis.CATALOGUE) / len(selectors.kpis.CATALOGUE), 1
    )


def test_targets_are_checked(rt: Any) -> None:
    hand_built(rt)
    snapshot = services.snapshot_refresh(kelurahan=rt.kelurahan)
    meets = {k["code"]: k["meets"] for k in snapshot.public["kpis"]}
    assert meets["delivery_hours_high"] is True  # 30 h < 48 h
    assert meets["evidence_complete"] is False  # 80% < 95%
    assert meets["rating_average"] is True  # 4.2 >= 4
    assert meets["verifiers_per_activity"] is False  # 2.8 < 3
    assert meets["activities_90d"] is False  # 5 < 30
    assert meets["needs_raised"] is None  # informative


def test_the_refresh_task_only_recomputes_when_the_log_grew(rt: Any) -> None:
    hand_built(rt)
    assert services.snapshots_refresh_due() >= 1
    assert services.snapshots_refresh_due() == 0


def test_umkm_growth_comes_from_the_market_and_is_checked_against_15_percent(
    rt: Any, monkeypatch: Any
) -> None:
    hand_built(rt)
    monkeypatch.setattr("gotong.dashboard.figures.umkm_growth_total", lambda kelurahan: 18.5)
    kpis = {k["code"]: k for k in services.snapshot_refresh(kelurahan=rt.kelurahan).public["kpis"]}
    assert kpis["umkm_turnover"]["value"] == 18.5 and kpis["umkm_turnover"]["meets"] is True
    monkeypatch.setattr("gotong.dashboard.figures.umkm_growth_total", lambda kelurahan: None)
    kpis = {k["code"]: k for k in services.snapshot_refresh(kelurahan=rt.kelurahan).public["kpis"]}
    assert kpis["umkm_turnover"]["value"] is None  # no baseline yet: nothing to show
