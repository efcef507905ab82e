import pytest
from django.core.exceptions import ValidationError

from gotong.territory.validators import region_code_normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("35.77.03.1009", "35.77.03.1009"),
        ("3577031009", "35.77.03.1009"),
        (" 35.15.13.1005 ", "35.15.13.1005"),
        ("35.15.13.2001", "35.15.13.2001"),
    ],
)
def test_region_code_is_normalised_to_dotted_form(raw: str, expected: str) -> None:
    assert region_code_normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("35.77.03", "region_code_format"),
        ("35-77-03-1009", "region_code_format"),
        ("357703100", "region_code_format"),
        ("35.77.03.10091", "region_code_format"),
        ("ab.cd.ef.ghij", "region_code_format"),
        ("", "region_code_format"),
        ("00.77.03.1009", "region_code_zero"),
        ("35.77.00.1009", "region_code_zero"),
        ("35.77.03.3009", "region_code_village"),
    ],
)
def test_bad_region_codes_say_which_part_is_wrong(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        region_code_normalize(raw)
    assert exc.value.code == code
