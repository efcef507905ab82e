"""The role-aware menu every page of a kelurahan shows.

A resident sees where to ask for help, follow their requests, see their data, shop and
give; an RT or RW head sees their queue with the number of requests waiting; an officer
sees the desks their roles open. Links appear only for what the permission table allows,
so the menu never leads to a refusal page.
"""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gotong.accounts.models import Role
from gotong.accounts.permissions import memberships_effective, permission_holds
from gotong.needs import selectors as needs_selectors
from gotong.registry import selectors as registry_selectors
from gotong.territory.models import Kelurahan


@dataclass(frozen=True)
class MenuItem:
    label: str
    url: str
    count: int | None = None


# (permission, url name, label) of each officer desk, in the order they are shown.
DESKS: tuple[tuple[str, str, Any], ...] = (
    ("needs.view_board", "needs:board", gettext_lazy("Needs board")),
    ("matching.view", "matching:board", gettext_lazy("Matching")),
    ("activities.verify", "activities:queue", gettext_lazy("Sign-off queue")),
    ("funds.operate", "funds:treasury", gettext_lazy("Treasury")),
    ("market.manage", "market:ops", gettext_lazy("Market desk")),
    ("market.sell", "market:seller_products", gettext_lazy("My products")),
    ("market.deliver", "market:courier_routes", gettext_lazy("My delivery routes")),
    ("registry.view_persons", "registry:persons", gettext_lazy("Residents")),
    ("dashboard.view_officer", "dashboard:officer", gettext_lazy("Officer dashboard")),
    ("insights.view", "insights:review", gettext_lazy("Insights")),
)


def resident_menu(request: HttpRequest, kelurahan: Kelurahan) -> list[MenuItem]:
    """Ask for help, my requests, my data (or registration), market, donations, dashboard."""
    slug = kelurahan.slug
    items = [MenuItem(_("Ask for help"), reverse("needs:submit", kwargs={"slug": slug}))]
    user = request.user
    if user.is_authenticated:
        items.append(MenuItem(_("My requests"), reverse("needs:mine", kwargs={"slug": slug})))
        if registry_selectors.person_for_user(kelurahan=kelurahan, user=user) is None:
            items.append(
                MenuItem(_("Register"), reverse("registry:register", kwargs={"slug": slug}))
            )
        else:
            items.append(MenuItem(_("My data"), reverse("registry:me", kwargs={"slug": slug})))
    items += [
        MenuItem(_("Market"), reverse("market:catalogue", kwargs={"slug": slug})),
        MenuItem(_("Donate"), reverse("funds:campaigns", kwargs={"slug": slug})),
        MenuItem(_("Dashboard"), reverse("dashboard:public", kwargs={"slug": slug})),
    ]
    return items


def work_menu(request: HttpRequest, kelurahan: Kelurahan) -> list[MenuItem]:
    """RT/RW queues with their waiting counts, then the officer desks the user may open."""
    user = request.user
    if not user.is_authenticated:
        return []
    slug = kelurahan.slug
    items: list[MenuItem] = []
    for membership in memberships_effective(user, kelurahan.pk):
        if membership.role == Role.KETUA_RT and membership.rt is not None:
            waiting = needs_selectors.need_waiting_count(kelurahan=kelurahan, rt=membership.rt)
            items.append(
                MenuItem(
                    _("Queue RT %(rt)s") % {"rt": f"{membership.rt.number:02d}"},
                    reverse("needs:rt_queue", kwargs={"slug": slug, "rt_id": membership.rt_id}),
                    waiting,
                )
            )
        elif membership.role == Role.KETUA_RW and membership.rw is not None:
            waiting = needs_selectors.need_waiting_count(kelurahan=kelurahan, rw=membership.rw)
            items.append(
                MenuItem(
                    _("Approvals RW %(rw)s") % {"rw": f"{membership.rw.number:02d}"},
                    reverse(
                        "needs:rw_queue", kwargs={"slug": slug, "rw_number": membership.rw.number}
                    ),
                    waiting,
                )
            )
    for perm, url_name, label in DESKS:
        if permission_holds(user, perm, kelurahan):
            items.append(MenuItem(str(label), reverse(url_name, kwargs={"slug": slug})))
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``menu`` and ``work_menu`` for the page's kelurahan (empty outside)."""
    kelurahan = getattr(request, "kelurahan", None)
    if kelurahan is None:
        return {"menu": [], "work_menu": []}
    return {
        "menu": resident_menu(request, kelurahan),
        "work_menu": work_menu(request, kelurahan),
    }
