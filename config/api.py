"""The JSON API: one NinjaAPI that mounts each app's router.

Errors are rendered as ``{"message": ..., "extra": ...}`` in the request's language, for
every kind of bad input (malformed or oversized bodies, numbers the database cannot hold,
unknown paths), in every settings mode: a client never sees a traceback or a 500 for
something it sent.
"""

import json
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from gotong.core.exceptions import ApplicationError

_JSON_TYPES = ("application/json",)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


class JsonOnlyParser(Parser):
    """Request bodies are JSON objects sent as ``application/json``, nothing else.

    A cross-site HTML form can only send ``text/plain``, form-encoded or multipart bodies,
    so refusing them closes login CSRF on the anonymous JSON endpoints; a body that is not
    an object (``[null, null]``, ``3``) is refused before any schema sees it.
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if request.content_type not in _JSON_TYPES:
            raise HttpError(
                415, _("Send the request body as JSON (Content-Type: application/json).")
            )
        data = json.loads(request.body, parse_constant=_refuse_constant)
        if not isinstance(data, dict):
            raise HttpError(422, _("The request body must be a JSON object."))
        return data


api = NinjaAPI(
    title="Gotong Royong API",
    version="1",
    description=(
        "API of the Gotong Royong platform. Tenant endpoints live under /api/v1/k/{slug}/. "
        "Each operation states the permission it needs as `x-permission`. Every error is "
        '`{"message": ..., "extra": {...}}`.'
    ),
    urls_namespace="api",
    docs_url="/docs",
    # The assets come from the app (``ninja`` is an installed app, so collectstatic
    # copies them); no validator badge, which would load an image from swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
    openapi_url="/openapi.json",
    parser=JsonOnlyParser(),
)


def _error(request: HttpRequest, status: int, message: Any, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"message": str(message), "extra": extra}, status=status)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return _error(request, exc.status_code, exc.message, **exc.extra)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, 422, _("The request is not valid."), errors=_jsonable(exc.errors))


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, _("Please log in first."))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja wraps the parser's refusals (415, 422 above) in a 400 "Cannot parse".
    cause = exc.__cause__
    if isinstance(cause, HttpError):
        return _error(request, cause.status_code, cause.message)
    return _error(request, exc.status_code, _("The request body cannot be read as JSON."))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, _("Not found."))


@api.exception_handler(MultiPartParserError)
def multipart_error(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return _error(request, 400, _("The uploaded form cannot be read."))


@api.exception_handler(SuspiciousOperation)
def suspicious_request(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, and the like.
    return _error(request, 400, _("The request is too large or malformed."))


@api.exception_handler(OverflowError)
def number_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    return _error(request, 422, _("A number in the request is too large."))


@api.exception_handler(DataError)
def number_out_of_range(request: HttpRequest, exc: DataError) -> HttpResponse:
    # PostgreSQL's "out of range" for a value the database cannot hold.
    return _error(request, 422, _("A value in the request is out of range."))


def _jsonable(errors: Any) -> Any:
    """Pydantic errors may carry the offending value or an exception object in ``ctx``."""
    return json.loads(json.dumps(errors, default=str))


def _mount() -> None:
    from gotong.accounts.api import router as accounts_router
    from gotong.activities.api import router as activities_router
    from gotong.dashboard.api import router as dashboard_router
    from gotong.funds.api import router as funds_router
    from gotong.insights.api import router as insights_router
    from gotong.market.api import router as market_router
    from gotong.matching.api import router as matching_router
    from gotong.needs.api import router as needs_router
    from gotong.registry.api import router as registry_router
    from gotong.territory.api import router as territory_router
    from gotong.transparency.api import router as transparency_router

    api.add_router("/v1/", accounts_router)
    api.add_router("/v1/", needs_router)
    api.add_router("/v1/", activities_router)
    api.add_router("/v1/", funds_router)
    api.add_router("/v1/", territory_router)
    api.add_router("/v1/", transparency_router)
    api.add_router("/v1/", registry_router)
    api.add_router("/v1/", matching_router)
    api.add_router("/v1/", market_router)
    api.add_router("/v1/", dashboard_router)
    api.add_router("/v1/", insights_router)


_mount()
