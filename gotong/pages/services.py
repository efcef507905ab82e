"""Use-cases of the policy pages:

- ``policy_page_update``: an operator (or the lurah) rewrites the words of the privacy
  policy or an SOP of their kelurahan; the public log records which page and its hash.
"""

import json
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import acting_role, permission_require
from gotong.core.exceptions import ValidationFailed
from gotong.territory.models import Kelurahan
from gotong.transparency.services import entry_record

from .content import DEFAULTS
from .models import PolicyPage

TITLE_MAX = 120
STEP_MAX = 1000


@transaction.atomic
def policy_page_update(
    *, actor: Any, kelurahan: Kelurahan, kind: str, title: str, intro: str, steps: list[str]
) -> PolicyPage:
    """Store the kelurahan's words for a policy page (one text per step) and log its hash."""
    if kind not in DEFAULTS:
        raise ValidationFailed(_("Unknown policy page."), {"field": "kind"})
    permission_require(actor, "pages.edit", kelurahan)
    title = (title or "").strip()
    intro = (intro or "").strip()
    texts = [t.strip() for t in steps if t and t.strip()]
    wanted = len(DEFAULTS[kind].steps)
    if not title or len(title) > TITLE_MAX:
        raise ValidationFailed(_("Give a title of at most 120 characters."), {"field": "title"})
    if len(texts) != wanted:
        raise ValidationFailed(
            _("Write exactly %(count)d steps, one per line.") % {"count": wanted},
            {"field": "steps"},
        )
    if any(len(t) > STEP_MAX for t in texts):
        raise ValidationFailed(_("A step has at most 1000 characters."), {"field": "steps"})
    page, _created = PolicyPage.objects.update_or_create(
        kelurahan=kelurahan,
        kind=kind,
        defaults={"title": title, "intro": intro, "steps": texts, "updated_by": actor},
    )
    text = json.dumps({"title": title, "intro": intro, "steps": texts}, ensure_ascii=False)
    entry_record(
        kelurahan=kelurahan,
        type="policy.updated",
        actor=actor,
        role=acting_role(actor, "pages.edit", kelurahan),
        subject=f"kelurahan:{kelurahan.pk}",
        data={"kind": kind, "text": text},
    )
    return page
