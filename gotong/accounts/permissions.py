"""Who may do what, where: the declared permission table and its enforcement.

Every app declares its permissions in its own ``rules.py`` with ``permissions_declare``;
each declaration names the roles that hold it. Two checks use the table:

- the route gate (``api_route``): the caller holds one of the roles somewhere in the
  request's kelurahan (coarse, before any work is done);
- the territory check (``user.has_perm(name, unit)``, a ``rules`` predicate): the caller
  holds one of the roles in a unit that contains ``unit`` (an RT head acts only in their
  RT). Services call it with the unit they are about to change.

Officer roles count only in a session verified with TOTP (django-otp).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import rules
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.constants import NOT_SET
from ninja.utils import check_csrf

from gotong.core.exceptions import NotAuthenticated, PermissionDenied
from gotong.core.schemas import ErrorOut
from gotong.territory.models import RT, RW, Kelurahan

from .models import OFFICER_ROLES, Membership, Role


@dataclass(frozen=True)
class Rule:
    """Who holds a permission: anyone, any logged-in user, or the listed roles."""

    roles: frozenset[Role] = frozenset()
    public: bool = False
    any_user: bool = False

    def allows_role(self, role: Role) -> bool:
        return self.public or self.any_user or role in self.roles


PUBLIC = Rule(public=True)
ANY_USER = Rule(any_user=True)


def roles(*names: Role) -> Rule:
    return Rule(roles=frozenset(names))


PERMISSION_TABLE: dict[str, Rule] = {}


def permissions_declare(table: dict[str, Rule]) -> None:
    """Register an app's permissions in the table and as ``rules`` object permissions."""
    for name, rule in table.items():
        PERMISSION_TABLE[name] = rule
        rules.set_perm(name, _predicate_for(rule))


def territory_key(unit: Any) -> tuple[int, int | None, int | None]:
    """(kelurahan id, RW id, RT id) of a territory unit or of an object placed in one."""
    if isinstance(unit, Kelurahan):
        return unit.pk, None, None
    if isinstance(unit, RW):
        return unit.kelurahan_id, unit.pk, None
    if isinstance(unit, RT):
        return unit.kelurahan_id, unit.rw_id, unit.pk
    rt = getattr(unit, "rt", None)
    if isinstance(rt, RT):
        return territory_key(rt)
    rw = getattr(unit, "rw", None)
    if isinstance(rw, RW):
        return territory_key(rw)
    return unit.kelurahan_id, None, None


def memberships_effective(user: Any, kelurahan_id: int) -> list[Membership]:
    """The user's memberships in force today in a kelurahan, cached on the user object.

    Officer memberships count only when the session is TOTP-verified.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    cache: dict[int, list[Membership]] = user.__dict__.setdefault("_gotong_memberships", {})
    if kelurahan_id not in cache:
        cache[kelurahan_id] = list(
            Membership.objects.active(timezone.localdate()).filter(
                user=user, kelurahan_id=kelurahan_id
            )
        )
    verified = bool(getattr(user, "is_verified", lambda: False)())
    return [m for m in cache[kelurahan_id] if verified or m.role not in OFFICER_ROLES]


def _predicate_for(rule: Rule) -> Callable[..., bool]:
    @rules.predicate
    def holds(user: Any, unit: Any = None) -> bool:
        if rule.public:
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        if rule.any_user:
            return True
        if unit is None:
            return False
        key = territory_key(unit)
        return any(
            m.role in rule.roles and m.covers(*key) for m in memberships_effective(user, key[0])
        )

    return holds


def permission_gate(user: Any, name: str, kelurahan: Kelurahan | None) -> None:
    """Route-level check: raise unless the user may use this permission in the kelurahan."""
    rule = PERMISSION_TABLE[name]
    if rule.public:
        return
    if not getattr(user, "is_authenticated", False):
        raise NotAuthenticated(_("Please log in first."), {"permission": name})
    if rule.any_user:
        return
    held = memberships_effective(user, kelurahan.pk) if kelurahan else []
    if not any(m.role in rule.roles for m in held):
        raise PermissionDenied(
            _("Your role does not allow this action here."), {"permission": name, "check": "role"}
        )


def permission_require(user: Any, name: str, unit: Any) -> None:
    """Territory-level check for services: raise unless the user holds the permission over unit."""
    if user is None or not user.has_perm(name, unit):
        raise PermissionDenied(
            _("Your role does not allow this action in this area."),
            {"permission": name, "check": "territory"},
        )


def permission_holds(user: Any, name: str, kelurahan: Kelurahan | None) -> bool:
    """Yes/no form of ``permission_gate`` (show a link or a desk only to those who may use it)."""
    try:
        permission_gate(user, name, kelurahan)
    except (NotAuthenticated, PermissionDenied):
        return False
    return True


def permission_holds_over(user: Any, name: str, unit: Any) -> bool:
    """Yes/no form of ``permission_require``: the user holds ``name`` over ``unit``."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(name, unit))


