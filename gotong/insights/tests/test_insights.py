"""Insights: the score is the sum of its explained parts; the early-warning list; every
use of a score is a person's logged decision; the forecast is validated."""

import json
import random
from typing import Any

import pytest
from django.test import Client

from gotong.accounts.models import Role
from gotong.core.exceptions import PermissionDenied, ValidationFailed
from gotong.dashboard.tests.factories import household
from gotong.insights import forecast, selectors, services
from gotong.insights.models import ScoreReview
from gotong.insights.score import household_score
from gotong.registry.services import person_update
from gotong.transparency.models import LogEntry

pytestmark = pytest.mark.django_db


def test_the_score_is_the_sum_of_the_parts_it_shows() -> None:
    score = household_score(
        members=[
            {"is_elderly": True, "welfare_decile": 2},
            {"lost_job": True, "has_chronic_illness": True, "welfare_decile": 5},
        ],
        size=6,
        days_since_aid=None,
        waiting_needs=1,
    )
    assert {p.code: p.points for p in score.parts} == {
        "elderly": 15,
        "chronic_illness": 15,
        "lost_job": 20,
        "decile_1_2": 15,
        "large_household": 5,
        "no_aid_for_long": 10,
    }
    assert score.total == sum(p.points for p in score.parts) == 80


def _officer(make_member: Any, role: Role, unit: Any) -> Any:
    user = make_member(role, unit)
    user.is_verified = lambda: True  # as after a TOTP login
    return user


def test_early_warning_lists_changed_households_outside_dtks(
    rt: Any, rt_other_rw: Any, make_member
) -> None:
    operator = _officer(make_member, Role.OPERATOR, rt.kelurahan)
    changed = household(rt, dtks_listed="no")
    listed = household(rt, dtks_listed="yes")
    quiet = household(rt, dtks_listed="no", is_elderly=True)
    elsewhere = household(rt_other_rw, dtks_listed="no")
    for home in (changed, listed, elsewhere):
        person_update(
            actor=operator,
            person=home.head,
            changes={"lost_job": True, "has_chronic_illness": True},
        )

    everyone = selectors.early_warning_list(kelurahan=rt.kelurahan, user=operator)
    rt_head_view = selectors.early_warning_list(
        kelurahan=rt.kelurahan, user=make_member(Role.KETUA_RT, rt)
    )

    assert [i.household.pk for i in everyone] == sorted([changed.pk, elsewhere.pk])
    assert listed.pk not in {i.household.pk for i in everyone}  # already in DTKS
    assert quiet.pk not in {i.household.pk for i in everyone}  # nothing changed
    assert [i.household.pk for i in rt_head_view] == [changed.pk]  # their RT only
    assert set(everyone[0].changes) == {"lost_job", "chronic_illness"}


def test_using_a_score_is_a_persons_logged_decision(rt: Any, make_member, login) -> None:
    operator = _officer(make_member, Role.OPERATOR, rt.kelurahan)
    home = household(rt, dtks_listed="no")
    person_update(
        actor=operator, person=home.head, changes={"lost_job": True, "has_chronic_illness": True}
    )
    rt_head = make_member(Role.KETUA_RT, rt)

    review = services.score_review_record(
        actor=rt_head, household=home, purpose="early_warning", decision="confirmed"
    )

    assert review.score_total == 35 and review.reviewed_by == rt_head
    assert review.log_index is not None
    entry = LogEntry.objects.get(kelurahan=rt.kelurahan, index=review.log_index)
    body = json.loads(entry.body)
    assert body["type"] == "insights.score_reviewed"
    assert body["data"] == {
        "purpose": "early_warning",
        "decision": "confirmed",
        "score": 35,
        "model": "v1",
        "rw": rt.rw.number,
    }
    assert "chronic" not in entry.body  # health details stay private
    with pytest.raises(ValidationFailed):
        services.score_review_record(
            actor=rt_head, household=home, purpose="early_warning", decision="dismissed"
        )
    with pytest.raises(PermissionDenied):
        services.score_review_record(
            actor=make_member(Role.WARGA, rt),
            household=home,
            purpose="priority",
            decision="confirmed",
        )
    assert ScoreReview.objects.count() == 1
    response = login(rt_head).post(
        f"/api/v1/k/{rt.kelurahan.slug}/insights/households/{home.pk}/reviews",
        data={"purpose": "priority", "decision": "dismissed", "note": "sudah dibantu keluarga"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert ScoreReview.objects.count() == 2


def test_the_review_page_shows_the_parts_and_the_forecast_verdict(
    rt: Any, make_member, login
) -> None:
    operator = _officer(make_member, Role.OPERATOR, rt.kelurahan)
    home = household(rt, dtks_listed="no")
    person_update(
        actor=operator,
        person=home.head,
        changes={"lost_job": True, "is_pregnant": False, "has_chronic_illness": True},
    )
    page = login(make_member(Role.KETUA_RT, rt)).get(f"/k/{rt.kelurahan.slug}/wawasan/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"household-{home.pk}" in html and 'data-verdict="' in html
    assert (
        login(make_member(Role.WARGA, rt)).get(f"/k/{rt.kelurahan.slug}/wawasan/").status_code
        == 403
    )
    assert Client().get(f"/k/{rt.kelurahan.slug}/wawasan/").status_code == 302


def test_the_forecast_beats_the_naive_baseline_on_noisy_steady_demand() -> None:
    rng = random.Random(7)
    series = {
        (str(rw), "pangan"): [rng.choice([1, 2, 3, 4, 5]) for _w in range(16)]
        for rw in range(1, 31)
    }
    result = forecast.validate(series)
    assert result.mae_model < result.mae_naive and result.verdict == "beats"


def test_the_forecast_says_so_when_it_does_not_beat_the_baseline() -> None:
    trend = {("1", "pangan"): list(range(16))}  # a steady rise: last week is the better guess
    result = forecast.validate(trend)
    assert result.mae_naive < result.mae_model and result.verdict == "worse"
    assert forecast.validate({("1", "x"): [2] * 10}).verdict == "ties"


def test_forecast_selector_counts_needs_per_week_rw_and_category(
    rt: Any, other_kelurahan: Any
) -> None:
    from gotong.accounts.tests.factories import UserFactory
    from gotong.dashboard.tests.factories import need

    raiser = UserFactory()
    for days in (3, 10, 10, 17):
        need(rt, household(rt), status="submitted", hours=None, raiser=raiser, days_ago=days)
    data = selectors.demand_forecast(kelurahan=rt.kelurahan)
    assert sum(data["series"][(str(rt.rw.number), "pangan")]) == 4
    assert selectors.demand_forecast(kelurahan=other_kelurahan)["series"] == {}
