from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("k/<slug:slug>/wawasan/", views.review, name="review"),
]
