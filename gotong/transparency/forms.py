"""The evidence upload form (the page; the API takes the same fields, the subject as a
string)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import EVIDENCE_NOTE_MAX


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP, at most 10 MB. Take it on the spot if you can."),
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    subject = forms.ChoiceField(
        label=_("What is it evidence of?"),
        help_text=_("The activities and needs you may give evidence about."),
        error_messages={
            "invalid_choice": _(
                "Choose an activity or need from the list: you may not give evidence "
                "about this one."
            ),
            "required": _("Choose the activity or need this photo is evidence of."),
        },
    )
    note = forms.CharField(
        label=_("Note (private)"),
        required=False,
        max_length=EVIDENCE_NOTE_MAX,
        help_text=_(
            "Seen only by the team, the RT/RW heads and officers; the public log keeps its "
            "fingerprint. No phone, NIK or KK numbers."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: object, subjects: list[tuple[str, str]], **kwargs: object) -> None:
        """``subjects``: (subject, label) the user may give evidence about (the registry's
        ``evidence_subject_choices``); anything else posted is a field error."""
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["subject"].choices = [("", _("Choose…")), *subjects]  # type: ignore[attr-defined]
