import pytest
from django.core.exceptions import ValidationError

from gotong.accounts.phone import phone_display, phone_mask, phone_normalize


@pytest.mark.parametrize(
    "raw",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "+6281234567890",
        "6281234567890",
        "+62 812 3456 7890",
        "(0812) 34567890",
    ],
)
def test_indonesian_mobile_numbers_in_every_usual_form_become_e164(raw: str) -> None:
    assert phone_normalize(raw) == "+6281234567890"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "phone_empty"),
        ("abc", "phone_empty"),
        ("+14155550100", "phone_country"),
        ("08123", "phone_invalid"),
        ("0812345678901234", "phone_invalid"),
        ("0215551234", "phone_not_mobile"),
    ],
)
def test_other_numbers_are_refused_with_the_reason(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        phone_normalize(raw)
    assert exc.value.code == code


def test_numbers_are_masked_and_displayed_in_national_form() -> None:
    assert phone_mask("+6281234567890") == "+62812****7890"
    assert phone_display("+6281234567890") == "0812-3456-7890"
