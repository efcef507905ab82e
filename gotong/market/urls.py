from django.urls import path

from . import views, views_ops
from .views_pay import cycle_money

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
    path(
        "k/<slug:slug>/pasar/siklus/<int:cycle_id>/keuangan/",
        cycle_money,
        name="cycle_money",
    ),
    # UMKM sellers
    path("k/<slug:slug>/pasar/jualan/", views_ops.seller_products, name="seller_products"),
    path("k/<slug:slug>/pasar/jualan/produk/baru/", views_ops.product_new, name="product_new"),
    path(
        "k/<slug:slug>/pasar/jualan/produk/<int:product_id>/",
        views_ops.product_edit,
        name="product_edit",
    ),
    path(
        "k/<slug:slug>/pasar/jualan/produk/<int:product_id>/foto/",
        views_ops.product_photo_upload,
        name="product_photo_upload",
    ),
    # operators
    path("k/<slug:slug>/pasar/kelola/", views_ops.ops_home, name="ops"),
    path("k/<slug:slug>/pasar/kelola/umkm/", views_ops.umkm_queue, name="umkm_queue"),
    path("k/<slug:slug>/pasar/kelola/paket/", views_ops.bundles, name="bundles"),
    path("k/<slug:slug>/pasar/kelola/siklus/baru/", views_ops.cycle_new, name="cycle_new"),
    path(
        "k/<slug:slug>/pasar/siklus/<int:cycle_id>/tutup/",
        views_ops.cycle_close,
        name="cycle_close",
    ),
    path(
        "k/<slug:slug>/pasar/siklus/<int:cycle_id>/rute/",
        views_ops.routes_plan,
        name="routes_plan",
    ),
    path("k/<slug:slug>/pasar/kelola/kurir/", views_ops.couriers, name="couriers"),
    path("k/<slug:slug>/pasar/kelola/biaya/", views_ops.fee_settings, name="fee_settings"),
    # couriers
    path("k/<slug:slug>/pasar/kurir/", views_ops.courier_routes, name="courier_routes"),
    path(
        "k/<slug:slug>/pasar/kurir/rute/<int:plan_id>/",
        views_ops.route_sheet,
        name="route_sheet",
    ),
    path(
        "k/<slug:slug>/pasar/kurir/rute/<int:plan_id>/antar/<int:order_id>/",
        views_ops.dropoff,
        name="dropoff",
    ),
]
