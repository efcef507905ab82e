"""Forms of the matching pages: confirm or edit, reject, the policy."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import engine

PART_LABELS = {
    "urgency": _("Urgency"),
    "vulnerability": _("Vulnerability (registry)"),
    "waiting": _("Waiting time"),
    "distance": _("Distance"),
    "skill_fit": _("Skill fit"),
    "reputation": _("Reputation (ratings)"),
    "fairness": _("Fairness (helped recently ranks lower)"),
}


class ConfirmForm(forms.Form):
    volunteer = forms.TypedChoiceField(label=_("Volunteer"), coerce=int)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].choices = choices  # type: ignore[attr-defined]


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, min_length=3)


class PolicyForm(forms.Form):
    radius_km = forms.FloatField(label=_("Radius (km)"), min_value=0.1, max_value=50)
    fairness_days = forms.IntegerField(
        label=_("Fairness window (days)"), min_value=1, max_value=365
    )
    invitation_timeout_hours = forms.IntegerField(
        label=_("Hours a volunteer has to answer"), min_value=1, max_value=336
    )
    round_interval_hours = forms.IntegerField(
        label=_("Scheduled round every (hours, 0 = only by hand)"), min_value=0, max_value=720
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for part in engine.PARTS:
            # No min_value here: the service refuses negative or all-zero weights with its
            # own message, the same as the API.
            self.fields[f"weight_{part}"] = forms.FloatField(
                label=_("Weight: %(part)s") % {"part": PART_LABELS[part]}
            )

    def weights(self) -> dict[str, float]:
        return {p: self.cleaned_data[f"weight_{p}"] for p in engine.PARTS}
