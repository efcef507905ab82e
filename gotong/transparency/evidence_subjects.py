"""Who may hand in evidence about what: checks registered by the apps that own the subjects.

Transparency does not know needs or activities (they are higher apps), so each owner
registers, from its ``AppConfig.ready()``, a check for its kind of subject::

    evidence_subject_register("need", need_evidence_allowed)

A check is ``check(*, user, kelurahan, subject_id) -> bool``. Several apps may register
for one kind (the needs app: roles over the need's RT; the activities app: the team of an
activity serving it); evidence is allowed when one of them says yes. A kind nobody
registered is refused.

A rule may also list the subjects of its kind a user may give evidence about, for the
upload page's select: ``subjects(*, user, kelurahan) -> [(subject, label), ...]``, e.g.
``("activity:12", "Kegiatan: Kerja bakti · 12 Des 2026")``. Labels never name a resident.
"""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from gotong.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from gotong.territory.models import Kelurahan

EvidenceCheck = Callable[..., bool]
SubjectsFor = Callable[..., list[tuple[str, str]]]

_CHECKS: dict[str, list[EvidenceCheck]] = {}
_SUBJECTS: dict[str, list[SubjectsFor]] = {}


def evidence_subject_register(
    kind: str, check: EvidenceCheck, subjects: SubjectsFor | None = None
) -> None:
    """Let ``check`` decide who may hand in evidence about subjects ``<kind>:<id>``, and
    ``subjects`` (optional) list those a user may choose on the upload page."""
    checks = _CHECKS.setdefault(kind, [])
    if check not in checks:
        checks.append(check)
    if subjects is not None:
        listers = _SUBJECTS.setdefault(kind, [])
        if subjects not in listers:
            listers.append(subjects)


def evidence_subject_choices(*, user: Any, kelurahan: Kelurahan) -> list[tuple[str, str]]:
    """The subjects ``user`` may give evidence about here, as (subject, label), by kind
    and then as each rule orders them; a subject two rules list appears once."""
    seen: set[str] = set()
    choices: list[tuple[str, str]] = []
    for kind in sorted(_SUBJECTS):
        for lister in _SUBJECTS[kind]:
            for subject, label in lister(user=user, kelurahan=kelurahan):
                if subject not in seen:
                    seen.add(subject)
                    choices.append((subject, label))
    return choices


def evidence_subject_kinds() -> list[str]:
    """The subject kinds evidence may be handed in about (for forms and docs)."""
    return sorted(_CHECKS)


def evidence_subject_allowed(*, user: Any, kelurahan: Kelurahan, subject: str) -> bool:
    """Whether ``user`` may hand in evidence about ``subject`` (no error; False for an
    unknown kind, a malformed subject or a subject outside this kelurahan)."""
    kind, _sep, raw_id = subject.partition(":")
    checks = _CHECKS.get(kind)
    if user is None or not checks or not raw_id.isdigit():
        return False
    try:
        return any(
            check(user=user, kelurahan=kelurahan, subject_id=int(raw_id)) for check in checks
        )
    except NotFound:
        return False


def evidence_subject_require(*, user: Any, kelurahan: Kelurahan, subject: str) -> None:
    """Raise unless ``user`` may hand in evidence about ``subject`` (``need:3``)."""
    kind, _sep, raw_id = subject.partition(":")
    checks = _CHECKS.get(kind)
    if not checks or not raw_id.isdigit():
        raise ValidationFailed(
            _("Evidence can only be given about: %(kinds)s.")
            % {"kinds": ", ".join(f"{k}:<id>" for k in evidence_subject_kinds())},
            {"field": "subject"},
        )
    subject_id = int(raw_id)
    if not any(check(user=user, kelurahan=kelurahan, subject_id=subject_id) for check in checks):
        raise PermissionDenied(
            _(
                "You may not give evidence about %(subject)s: only its team, the RT or RW "
                "head over it, or a kelurahan officer may."
            )
            % {"subject": subject},
            {"field": "subject"},
        )


# --- whether a photo about a subject may be shown to the public -----------------------
#
# A photo shows people. The owner of the subject knows who it is about and whether they
# allowed their face in evidence photos (the registry's "photos" consent), so it registers
# ``rule(*, kelurahan, subject_ids) -> set[int]``: of ``subject_ids``, those whose photos
# the public may see. A kind nobody registered a rule for is public (no resident is tied
# to it); when several rules are registered for a kind, every one must agree. It may also
# register ``viewer(*, user, kelurahan, subject_id) -> bool``: who sees a photo that is not
# public, besides those who may read its note (e.g. the resident it is about, the
# activity's verifiers).

PhotoRule = Callable[..., set[int]]

_PHOTO_RULES: dict[str, list[PhotoRule]] = {}
_PHOTO_VIEWERS: dict[str, list[EvidenceCheck]] = {}


def evidence_photo_rule_register(
    kind: str, rule: PhotoRule, viewer: EvidenceCheck | None = None
) -> None:
    """Let ``rule`` decide which photos about ``<kind>:<id>`` the public may see, and
    ``viewer`` (optional) who else sees those that are not public."""
    rules = _PHOTO_RULES.setdefault(kind, [])
    if rule not in rules:
        rules.append(rule)
    if viewer is not None:
        viewers = _PHOTO_VIEWERS.setdefault(kind, [])
        if viewer not in viewers:
            viewers.append(viewer)


def evidence_photo_viewer(*, user: Any, kelurahan: Kelurahan, subject: str) -> bool:
    """Whether a registered viewer check lets ``user`` see photos about ``subject`` that are
    not public (False for an unknown kind, a malformed subject or one not found)."""
    kind, _sep, raw_id = subject.partition(":")
    viewers = _PHOTO_VIEWERS.get(kind)
    if not getattr(user, "is_authenticated", False) or not viewers or not raw_id.isdigit():
        return False
    try:
        return any(v(user=user, kelurahan=kelurahan, subject_id=int(raw_id)) for v in viewers)
    except NotFound:
        return False


def evidence_photos_public(*, kelurahan: Kelurahan, subjects: list[str]) -> set[str]:
    """Of ``subjects`` (``need:3``, ``activity:12``), those whose photos the public may see;
    one call per rule and kind, whatever the number of subjects."""
    by_kind: dict[str, dict[int, str]] = {}
    public: set[str] = set()
    for subject in set(subjects):
        kind, _sep, raw_id = subject.partition(":")
        if kind not in _PHOTO_RULES:
            public.add(subject)
        elif raw_id.isdigit():
            by_kind.setdefault(kind, {})[int(raw_id)] = subject
    for kind, ids in by_kind.items():
        allowed = set(ids)
        for rule in _PHOTO_RULES[kind]:
            allowed &= rule(kelurahan=kelurahan, subject_ids=set(ids))
        public |= {ids[subject_id] for subject_id in allowed}
    return public
