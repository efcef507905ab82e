"""Wrong voucher codes counted in a funds table (was django-axes' failure log), and the
SHA-256 of each donation's receipt photo, unique per kelurahan among donations that count.

Existing donations get the hash their receipt's evidence already holds; when two of them
share one (recorded before this check), only the earliest keeps it, so the constraint can
be created."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def receipt_hashes_fill(apps, schema_editor):
    Donation = apps.get_model("funds", "Donation")
    Evidence = apps.get_model("transparency", "Evidence")
    seen = set()
    rows = (
        Donation.objects.exclude(receipt_code="")
        .exclude(status="cancelled")
        .order_by("pk")
        .values_list("pk", "kelurahan_id", "receipt_code")
    )
    for pk, kelurahan_id, code in rows.iterator():
        digest = (
            Evidence.objects.filter(kelurahan_id=kelurahan_id, code=code)
            .values_list("sha256", flat=True)
            .first()
        )
        if digest and (kelurahan_id, digest) not in seen:
            seen.add((kelurahan_id, digest))
            Donation.objects.filter(pk=pk).update(receipt_sha256=digest)


class Migration(migrations.Migration):
    dependencies = [
        ("funds", "0003_market_accounts"),
        ("registry", "0001_initial"),
        ("territory", "0001_initial"),
        ("transparency", "0003_evidence"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="VoucherCodeFailure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("ip", models.GenericIPAddressField(blank=True, null=True)),
                ("at", models.DateTimeField(db_index=True)),
            ],
            options={
                "verbose_name": "wrong voucher code",
                "verbose_name_plural": "wrong voucher codes",
            },
        ),
        migrations.AddField(
            model_name="donation",
            name="receipt_sha256",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(receipt_hashes_fill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="donation",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    models.Q(("receipt_sha256", ""), _negated=True),
                    models.Q(("status", "cancelled"), _negated=True),
                ),
                fields=("kelurahan", "receipt_sha256"),
                name="funds_donation_receipt_once",
            ),
        ),
        migrations.AddField(
            model_name="vouchercodefailure",
            name="kelurahan",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="territory.kelurahan",
            ),
        ),
        migrations.AddField(
            model_name="vouchercodefailure",
            name="merchant",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="funds.vouchermerchant",
            ),
        ),
        migrations.AddField(
            model_name="vouchercodefailure",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="vouchercodefailure",
            index=models.Index(fields=["merchant", "at"], name="funds_vcf_merchant_at"),
        ),
        migrations.AddIndex(
            model_name="vouchercodefailure",
            index=models.Index(fields=["user", "at"], name="funds_vcf_user_at"),
        ),
        migrations.AddIndex(
            model_name="vouchercodefailure",
            index=models.Index(fields=["ip", "at"], name="funds_vcf_ip_at"),
        ),
        migrations.AddConstraint(
            model_name="vouchercodefailure",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("merchant__isnull", True), ("user__isnull", True), _connector="OR"
                ),
                name="funds_vcf_umkm_or_buyer",
            ),
        ),
    ]
