"""Seal bearer codes in the outbox; redact the bodies stored in clear before this."""

from typing import Any

from django.db import migrations, models
from django.utils import timezone

import gotong.core.crypto

# The templates that carried a login, receipt or voucher code (gotong.channels.bearer).
BEARER_TEMPLATES = ("login_code", "receipt_code", "voucher_issued")
REDACTED = "[redacted: this message carried a code and was stored before codes were sealed]"


def bodies_redact(apps: Any, schema_editor: Any) -> None:
    message_model = apps.get_model("gotong_channels", "OutboundMessage")
    rows = message_model.objects.filter(template__in=BEARER_TEMPLATES)
    # A message still waiting would go out without its code: it is dead-lettered instead.
    rows.filter(status__in=("pending", "retrying")).update(
        status="dead", next_attempt_at=None, last_error="Code redacted by migration 0002."
    )
    rows.update(body=REDACTED, updated_at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ('gotong_channels', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='outboundmessage',
            name='secret',
            field=gotong.core.crypto.CiphertextField(blank=True, context='channels.outboundmessage.secret', default='', editable=False),
        ),
        migrations.AddField(
            model_name='outboundmessage',
            name='secret_expires_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='code valid until'),
        ),
        migrations.RunPython(bodies_redact, migrations.RunPython.noop),
    ]
