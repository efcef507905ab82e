"""Abstract building blocks shared by every domain model."""

from django.db import models


class BaseModel(models.Model):
    """Every domain row records when it was created and last updated (UTC)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
