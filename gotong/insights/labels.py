"""Words for the score's factors and the early-warning signals (shown to reviewers)."""

from django.utils.translation import gettext_lazy as _

FACTOR_LABELS = {
    "elderly": _("elderly member"),
    "disability": _("member with a disability"),
    "chronic_illness": _("member with a chronic illness"),
    "pregnant": _("pregnant member"),
    "child_under_five": _("child under five"),
    "lost_job": _("member lost their job"),
    "decile_1_2": _("welfare decile 1-2"),
    "decile_3_4": _("welfare decile 3-4"),
    "large_household": _("six or more people"),
    "no_aid_for_long": _("waiting for help, none delivered in 90 days"),
    "birth": _("a birth (new child under five)"),
}
