from django.contrib import admin

from .models import RT, RW, Kelurahan


class RTInline(admin.TabularInline):
    model = RT
    extra = 0
    fields = ["number", "centroid_lat", "centroid_lon"]


@admin.register(Kelurahan)
class KelurahanAdmin(admin.ModelAdmin):
    list_display = ["name", "region_code", "kecamatan", "kota_kabupaten", "provinsi", "is_demo"]
    search_fields = ["name", "region_code", "slug"]
    # Name and parents come from the official region list (manage.py kelurahan_create).
    readonly_fields = [
        "name",
        "region_code",
        "kecamatan",
        "kota_kabupaten",
        "provinsi",
        "postal_code",
    ]


@admin.register(RW)
class RWAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kelurahan", "number"]
    list_filter = ["kelurahan"]
    search_fields = ["number", "kelurahan__name"]
    inlines = [RTInline]


@admin.register(RT)
class RTAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kelurahan", "rw", "number"]
    list_filter = ["kelurahan", "rw"]
    list_select_related = ["rw", "kelurahan"]
    search_fields = ["number", "rw__number", "kelurahan__name"]
