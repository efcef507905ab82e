"""Sign-off: executor -> RT -> RW, plus K independent verifiers; the signature that
completes the proof signs the activity and its needs off."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Role
from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import Conflict, PermissionDenied, ValidationFailed

from .. import checks
from ..models import Activity, ActivityStatus, Layer, SignOff
from ..selectors import activity_policy
from ._common import _heads, _is_coordinator, _locked, _log, _notify, _prefetched
from .lifecycle import activity_transition


def _signoff_check(actor: Any, activity: Activity, layer: str) -> str:
    """Who may sign this layer now; returns the role for the log. Raises with the reason."""
    policy = activity_policy(kelurahan=activity.kelurahan)
    full = _prefetched(activity)
    state = checks.completeness(full, policy)
    if layer == Layer.EXECUTOR:
        if not _is_coordinator(actor, activity):
            raise PermissionDenied(_("Only the activity's coordinator signs as the executor."))
        if activity.status != ActivityStatus.IN_PROGRESS:
            raise Conflict(_("The executor signs off a running activity."), {"field": "layer"})
        if not state.has_evidence:
            raise ValidationFailed(_("Upload a photo as evidence first."), {"field": "evidence"})
        if state.undelivered_need_ids:
            raise ValidationFailed(
                _("Record the delivery of need #%(id)s first.")
                % {"id": state.undelivered_need_ids[0]},
                {"field": "needs"},
            )
        return "koordinator"
    if activity.status != ActivityStatus.REPORTED:
        raise Conflict(str(checks.REASONS["status"]), {"field": "layer"})
    if layer == Layer.RT:
        permission_require(actor, "activities.signoff_rt", activity.rt)
        if state.unconfirmed_need_ids:
            raise ValidationFailed(
                _("Need #%(id)s still waits for the recipient's confirmation.")
                % {"id": state.unconfirmed_need_ids[0]},
                {"field": "needs"},
            )
        return str(Role.KETUA_RT)
    if layer == Layer.RW:
        permission_require(actor, "activities.signoff_rw", activity.rt)
        if Layer.RT not in state.layers:
            raise ValidationFailed(_("The RT head signs off first."), {"field": "layer"})
        return str(Role.KETUA_RW)
    if layer == Layer.INDEPENDENT:
        facts = checks.verifier_facts(user=actor, kelurahan=activity.kelurahan, policy=policy)
        reasons = checks.independence_reasons(
            facts=facts,
            activity=full,
            parties=checks.activity_parties([full])[full.pk],
            policy=policy,
            signer_ids={s.signer_id for s in full.signoffs.all()},
        )
        if reasons:
            raise PermissionDenied(
                " ".join(r.message for r in reasons),
                {"field": "layer", "reasons": [r.code for r in reasons]},
            )
        return checks.verifier_role(facts, full) or "user"
    raise ValidationFailed(_("Choose a sign-off layer."), {"field": "layer"})


@transaction.atomic
def activity_signoff(*, actor: Any, activity: Activity, layer: str, note: str = "") -> SignOff:
    """Sign an activity's proof in one layer; the last required signature signs it off."""
    activity = _locked(activity)
    if getattr(actor, "pk", None) is None:
        raise PermissionDenied(_("Log in to sign off."))
    if SignOff.objects.filter(activity=activity, signer=actor).exists():
        raise Conflict(str(checks.REASONS["already_signed"]), {"field": "layer"})
    if (
        layer in (Layer.EXECUTOR, Layer.RT, Layer.RW)
        and SignOff.objects.filter(activity=activity, layer=layer).exists()
    ):
        raise Conflict(_("This layer is already signed."), {"field": "layer"})
    role = _signoff_check(actor, activity, layer)
    signoff = SignOff.objects.create(
        activity=activity,
        layer=layer,
        signer=actor,
        role=role,
        executor_id=activity.coordinator_id,
        note=(note or "").strip()[:300],
    )
    if layer == Layer.EXECUTOR:
        activity = activity_transition(actor=actor, activity=activity, to=ActivityStatus.REPORTED)
    independent = SignOff.objects.filter(activity=activity, layer=Layer.INDEPENDENT).count()
    index = _log(
        activity,
        "activity.signoff",
        actor,
        role,
        {"layer": layer, "independent": independent},
    )
    SignOff.objects.filter(pk=signoff.pk).update(log_index=index)
    signoff.log_index = index
    if layer == Layer.EXECUTOR:
        _notify(_heads(Role.KETUA_RT, rt=activity.rt), "activity_signoff_requested", activity)
    elif layer == Layer.RT:
        _notify(
            _heads(Role.KETUA_RW, rw_id=activity.rt.rw_id), "activity_signoff_requested", activity
        )
    _complete_if_ready(activity)
    return signoff


def _complete_if_ready(activity: Activity) -> None:
    if activity.status != ActivityStatus.REPORTED:
        return
    policy = activity_policy(kelurahan=activity.kelurahan)
    if checks.completeness(_prefetched(activity), policy).complete:
        activity_transition(actor=None, activity=activity, to=ActivityStatus.SIGNED_OFF)
