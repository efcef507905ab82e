from django import forms
from django.utils.translation import gettext_lazy as _


class PolicyPageForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    intro = forms.CharField(label=_("Introduction"), required=False, widget=forms.Textarea)
    steps = forms.CharField(
        label=_("Steps"),
        help_text=_("One step per line, in order; each line keeps its link."),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
