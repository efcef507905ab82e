from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from config.api import api
from gotong.accounts.forms import AdminLoginForm

# The admin holds personal data: it asks for a TOTP code as well as the password.
admin.site.__class__ = OTPAdminSite
admin.site.site_header = "Gotong Royong"
# Same lockout, same answers as the officer login (gotong/accounts/lockout.py).
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("gotong.accounts.urls")),
    path("", include("gotong.registry.urls")),
    path("", include("gotong.transparency.urls")),
    path("", include("gotong.needs.urls")),
    path("", include("gotong.activities.urls")),
    path("", include("gotong.matching.urls")),
    path("", include("gotong.funds.urls")),
    path("", include("gotong.market.urls")),
    path("", include("gotong.dashboard.urls")),
    path("", include("gotong.insights.urls")),
    path("", include("gotong.web.urls")),
]
