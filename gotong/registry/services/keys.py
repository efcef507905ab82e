"""Data-key rotation: re-encrypt every Tier-2 column under the newest key."""

from django.apps import apps
from django.db import transaction
from django.db.models import Model, Q

from gotong.core.crypto import CiphertextField, data_key_current_version, field_reencrypt
from gotong.territory.models import Kelurahan

from ._common import _audit


def _ciphertext_columns() -> list[tuple[type[Model], list[CiphertextField]]]:
    found = []
    for model in apps.get_models():
        columns = [f for f in model._meta.get_fields() if isinstance(f, CiphertextField)]
        if columns:
            found.append((model, columns))
    return found


def data_keys_rotate(*, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every Tier-2 column not yet under the newest key; returns rows per model."""
    version = data_key_current_version()
    prefix = f"v{version}:"
    counts: dict[str, int] = {}
    for model, columns in _ciphertext_columns():
        stale = Q()
        for column in columns:
            stale |= ~Q(**{column.name: ""}) & ~Q(**{f"{column.name}__startswith": prefix})
        label = model._meta.label
        counts[label] = 0
        while True:
            with transaction.atomic():
                rows = list(
                    model._default_manager.select_for_update()
                    .filter(stale)
                    .order_by("pk")[:batch_size]
                )
                if not rows:
                    break
                for row in rows:
                    for column in columns:
                        token = getattr(row, column.name)
                        setattr(row, column.name, field_reencrypt(token, context=column.context))
                model._default_manager.bulk_update(rows, [c.name for c in columns])
                per_kelurahan: dict[int, int] = {}
                for row in rows:
                    kid = getattr(row, "kelurahan_id", None)
                    if kid is not None:
                        per_kelurahan[kid] = per_kelurahan.get(kid, 0) + 1
                for kid, count in per_kelurahan.items():
                    _audit(
                        kelurahan=Kelurahan.objects.get(pk=kid),
                        type="data_keys.rotated",
                        actor=None,
                        subject=f"kelurahan:{kid}",
                        data={"model": label, "rows": count, "key_version": version},
                    )
                counts[label] += len(rows)
    return counts
