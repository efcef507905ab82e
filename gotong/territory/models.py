"""Territory: the kelurahan (the tenant) and its RW and RT units."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gotong.core.models import BaseModel

from .validators import validate_region_code


class GeoMixin(models.Model):
    """Optional centroid (WGS84) and boundary (a GeoJSON geometry) of a territory unit."""

    centroid_lat = models.DecimalField(
        _("centroid latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    centroid_lon = models.DecimalField(
        _("centroid longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)

    class Meta:
        abstract = True


class Kelurahan(GeoMixin, BaseModel):
    """The tenant: one urban village running the platform."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    region_code = models.CharField(
        _("Kemendagri region code"),
        max_length=13,
        unique=True,
        validators=[validate_region_code],
    )
    kecamatan = models.CharField(_("kecamatan"), max_length=100)
    kota_kabupaten = models.CharField(_("city / regency"), max_length=100)
    provinsi = models.CharField(_("province"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    is_demo = models.BooleanField(
        _("demo"),
        default=False,
        help_text=_("Demo tenants hold synthetic data only."),
    )

    class Meta:
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")
        ordering = ["name", "region_code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kota_kabupaten})"


class RW(GeoMixin, BaseModel):
    """Rukun Warga: a neighbourhood unit of a kelurahan."""

    kelurahan = models.ForeignKey(
        Kelurahan, on_delete=models.PROTECT, related_name="rws", verbose_name=_("kelurahan")
    )
    number = models.PositiveSmallIntegerField(
        _("RW number"), validators=[MinValueValidator(1), MaxValueValidator(999)]
    )

    class Meta:
        verbose_name = _("RW")
        verbose_name_plural = _("RW")
        ordering = ["kelurahan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["kelurahan", "number"], name="rw_number_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="rw_number_positive"),
        ]

    def __str__(self) -> str:
        return f"RW {self.number:02d}"


class RT(GeoMixin, BaseModel):
    """Rukun Tetangga: the smallest neighbourhood unit, inside one RW."""

    kelurahan = models.ForeignKey(
        Kelurahan, on_delete=models.PROTECT, related_name="rts", verbose_name=_("kelurahan")
    )
    rw = models.ForeignKey(RW, on_delete=models.PROTECT, related_name="rts", verbose_name=_("RW"))
    number = models.PositiveSmallIntegerField(
        _("RT number"), validators=[MinValueValidator(1), MaxValueValidator(999)]
    )

    class Meta:
        verbose_name = _("RT")
        verbose_name_plural = _("RT")
        ordering = ["kelurahan_id", "rw__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["rw", "number"], name="rt_number_unique_in_rw"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="rt_number_positive"),
        ]

    def __str__(self) -> str:
        return f"RT {self.number:02d} / RW {self.rw.number:02d}"
