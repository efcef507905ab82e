"""Response headers that Django's SecurityMiddleware does not set itself."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class SecurityHeadersMiddleware:
    """Adds Permissions-Policy (camera and location only for this site, for evidence photos)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.GOTONG_PERMISSIONS_POLICY)
        return response


class ChosenLanguageMiddleware:
    """Bahasa Indonesia unless the person chose English with the footer switch (a cookie).

    Replaces Django's LocaleMiddleware, which would follow the browser's Accept-Language:
    many phones in Indonesia are set to English, yet the platform's residents and officers
    work in Bahasa Indonesia, and the choice must be theirs, not their phone's. The JSON API
    (``/api/``) still honours an explicit ``Accept-Language``: a program calling it chooses
    the language of its error messages itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if chosen not in self.available and request.path.startswith("/api/"):
            chosen = translation.get_language_from_request(request)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
