"""The evidence upload form (the page; the API takes the same fields)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import EVIDENCE_NOTE_MAX, EVIDENCE_SUBJECT


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP, at most 10 MB. Take it on the spot if you can."),
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    subject = forms.RegexField(
        label=_("What is it evidence of?"),
        regex=EVIDENCE_SUBJECT,
        max_length=96,
        help_text=_("The activity or need number, for example activity:12 or need:3."),
        error_messages={"invalid": _("The subject must look like activity:12 or need:3.")},
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
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
