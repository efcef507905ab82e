from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.landing, name="landing"),
    # Browsers ask for /favicon.ico whatever the page links; the logo answers.
    path("favicon.ico", views.favicon, name="favicon"),
    path("k/<slug:slug>/", views.kelurahan_home, name="home"),
]
