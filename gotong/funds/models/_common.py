"""Choices shared by several funds models: the aid category of a campaign earmark,
a voucher, a goods item and a disbursement."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    SEMBAKO = "sembako", _("Staple food (sembako)")
    POSYANDU = "posyandu", _("Posyandu / child health")
    HEALTH = "kesehatan", _("Health")
    EDUCATION = "pendidikan", _("Education")
    DISASTER = "bencana", _("Disaster relief")
    OTHER = "lainnya", _("Other")
