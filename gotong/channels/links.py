"""Links a notification carries to the page where its reader acts."""

from django.conf import settings
from django.urls import reverse


def page_link(viewname: str, **kwargs: object) -> str:
    """The address of a page for a message: absolute when ``GOTONG_SITE_URL`` is set."""
    base = str(getattr(settings, "GOTONG_SITE_URL", "") or "").rstrip("/")
    return f"{base}{reverse(viewname, kwargs=kwargs)}"
