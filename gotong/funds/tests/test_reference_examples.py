"""The payment reference examples shown to treasurers are real-looking references that the
matcher would accept, not a placeholder (issue 15 item 14)."""

from pathlib import Path

from gotong.funds.forms import RecordForm
from gotong.funds.services.donations import REFERENCE_RE

STATEMENTS_TEMPLATE = Path(__file__).parents[1] / "templates" / "funds" / "statements.html"


def test_the_record_form_gives_a_reference_the_matcher_accepts() -> None:
    help_text = str(RecordForm.base_fields["reference"].help_text)
    assert "XXXXXX" not in help_text
    assert REFERENCE_RE.search(help_text)


def test_the_statements_page_gives_a_real_looking_reference() -> None:
    text = STATEMENTS_TEMPLATE.read_text()
    assert "GR-XXXXXX" not in text
    assert REFERENCE_RE.search(text)
