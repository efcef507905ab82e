"""Figures are written the Indonesian way on the dashboard (and the English way in English)."""

from django.utils import translation

from gotong.dashboard.selectors import value_display


def test_indonesian_figures_use_a_decimal_comma_and_jam() -> None:
    with translation.override("id"):
        assert value_display(23.84, "percent") == "23,8%"
        assert value_display(35.44, "hours") == "35,4 jam"
        assert value_display(1_234_567, "count") == "1.234.567"
        assert value_display(4.5, "stars") == "4,50 / 5"
        assert value_display(1_500_000, "rupiah") == "Rp 1.500.000"


def test_english_figures_use_a_decimal_point() -> None:
    with translation.override("en"):
        assert value_display(23.84, "percent") == "23.8%"
        assert value_display(35.44, "hours") == "35.4 h"
