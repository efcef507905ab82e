"""Public policy pages (privacy policy, SOPs) and the operator's edit page. Thin: the words
come from ``selectors``, changes go through ``services.policy_page_update``."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gotong.accounts.permissions import permission_holds
from gotong.core.exceptions import ApplicationError
from gotong.territory.middleware import request_kelurahan
from gotong.ui.pages import form_error, gate

from . import selectors, services
from .content import DEFAULTS
from .forms import PolicyPageForm
from .models import PolicyKind

URL_NAMES = {
    PolicyKind.PRIVACY: "pages:privacy",
    PolicyKind.SOP_NEED: "pages:sop_need",
    PolicyKind.SOP_DONATION: "pages:sop_donation",
}


def policy_page(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """A public policy page: its steps, each linking to the page where it happens."""
    kelurahan = request_kelurahan(request)
    page = selectors.policy_page_get(kelurahan=kelurahan, kind=kind)
    may_edit = permission_holds(request.user, "pages.edit", kelurahan)
    return render(request, "pages/policy.html", {"page": page, "may_edit": may_edit})


@gate("pages.edit")
def policy_page_edit(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """The operator rewrites the words of a policy page."""
    if kind not in DEFAULTS:
        raise Http404
    kelurahan = request_kelurahan(request)
    page = selectors.policy_page_get(kelurahan=kelurahan, kind=kind)
    initial = {
        "title": page.title,
        "intro": page.intro,
        "steps": "\n".join(s.text for s in page.steps),
    }
    form = PolicyPageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_page_update(
                actor=request.user,
                kelurahan=kelurahan,
                kind=kind,
                title=form.cleaned_data["title"],
                intro=form.cleaned_data["intro"],
                steps=form.cleaned_data["steps"].splitlines(),
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The page was saved."))
            return redirect(URL_NAMES[PolicyKind(kind)], slug=slug)
    return render(request, "pages/edit.html", {"page": page, "form": form})