def acting_role(user: Any, name: str, unit: Any) -> str:
    """The role under which ``user`` holds ``name`` over ``unit`` (for the access log)."""
    rule = PERMISSION_TABLE[name]
    key = territory_key(unit)
    for membership in memberships_effective(user, key[0]):
        if membership.role in rule.roles and membership.covers(*key):
            return str(membership.role)
    return "user"


def roles_holding(name: str) -> Iterable[Role]:
    """The roles that hold a permission (for the docs and the permission tests)."""
    rule = PERMISSION_TABLE[name]
    return [r for r in Role if rule.allows_role(r)]


class _RouteGate:
    """Ninja ``auth`` callable: runs before the request body is parsed, so an anonymous or
    unauthorised caller learns nothing about the payload the route expects."""

    def __init__(self, perm: str) -> None:
        self.perm = perm

    def __call__(self, request: HttpRequest) -> bool:
        unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
        if unsafe and request.user.is_authenticated and check_csrf(request) is not None:
            raise PermissionDenied(_("The form expired (CSRF check failed). Reload the page."))
        if unsafe and not request_from_this_site(request):
            # Anonymous calls (login by code) have no session to carry a CSRF token; a
            # browser says where a cross-site request comes from, so refuse that.
            raise PermissionDenied(_("This request comes from another site."), {"check": "origin"})
        permission_gate(request.user, self.perm, getattr(request, "kelurahan", None))
        return True


def request_from_this_site(request: HttpRequest) -> bool:
    """False when the browser says the request comes from another site (Origin, else
    Referer); a client that sends neither (curl, an app) is not a browser form."""
    origin = request.headers.get("Origin")
    if origin is None:
        referer = request.headers.get("Referer")
        if not referer:
            return True
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    try:
        own = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return False
    return origin in {own, *settings.CSRF_TRUSTED_ORIGINS}


def api_route(
    method: Callable[..., Any], path: str, *, perm: str, **kwargs: Any
) -> Callable[..., Any]:
    """Declare an API operation with its permission: ``@api_route(router.get, "/x", perm=...)``.

    The permission is checked before the view runs (and before its body is parsed),
    recorded in the OpenAPI schema as ``x-permission``, and must exist in the permission
    table. Unsafe methods from a logged-in session also pass Django's CSRF check.
    """
    if perm not in PERMISSION_TABLE:
        raise LookupError(f"Permission {perm!r} is not declared in any rules.py")
    extra = dict(kwargs.pop("openapi_extra", None) or {})
    extra["x-permission"] = perm
    kwargs["response"] = _with_errors(
        kwargs.get("response", NOT_SET),
        gated=not PERMISSION_TABLE[perm].public,
        unsafe=getattr(method, "__name__", "get") not in ("get", "head", "options"),
    )
    return method(path, auth=_RouteGate(perm), openapi_extra=extra, **kwargs)


# What any operation may answer besides success, all as ``ErrorOut`` (config/api.py):
# 400 unreadable body, 404 unknown tenant or object, 409 state clash, 422 invalid input,
# 429 rate limit; 401/403 from the route gate and the CSRF check; 415 a non-JSON body.
_ERRORS_ALWAYS = (400, 404, 409, 422, 429)


def _with_errors(response: Any, *, gated: bool, unsafe: bool) -> Any:
    """The operation's documented responses plus every error status it can return."""
    if response is NOT_SET:
        response = {200: None}  # no declared body: answered as returned
    codes = dict(response) if isinstance(response, dict) else {200: response}
    errors = list(_ERRORS_ALWAYS)
    if gated or unsafe:
        errors += [401, 403]
    if unsafe:
        errors.append(415)
    for code in errors:
        codes.setdefault(code, ErrorOut)
    return codes
