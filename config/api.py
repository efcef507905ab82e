"""The JSON API: one NinjaAPI that mounts each app's router.

Errors are rendered as ``{"message": ..., "extra": ...}`` in the request's language.
"""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, ValidationError

from gotong.core.exceptions import ApplicationError

api = NinjaAPI(
    title="Gotong Royong API",
    version="1",
    description=(
        "API of the Gotong Royong platform. Tenant endpoints live under /api/v1/k/{slug}/. "
        "Each operation states the permission it needs as `x-permission`."
    ),
    urls_namespace="api",
    docs_url="/docs",
    # The assets come from the app (``ninja`` is an installed app, so collectstatic
    # copies them); no validator badge, which would load an image from swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
    openapi_url="/openapi.json",
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(
        request, {"message": str(exc.message), "extra": exc.extra}, status=exc.status_code
    )


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"message": _("The request is not valid."), "extra": {"errors": exc.errors}},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"message": _("Please log in first."), "extra": {}}, status=401
    )


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
