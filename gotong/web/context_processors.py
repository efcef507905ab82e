from typing import Any

from django.http import HttpRequest


def tenant(request: HttpRequest) -> dict[str, Any]:
    """The kelurahan of the current page (None outside /k/<slug>/)."""
    return {"kelurahan": getattr(request, "kelurahan", None)}
