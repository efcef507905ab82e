"""The portal's own policies: the privacy policy and the SOPs, one editable text per
kelurahan and kind. Until a kelurahan writes its own, the page shows the platform's text
(``content.py``); the links of each step are fixed in code, the words are not."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gotong.core.models import BaseModel


class PolicyKind(models.TextChoices):
    PRIVACY = "privacy", _("Privacy policy")
    SOP_NEED = "sop_need", _("SOP: asking for help")
    SOP_DONATION = "sop_donation", pgettext_lazy("policy page", "SOP: managing donations")


class PolicyPage(BaseModel):
    """The words of one policy page of a kelurahan: a title, an introduction and its steps
    (one text per step, in the order the code links them)."""

    kelurahan = models.ForeignKey(
        "territory.Kelurahan", on_delete=models.PROTECT, related_name="policy_pages"
    )
    kind = models.CharField(max_length=20, choices=PolicyKind.choices)
    title = models.CharField(max_length=120)
    intro = models.TextField(blank=True)
    steps = models.JSONField(default=list)
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kelurahan", "kind"], name="policy_page_one_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kelurahan_id}:{self.kind}"
