"""What each policy page says until the kelurahan writes its own, and where each step
happens (URL names; every one takes the kelurahan's ``slug``)."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import PolicyKind


@dataclass(frozen=True)
class Step:
    """A step of a policy page: its default words and the page where it happens."""

    text: str | Promise
    url_name: str = ""


@dataclass(frozen=True)
class PolicyDefault:
    title: str | Promise
    intro: str | Promise
    steps: tuple[Step, ...]


DEFAULTS: dict[str, PolicyDefault] = {
    PolicyKind.PRIVACY: PolicyDefault(
        title=_("Privacy policy"),
        intro=_("How the kelurahan's mutual-aid platform uses your data, in three points."),
        steps=(
            Step(
                _(
                    "What data: your name, phone number, RT, household and, only when you "
                    "ask for help, what you need. Identity numbers (NIK, KK) are stored "
                    "encrypted and shown only to the officers who must check them."
                ),
                "registry:me",
            ),
            Step(
                _(
                    "Why: to verify and deliver help, to match volunteers and UMKM to needs, "
                    "and to publish anonymous figures. Each use needs your consent for that "
                    "purpose; the public log never holds your name, phone or NIK."
                ),
                "transparency:log",
            ),
            Step(
                _(
                    "Your rights: see your data and who looked at it, correct it, have it "
                    "erased, withdraw a consent, and object to an automated decision. Ask on "
                    "the data request page or at the kelurahan office; you get an answer "
                    "within 3 x 24 hours."
                ),
                "registry:me",
            ),
        ),
    ),
    PolicyKind.SOP_NEED: PolicyDefault(
        title=_("SOP: asking for help"),
        intro=_("How a request for help goes from the form to the final check."),
        steps=(
            Step(_("The resident (or the RT head for them) fills in the form."), "needs:submit"),
            Step(_("The RT head verifies the request."), "needs:mine"),
            Step(_("The RW head approves it."), "needs:mine"),
            Step(_("Volunteers, UMKM or funds deliver the help."), "activities:list"),
            Step(_("The team documents the delivery with photos."), "transparency:evidence_upload"),
            Step(
                _("The RT, the RW and independent verifiers sign it off; it is published."),
                "activities:queue",
            ),
        ),
    ),
    PolicyKind.SOP_DONATION: PolicyDefault(
        title=_("SOP: managing donations"),
        intro=_("How a donation goes from your transfer to the published proof."),
        steps=(
            Step(
                _("The donor transfers to the kelurahan's account or a campaign's account."),
                "funds:campaigns",
            ),
            Step(
                _("The treasurer records and reports every receipt and spending."),
                "dashboard:reports",
            ),
            Step(
                _("The proof of distribution is published in the public log."), "transparency:log"
            ),
        ),
    ),
}
