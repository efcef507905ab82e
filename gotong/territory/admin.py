"""Territory in the admin: shown, never changed here.

Tenants come from ``manage.py kelurahan_create`` (the official region list), RWs and RTs
from ``rw_create`` / ``rt_create`` and their geometry from ``territory_geometry_set``: each
checks its rules and writes its log entry, which an admin form would skip.
"""

from django.contrib import admin

from gotong.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import RT, RW, Kelurahan


class RTInline(ReadOnlyInline):
    model = RT
    fields = ["number", "centroid_lat", "centroid_lon"]


@admin.register(Kelurahan)
class KelurahanAdmin(ReadOnlyAdmin):
    list_display = ["name", "region_code", "kecamatan", "kota_kabupaten", "provinsi", "is_demo"]
    search_fields = ["name", "region_code", "slug"]


@admin.register(RW)
class RWAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kelurahan", "number"]
    list_filter = ["kelurahan"]
    search_fields = ["number", "kelurahan__name"]
    inlines = [RTInline]


@admin.register(RT)
class RTAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kelurahan", "rw", "number"]
    list_filter = ["kelurahan", "rw"]
    list_select_related = ["rw", "kelurahan"]
    search_fields = ["number", "rw__number", "kelurahan__name"]
