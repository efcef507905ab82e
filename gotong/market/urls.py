from django.urls import path

from . import views

app_name = "market"

urlpatterns = [
    path("k/<slug:slug>/pasar/", views.catalogue, name="catalogue"),
    path(
        "k/<slug:slug>/pasar/produk/<int:product_id>/foto.jpg",
        views.product_photo,
        name="product_photo",
    ),
    path("k/<slug:slug>/pasar/siklus/<int:cycle_id>/pesan/", views.order_form, name="order_form"),
    path("k/<slug:slug>/pasar/siklus/<int:cycle_id>/", views.cycle_sheet, name="cycle"),
    path("k/<slug:slug>/pasar/pesanan/", views.order_list, name="orders"),
    path("k/<slug:slug>/pasar/pesanan/<int:order_id>/", views.order_detail, name="order"),
    path("k/<slug:slug>/pasar/umkm/", views.umkm_dashboard, name="umkm"),
]
