"""Amounts are typed the Indonesian way and never misread."""

import pytest

from gotong.core.forms import RupiahField
from gotong.core.money import rupiah_format, rupiah_parse


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("50.000", 50_000),
        ("50000", 50_000),
        ("Rp 50.000", 50_000),
        ("rp50.000", 50_000),
        ("Rp. 1.500.000", 1_500_000),
        ("  25000 ", 25_000),
        ("750", 750),
    ],
)
def test_indonesian_amounts_are_read_as_typed(typed: str, amount: int) -> None:
    assert rupiah_parse(typed) == amount


@pytest.mark.parametrize(
    "typed", ["50,5", "50.5", "50.00", "5.0000", "50.000,00", "-5000", "lima ribu", "", "Rp"]
)
def test_anything_else_is_not_an_amount(typed: str) -> None:
    assert rupiah_parse(typed) is None


def test_the_field_refuses_a_decimal_comma_with_a_clear_message() -> None:
    field = RupiahField(min_value=1)
    assert field.clean("50.000") == 50_000
    with pytest.raises(Exception, match="whole rupiah"):
        field.clean("50,5")


def test_the_field_keeps_its_minimum() -> None:
    field = RupiahField(min_value=1000)
    with pytest.raises(Exception, match="1000|1.000"):
        field.clean("500")


def test_the_box_shows_an_amount_with_thousands_dots() -> None:
    html = RupiahField().widget.render("amount", 50_000)
    assert 'value="50.000"' in html
    assert 'inputmode="numeric"' in html
    assert rupiah_format(50_000) == "Rp 50.000"
