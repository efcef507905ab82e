"""Resolve the tenant once per request from the ``slug`` URL keyword."""

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from gotong.core.exceptions import NotFound

from .models import Kelurahan
from .selectors import kelurahan_get_by_slug


class TenantMiddleware:
    """Sets ``request.kelurahan`` for every /k/<slug>/ page and /api/v1/k/<slug>/ endpoint."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.kelurahan = None  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        slug = view_kwargs.get("slug")
        if slug is None:
            return None
        try:
            request.kelurahan = kelurahan_get_by_slug(slug=slug)  # type: ignore[attr-defined]
        except NotFound as exc:
            if request.path.startswith("/api/"):
                return JsonResponse({"message": str(exc.message), "extra": exc.extra}, status=404)
            raise Http404(str(exc)) from exc
        return None


def request_kelurahan(request: HttpRequest) -> Kelurahan:
    """The tenant resolved for this request (typed accessor for views and API routes)."""
    kelurahan: Kelurahan | None = getattr(request, "kelurahan", None)
    if kelurahan is None:
        raise Http404("No kelurahan in this URL.")
    return kelurahan
