import datetime as dt

import pytest
from django.utils import translation

from gotong.core.exceptions import ValidationFailed
from gotong.registry.identity import kk_clean, nik_clean, nik_compose, nik_parse

TODAY = dt.date(2026, 1, 15)


def test_a_womans_nik_adds_40_to_the_day_and_gives_her_birth_date() -> None:
    nik, parts = nik_parse("3577035403850001", today=TODAY)

    assert nik == "3577035403850001"
    assert parts.sex == "F"
    assert parts.birth_date == dt.date(1985, 3, 14)
    assert parts.region == "357703"


def test_spaces_and_dots_people_type_are_ignored() -> None:
    assert nik_clean("3577 0314 0385 0001") == "3577031403850001"


def test_a_two_digit_year_after_this_year_is_last_century() -> None:
    _, parts = nik_parse("3577030101300001", today=TODAY)
    assert parts.birth_date == dt.date(1930, 1, 1)


@pytest.mark.parametrize(
    ("value", "part", "words"),
    [
        ("357703140385001", "length", "16 digits"),
        ("35770314038500A1", "length", "16 digits"),
        ("9977031403850001", "region", "digits 1-2"),
        ("3599031403850001", "region", "digits 3-4"),
        ("3577993140385000", "region", "digits 5-6"),
        ("3577033202850001", "birth_date", "digits 7-12"),
        ("3577031413850001", "birth_date", "digits 7-12"),
        ("3577031403850000", "serial", "last 4 digits"),
        ("3577031401990001", "birth_date", "digits 7-12"),
    ],
)
def test_a_bad_nik_is_refused_naming_the_wrong_part(value: str, part: str, words: str) -> None:
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        nik_parse(value, today=dt.date(1998, 1, 1))

    assert refused.value.extra == {"field": "nik", "part": part}
    assert words in str(refused.value.message)
    assert value not in str(refused.value.message)


def test_the_nik_must_match_the_recorded_sex_and_birth_date() -> None:
    with pytest.raises(ValidationFailed) as wrong_sex:
        nik_clean("3577031403850001", sex="F")
    with pytest.raises(ValidationFailed) as wrong_date:
        nik_clean("3577031403850001", birth_date=dt.date(1985, 3, 15))

    assert wrong_sex.value.extra["part"] == "sex"
    assert wrong_date.value.extra["part"] == "birth_date"
    assert nik_clean("3577031403850001", sex="M", birth_date=dt.date(1985, 3, 14))


def test_kk_numbers_need_16_digits_and_a_known_region() -> None:
    assert kk_clean("3577-0301-0120-0003") == "3577030101200003"
    for bad, part in [("35770301012000", "length"), ("0077030101200003", "region")]:
        with pytest.raises(ValidationFailed) as refused:
            kk_clean(bad)
        assert refused.value.extra == {"field": "kk_number", "part": part}


def test_composed_niks_validate() -> None:
    nik = nik_compose(region="357703", birth_date=dt.date(2001, 12, 31), sex="F", serial=42)
    assert nik_parse(nik)[1].birth_date == dt.date(2001, 12, 31)
