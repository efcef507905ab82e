"""What every lifecycle (needs, activities, ...) checks before a step, in one place.

Each app keeps its own transition table of ``Transition`` rules keyed by (from, to);
``transition_check`` finds the rule, refuses a step the table does not allow or a missing
reason, and keeps platform-only steps (``perm`` None) away from people.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from .exceptions import Conflict, PermissionDenied, ValidationFailed


@dataclass(frozen=True)
class Transition:
    """One allowed step: the permission it needs over the object's RT (None: the platform
    takes it), whether a reason is required, and whether the object's coordinator may take
    it without the permission."""

    perm: str | None
    reason_required: bool = False
    coordinator_may: bool = False


def transition_check(
    *,
    table: Mapping[tuple[str, str], Transition],
    statuses: type[TextChoices],
    current: str,
    target: str,
    reason: str,
    actor: Any,
    refused: Any,
) -> tuple[Transition, str]:
    """The rule for ``current -> target`` and the cleaned reason, or a clear refusal.

    ``refused`` is the message for a step the table does not allow, with ``%(current)s``
    and ``%(target)s`` placeholders (each app words it for its object).
    """
    rule = table.get((current, target))
    if rule is None:
        labels = dict(statuses.choices)
        raise Conflict(
            refused
            % {"current": labels.get(current, current), "target": labels.get(target, target)},
            {"field": "status", "current": current, "target": target},
        )
    reason = (reason or "").strip()
    if rule.reason_required and not reason:
        raise ValidationFailed(_("Give a reason for this step."), {"field": "reason"})
    if rule.perm is None and actor is not None:
        raise PermissionDenied(_("This step is taken by the platform when sign-offs are complete."))
    return rule, reason
