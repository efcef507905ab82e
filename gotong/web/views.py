"""Public pages: the instance landing page and each kelurahan's home page."""

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static

from gotong.accounts.permissions import memberships_effective
from gotong.territory import selectors as territory_selectors


def landing(request: HttpRequest) -> HttpResponse:
    """List the kelurahan on this instance; go straight to the only one if there is one."""
    kelurahan_all = list(territory_selectors.kelurahan_list())
    if len(kelurahan_all) == 1:
        return redirect("web:home", slug=kelurahan_all[0].slug)
    return render(request, "web/landing.html", {"kelurahan_list": kelurahan_all})


def kelurahan_home(request: HttpRequest, slug: str) -> HttpResponse:
    """What the platform does here, how to join, and the visitor's own roles."""
    kelurahan = request.kelurahan  # type: ignore[attr-defined]
    rws = territory_selectors.rw_list(kelurahan=kelurahan)
    my_roles = memberships_effective(request.user, kelurahan.pk)
    rt_count = sum(rw.rt_count for rw in rws)  # type: ignore[attr-defined]
    context = {"rws": rws, "my_roles": my_roles, "rt_count": rt_count}
    return render(request, "web/home.html", context)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links: send them to the logo."""
    return HttpResponsePermanentRedirect(static("web/img/logo.svg"))
