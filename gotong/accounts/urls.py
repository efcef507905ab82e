from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("masuk/", views.login_phone, name="login"),
    path("masuk/kode/", views.login_code, name="login_code"),
    path("masuk/petugas/", views.login_officer, name="login_officer"),
    path("keluar/", views.logout_view, name="logout"),
    path("akun/", views.account, name="account"),
    path("k/<slug:slug>/rt/<int:rt_id>/warga/", views.rt_members, name="rt_members"),
]
